#!/usr/bin/env node
// Speaks the callers' prompt set (firmware-ts/src/prompts/prompt-texts.ts) into
// firmware-ts/prompts/<lang>/<name>.alaw with espeak-ng and sox: raw A-law, 8 kHz, what the
// box plays to a line. Only prompts whose words changed since the last run are spoken again
// (firmware-ts/prompts/manifest.json), so `npm start`, `npm test` and `npm run bench` run it
// every time after the build. The files are made here, not kept in git: the box needs
// espeak-ng and sox anyway, to speak a bulletin set at run time.
//
//   node scripts/build-prompts.mjs            (after `npm run build`; `npm run prompts` does both)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let prompts;
try {
  prompts = await import(join(root, 'firmware-ts', 'dist', 'prompts', 'index.js'));
} catch (err) {
  console.error(`countyline prompts: the firmware is not built (${err.code ?? err.message}); run npm run build first`);
  process.exit(1);
}

const started = Date.now();
let spoken = 0;
try {
  const { built, upToDate } = await prompts.buildPrompts({
    outDir: prompts.BUILT_PROMPTS_DIR,
    onBuilt: () => {
      spoken++;
      if (spoken % 25 === 0) console.log(`countyline prompts: ${spoken} spoken`);
    },
  });
  if (built > 0) console.log(`countyline prompts: spoke ${built} prompts into ${prompts.BUILT_PROMPTS_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s (${upToDate} up to date)`);
} catch (err) {
  console.error(`countyline prompts: ${err.message}`);
  process.exit(1);
}
