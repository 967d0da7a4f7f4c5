#!/usr/bin/env node
// Runs the test suite with tap and ends with one plain line: "N passed, N failed".
//
//   node scripts/run-tests.mjs            every test (unit tests beside the code + test/)
//   node scripts/run-tests.mjs --unit     unit tests only (quick loop, no processes spawned)
//   node scripts/run-tests.mjs <files..>  just these files
//
// Each file's result is printed as it ends; failures with their details. The raw TAP stream
// is kept in .tap/last-run.tap for digging.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'tap-parser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const files = args.filter((a) => !a.startsWith('--'));
const targets = files.length > 0 ? files : unitOnly ? ['hardware/*/src', 'firmware-ts/src', 'control-plane/src'] : ['hardware/*/src', 'firmware-ts/src', 'control-plane/src', 'test'];

mkdirSync(join(root, '.tap'), { recursive: true });
const raw = createWriteStream(join(root, '.tap', 'last-run.tap'));
const tapBin = join(root, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs');
// Per test file; the 10-minute soak (`npm run soak`) raises it.
const timeoutSeconds = Number(process.env.COUNTYLINE_TEST_TIMEOUT ?? 600);
// Files run at once: one more than the cores, since the bench files spend most of their time
// waiting for the processes they started (COUNTYLINE_TEST_JOBS sets it).
const jobs = Number(process.env.COUNTYLINE_TEST_JOBS ?? availableParallelism() + 1);
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(`COUNTYLINE_TEST_JOBS=${process.env.COUNTYLINE_TEST_JOBS}: give a whole number of test files to run at once, 1 or more\n`);
  process.exit(2);
}
const child = spawn(process.execPath, [tapBin, '-R', 'tap', '--disable-coverage', `--timeout=${timeoutSeconds}`, `--jobs=${jobs}`, ...targets.flatMap(expand)], {
  cwd: root,
  env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.test.json'), FORCE_COLOR: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});

let passed = 0;
let failed = 0;
let skipped = 0;

/**
 * Counts leaf assertions. A subtest that failed with no failing assertion inside it (a crash,
 * a timeout, a wrong plan) counts as one failure.
 */
function watch(parser, depth, path, ancestors) {
  let lastChild = null;
  parser.on('child', (c) => {
    lastChild = { failures: 0 };
    watch(c, depth + 1, path, [...ancestors, lastChild]);
  });
  parser.on('assert', (r) => {
    const name = [...path, r.name].join(' > ');
    if (r.closingTestPoint) {
      if (!r.ok && lastChild && lastChild.failures === 0) {
        failed++;
        for (const a of ancestors) a.failures++;
        report(`not ok ${name}`, r);
      }
      if (depth === 0) process.stdout.write(`${r.ok ? 'ok    ' : 'FAIL  '} ${r.name}\n`);
      return;
    }
    if (r.skip || r.todo) skipped++;
    else if (r.ok) passed++;
    else {
      failed++;
      for (const a of ancestors) a.failures++;
      report(`not ok ${name}`, r);
    }
  });
}

function report(title, result) {
  process.stdout.write(`  ${title}\n`);
  if (result.diag) {
    const text = JSON.stringify(result.diag, null, 2).split('\n').slice(0, 40).join('\n    ');
    process.stdout.write(`    ${text}\n`);
  }
}

/** Directories become the test files inside them (`*.test.ts`); helpers beside tests are not run. */
function expand(target) {
  if (target.includes('*')) {
    const [base, ...rest] = target.split('/*');
    return readdirSync(join(root, base)).flatMap((name) => expand(join(base, name, rest.join('/*').replace(/^\//, ''))));
  }
  const full = join(root, target);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [target];
  return readdirSync(full, { recursive: true })
    .filter((name) => /\.test\.(ts|mts|mjs)$/.test(name) && !name.split('/').includes('node_modules') && !name.split('/').includes('dist'))
    .sort()
    .map((name) => join(target, name));
}

const parser = new Parser();
watch(parser, 0, [], []);
child.stdout.on('data', (chunk) => raw.write(chunk));
child.stdout.pipe(parser);
child.on('close', (code, signal) => {
  parser.end();
  raw.end();
  if ((code !== 0 || signal) && failed === 0) {
    failed++;
    process.stdout.write(`tap exited with ${signal ?? code} and no failing test point was read\n`);
  }
  if (passed + failed === 0) {
    failed++;
    process.stdout.write('no test was run\n');
  }
  const skippedText = skipped > 0 ? `, ${skipped} skipped` : '';
  process.stdout.write(`\n${passed} passed, ${failed} failed${skippedText}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
});
