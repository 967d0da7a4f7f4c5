// The build's progress lines: one per step as it starts, its time once it ends, so a user
// watching a minute-long build sees where it is and which step is slow.

/** Sizes as people read them: 1 decimal in MiB, else KiB. */
export function formatSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function createProgress(total, out = process.stdout) {
  const started = Date.now();
  let index = 0;
  let stepStarted = started;
  const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  return {
    /** A new step begins; the previous one (if any) is over. */
    step(title) {
      index++;
      stepStarted = Date.now();
      out.write(`countyline image [${index}/${total}] ${title}\n`);
    },
    /** A detail of the step under way, with the time it has taken so far. */
    note(text) {
      out.write(`    ${text} (${seconds(stepStarted)})\n`);
    },
    /** The closing lines. */
    done(lines) {
      for (const line of lines) out.write(`${line}\n`);
      out.write(`countyline image: done in ${seconds(started)}\n`);
    },
  };
}
