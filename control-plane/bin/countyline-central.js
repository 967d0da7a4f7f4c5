#!/usr/bin/env node
// The `countyline-central` command. npm links a package's bins when it installs, before
// anything is built, so the bin is this file, kept in git; the program is compiled into
// dist/ by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('countyline-central: central is not built yet; run `npm run build` at the top of the repository\n');
  process.exit(2);
}
await import(entry.href);
