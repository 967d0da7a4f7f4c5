// What a process costs, read from outside it in /proc (Linux): its CPU time and its resident
// set, sampled over a window. Nothing runs inside the process measured, so the figures are
// those of the process as it runs on a box.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Linux's USER_HZ: /proc times are in these ticks. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far; NaN once it is gone. */
export function cpuSeconds(pid) {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** The resident set (VmRSS) in bytes; NaN once the process is gone. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Starts sampling the processes in `pids` (a name -> pid map): the resident set of each every
 * `intervalMs`, and CPU time at the start and at stop(). stop() returns, per name, the CPU
 * used as a share of one core over the wall time between start and stop, and the mean and
 * highest resident set of the samples; `seconds` is that wall time. `onSample` is called
 * with each tick's time, for samples of one's own taken on the same beat.
 */
export function sampleUsage(pids, { intervalMs = 500, onSample } = {}) {
  const names = Object.keys(pids);
  const startedAt = performance.now();
  const cpuFrom = Object.fromEntries(names.map((n) => [n, cpuSeconds(pids[n])]));
  const rss = Object.fromEntries(names.map((n) => [n, []]));
  const tick = () => {
    for (const n of names) {
      const bytes = rssBytes(pids[n]);
      if (Number.isFinite(bytes)) rss[n].push(bytes);
    }
    onSample?.(Date.now());
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const seconds = (performance.now() - startedAt) / 1000;
      const usage = Object.fromEntries(
        names.map((n) => {
          const samples = rss[n];
          return [
            n,
            {
              cpu: (cpuSeconds(pids[n]) - cpuFrom[n]) / seconds,
              rssMean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : NaN,
              rssMax: samples.length ? Math.max(...samples) : NaN,
              samples: samples.length,
            },
          ];
        }),
      );
      return { seconds, usage };
    },
  };
}
