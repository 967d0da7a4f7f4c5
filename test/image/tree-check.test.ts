// The release tree check (images/lib/tree-check.mjs) on small trees made here: it must pass a
// clean arm64 tree and name each thing that must not reach a box.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { checkTree, describeProblems } from '../../images/lib/tree-check.mjs';

/** The first 20 bytes of a 64-bit little-endian ELF file for `machine` (e_machine at offset 18), padded. */
function elf(machine: number): Buffer {
  const head = Buffer.alloc(64);
  head.writeUInt32BE(0x7f454c46, 0); // \x7fELF
  head[4] = 2; // ELFCLASS64
  head[5] = 1; // ELFDATA2LSB
  head[6] = 1; // EV_CURRENT
  head.writeUInt16LE(3, 16); // ET_DYN
  head.writeUInt16LE(machine, 18);
  return head;
}

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

function tree(t: Test, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'countyline-tree-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const clean = {
  'node/bin/node': elf(EM_AARCH64),
  'app/node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node': elf(EM_AARCH64),
  'app/node_modules/@countyline/firmware/dist/cli/main.js': 'export {};\n',
  'app/node_modules/@countyline/firmware/prompts/en/welcome.alaw': Buffer.from([0xd5, 0xd5]),
  'bin/countyline': '#!/bin/sh\n',
  'RELEASE.json': '{}\n',
};

t.test('a clean arm64 tree passes', async (t) => {
  t.same(checkTree(tree(t, clean)), []);
});

t.test('an x86-64 ELF file is rejected, by name and machine', async (t) => {
  const dir = tree(t, { ...clean, 'app/node_modules/unix-dgram/build/Release/unix_dgram.node': elf(EM_X86_64) });
  t.same(checkTree(dir), ['app/node_modules/unix-dgram/build/Release/unix_dgram.node: an ELF file for x86-64, not aarch64']);
});

t.test('TypeScript is rejected, sources and declarations alike', async (t) => {
  const dir = tree(t, { ...clean, 'app/node_modules/@countyline/firmware/src/cli/cli.ts': 'export {};\n', 'app/node_modules/x/index.d.ts': 'export {};\n' });
  t.same(checkTree(dir), [
    'app/node_modules/@countyline/firmware/src/cli/cli.ts: TypeScript (the box runs the compiled JavaScript)',
    'app/node_modules/x/index.d.ts: TypeScript (the box runs the compiled JavaScript)',
  ]);
});

t.test('tests, test folders and source maps are rejected', async (t) => {
  const dir = tree(t, {
    ...clean,
    'app/node_modules/@countyline/firmware/dist/cli/cli.test.js': '',
    'app/node_modules/x/test/fixture.json': '{}',
    'app/node_modules/@countyline/firmware/dist/cli/main.js.map': '{}',
  });
  const problems = checkTree(dir);
  t.same(problems, [
    'app/node_modules/@countyline/firmware/dist/cli/cli.test.js: a test',
    'app/node_modules/@countyline/firmware/dist/cli/main.js.map: a source map',
    'app/node_modules/x/test: a test folder',
  ]);
  t.match(describeProblems(problems, 'countyline-0.1.0', 2), /holds what must not go on a box:\n {2}.*cli\.test\.js: a test\n {2}.*main\.js\.map: a source map\n {2}\.\.\. and 1 more$/);
});
