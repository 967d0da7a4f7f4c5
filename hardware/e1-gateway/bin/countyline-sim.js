#!/usr/bin/env node
// The `countyline-sim` command. npm links a package's bins when it installs, before anything
// is built, and links nothing whose target is missing; so the bin is this file, kept in git,
// and the simulator itself is compiled into dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/sim/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('countyline-sim: the simulator is not built yet; run `npm run build` at the top of the repository\n');
  process.exit(2);
}
await import(entry.href);
