// Issue 4: `countyline capture` records the live signalling both ways as a pcap that
// Wireshark reads (link type 141), for engineers chasing a fault with the telco.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { requireTool, startRig } from '../../scripts/lib/bench-rig.mjs';
import { exchange, until } from './isup-helpers.js';

t.test('a capture of a call opens in tshark with our point codes and the whole call', async (t) => {
  requireTool('tshark', 'checking the capture the way Wireshark reads it');
  const rig = await startRig({ isup: true });
  const dir = await mkdtemp(join(tmpdir(), 'cl-capture-'));
  t.teardown(async () => {
    await rig.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await until('ready', async () => (await exchange(rig)).readyCircuits === 30, 10_000);

  const file = join(dir, 'signalling.pcap');
  const capture = rig.cli(['capture', file, '--seconds', '4']);
  await new Promise((r) => setTimeout(r, 800));
  const call = await rig.cli(['call', '12345', '--hold', '0.5']);
  t.equal(call.code, 0, call.stderr);
  const done = await capture;
  t.equal(done.code, 0, done.stderr);
  t.match(done.stderr, /messages written to/);

  const { stdout } = await promisify(execFile)(
    'tshark',
    ['-r', file, '-o', 'mtp3.standard:itu', '-T', 'fields', '-E', 'separator=,', '-e', 'mtp3.opc', '-e', 'mtp3.dpc', '-e', 'isup.cic', '-e', 'isup.message_type'],
    { timeout: 30_000, env: { ...process.env, HOME: dir } },
  );
  const rows = stdout.trim().split('\n').map((l) => l.split(','));
  const types = rows.map((r) => Number(r[3]));
  const cic = rows.find((r) => r[3] === '1')?.[2];
  t.ok(cic, 'an IAM was captured');
  const ofCall = rows.filter((r) => r[2] === cic);
  t.same(
    ofCall.map((r) => [r[0], r[1], Number(r[3])]),
    [
      ['1000', '2000', 0x01],
      ['2000', '1000', 0x06],
      ['2000', '1000', 0x09],
      ['1000', '2000', 0x0c],
      ['2000', '1000', 0x10],
    ],
    'IAM out, ACM and ANM in, our REL, their RLC: both directions, in order',
  );
  t.ok(types.length >= 5);
});
