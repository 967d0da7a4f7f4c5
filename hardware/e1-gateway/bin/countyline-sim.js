#!/usr/bin/env node
// The `countyline-sim` command. npm links a package's bins when it installs, before anything
// is built, and links nothing whose target is missing; so the bin is this file, kept in git,
// and the simulator itself is compiled into dist/ by `npm run build`.
//
// `countyline-sim scenario <file> [options]` runs a bench scenario: central and the two
// simulated county offices of `npm start`, the file's timed traffic, faults and bulletins,
// then its expectations (scripts/bench-scenario.mjs in the repository, which this hands to).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === 'scenario') {
  const runner = fileURLToPath(new URL('../../../scripts/bench-scenario.mjs', import.meta.url));
  if (!existsSync(runner)) {
    process.stderr.write(`countyline-sim scenario: ${runner} is missing; scenarios run from a checkout of the Countyline repository\n`);
    process.exit(2);
  }
  const child = spawn(process.execPath, [runner, ...process.argv.slice(3)], { stdio: 'inherit' });
  // Passed on, so the runner stops its processes (a second Ctrl-C from the terminal changes nothing).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const entry = new URL('../dist/sim/main.js', import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('countyline-sim: the simulator is not built yet; run `npm run build` at the top of the repository\n');
    process.exit(2);
  }
  await import(entry.href);
}
