#!/usr/bin/env node
// Runs the micro-benchmarks: every bench/*.bench.mjs, each in its own Node process (with
// --expose-gc, so memory figures are taken after a collection and one bench's garbage does not
// weigh on the next), prints their tables, and writes the results into bench/BENCHMARKS.md
// between the result markers, with the machine they ran on.
//
//   npm run bench                       build, then every benchmark
//   node bench/run.mjs circuit          only benchmarks whose file name contains "circuit"
//   node bench/run.mjs --quick          fewer cycles (a smoke run); BENCHMARKS.md is left alone
//   node bench/run.mjs --no-write       print only
//
// A *.bench.mjs file exports `title` and a default async function ({ quick }) returning
// { text, markdown }: the table for the terminal and the section for BENCHMARKS.md.
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, platform, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const START = '<!-- results: written by bench/run.mjs, edits between these markers are overwritten -->';
const END = '<!-- /results -->';

if (args[0] === '--one') {
  // Child: run one benchmark and hand its result to the parent.
  const mod = await import(pathToFileURL(args[1]).href);
  const result = await mod.default({ quick: args.includes('--quick') });
  process.send({ title: mod.title ?? basename(args[1]), text: result.text, markdown: result.markdown }, () => process.exit(0));
} else {
  await main();
}

async function main() {
  const quick = args.includes('--quick');
  const write = !quick && !args.includes('--no-write');
  const filters = args.filter((a) => !a.startsWith('--'));
  if (!existsSync(join(root, 'firmware-ts', 'dist', 'circuits', 'index.js'))) {
    console.error('bench: firmware-ts/dist is missing; run `npm run bench` (it builds first) or `npx tsc -b`');
    process.exit(1);
  }
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.mjs') && (filters.length === 0 || filters.some((x) => f.includes(x))))
    .sort();
  if (files.length === 0) {
    console.error(`bench: no bench/*.bench.mjs matches ${filters.join(', ')}`);
    process.exit(1);
  }

  const machine = describeMachine();
  console.log(`${machine.cpu}, ${machine.node}, ${machine.date}${quick ? ' (quick run)' : ''}\n`);
  const sections = [];
  for (const file of files) {
    const result = await runOne(join(here, file), quick);
    console.log(`## ${result.title} (${file})\n\n${result.text}\n`);
    // Each section says where and when it ran: a partial run keeps the other sections, and those may come from another machine.
    sections.push({ file, text: `### ${result.title}\n\n\`bench/${file}\`: ${machine.cpu}; ${machine.node}; ${machine.date}\n\n${result.markdown}` });
  }
  if (write) {
    writeResults(machine, sections);
    console.log('results written to bench/BENCHMARKS.md');
  }
}

function runOne(path, quick) {
  return new Promise((resolve, reject) => {
    let result = null;
    const child = fork(fileURLToPath(import.meta.url), ['--one', path, ...(quick ? ['--quick'] : [])], { execArgv: ['--expose-gc'], stdio: 'inherit' });
    child.on('message', (m) => (result = m));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`bench ${basename(path)} exited with ${code}`))));
  });
}

function describeMachine() {
  const list = cpus();
  return {
    cpu: `${list[0]?.model.trim() ?? 'unknown CPU'} (${list.length} logical CPUs)`,
    node: `Node ${process.version}`,
    os: `${platform()} ${release()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    date: new Date().toISOString().slice(0, 10),
  };
}

/**
 * The result sections already in BENCHMARKS.md, by bench file, so that a run of some
 * benchmarks replaces their sections and keeps the others.
 */
function previousSections(doc) {
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) return [];
  return doc
    .slice(from, to)
    .split(/\n(?=### )/)
    .slice(1)
    .map((text) => ({ file: /`bench\/([^`]+)`/.exec(text)?.[1] ?? '', text: text.trimEnd() }))
    .filter((s) => s.file !== '');
}

function writeResults(machine, fresh) {
  const path = join(here, 'BENCHMARKS.md');
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
  const ran = new Set(fresh.map((s) => s.file));
  const sections = [...previousSections(doc).filter((s) => !ran.has(s.file) && existsSync(join(here, s.file))), ...fresh].sort((a, b) => a.file.localeCompare(b.file)).map((s) => s.text);
  const block = [
    START,
    '## Latest results',
    '',
    `Each section names the machine it ran on (the last run: ${machine.cpu}; ${machine.os}).`,
    '',
    ...sections.flatMap((s) => [s, '']),
    END,
  ].join('\n');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  const next = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
