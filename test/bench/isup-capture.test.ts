// Issue 4: `countyline capture` records the live signalling both ways as a pcap that
// Wireshark reads (link type 141), for engineers chasing a fault with the telco.
import { join } from 'node:path';
import t from 'tap';
import { requireTool, startRig } from '../../scripts/lib/bench-rig.mjs';
import { TSHARK, tsharkEnv, tsharkFields } from '../peers/tshark.js';
import { captureRecording, exchangeReady, PROBE_CIC } from './isup-helpers.js';

/** Long enough for a CLI to start and a call to run on a busy machine; the capture always lasts this long. */
const CAPTURE_SECONDS = 12;

t.test('a capture of a call opens in tshark with our point codes and the whole call', async (t) => {
  requireTool(TSHARK, 'checking the capture the way Wireshark reads it');
  const rig = await startRig({ isup: true });
  t.teardown(() => rig.stop());
  await exchangeReady(rig);

  const file = join(rig.dir, 'signalling.pcap');
  const startedAt = Date.now();
  const capture = rig.spawnCli(['capture', file, '--seconds', String(CAPTURE_SECONDS)]);
  await captureRecording(rig, file);
  await rig.cli(['call', '12345', '--hold', '0.5'], 0);
  t.ok(Date.now() - startedAt < CAPTURE_SECONDS * 1000, `the call ended ${Date.now() - startedAt} ms after the capture started, inside its ${CAPTURE_SECONDS} s`);
  const done = await capture.result(0);
  t.match(done.stderr, /messages written to/);

  const fields = ['mtp3.opc', 'mtp3.dpc', 'isup.cic', 'isup.message_type'];
  const rows = (await tsharkFields(file, fields, ['mtp3.standard:itu'], tsharkEnv(rig.dir))).map((r) => fields.map((f) => r[f]!));
  const iam = rows.find((r) => r[3] === '1');
  t.ok(iam, 'an IAM was captured');
  const ofCall = rows.filter((r) => r[2] === iam?.[2]);
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
  t.ok(
    rows.some((r) => r[0] === '2000' && r[2] === String(PROBE_CIC) && Number(r[3]) === 0x12),
    'and the exchange\'s RSC probe before it',
  );
});
