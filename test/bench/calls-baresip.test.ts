// Issue 8 "done when": a real softphone, baresip, registers with the box as an agent and
// completes a call from an FXO line: it answers by itself, its voice (a 700 Hz tone from a
// WAV file) reaches the caller's end of the line, and the caller hanging up ends the call.
import t from 'tap';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startBaresip } from '../peers/baresip-agent.js';
import { freeUdpPort } from '../peers/sipp-agent.js';

const sipPort = await freeUdpPort();
const agent = { user: 'cy', password: 'cy-secret-333', name: '陈雨' };
const rig = await startRig({
  config: {
    agents: [agent],
    // baresip 1.0 (libre) answers only the first challenge and knows only MD5 (ENOSYS otherwise).
    sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', digestAlgorithms: ['MD5'] },
  },
});
t.teardown(() => rig.stop());
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

t.test('baresip registers, answers a call from FXO port 3, its voice reaches the caller; the caller hangs up', async (t) => {
  const phone = await startBaresip({ dir: rig.dir, box: { host: '127.0.0.1', port: sipPort }, user: agent.user, password: agent.password, port: await freeUdpPort(), voiceHz: 700 });
  t.teardown(() => phone.stop());
  await waitFor('baresip registered', async (seen) => seen(await rig.json(['agents']))[0].registered, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- baresip\n${phone.output()}`);
  });

  await rig.simPost('/fxo/3/ring', { callerId: '13500000003' });
  await waitFor('the line off-hook: baresip answered', async (seen) => seen(await rig.simGet('/state')).fxo[3].offHook, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- baresip\n${phone.output()}`);
  });
  await rig.simPost('/fxo/3/audio/measure-reset');
  const heard = await waitFor('baresip\'s 700 Hz voice at the caller\'s end', async (seen) => {
    const { received } = seen(await rig.simGet('/fxo/3/audio'));
    return received.hz !== null && Math.abs(received.hz - 700) < 10 && received;
  }, 15_000);
  t.ok(Math.abs(heard.hz - 700) < 10, `the caller hears ${heard.hz} Hz at ${heard.dbm0} dBm0`);
  t.match((await rig.json(['calls'])).active, [{ line: { kind: 'fxo', port: 3 }, state: 'connected', agent: 'cy', agentName: '陈雨' }]);

  await rig.simPost('/fxo/3/hangup');
  const cdr = await waitFor('the CDR', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === '13500000003'), 15_000);
  t.match(cdr, { agent: 'cy', result: 'answered', hungUpBy: 'caller' });
  await waitFor('baresip free again', async (seen) => {
    const [row] = seen(await rig.json(['agents']));
    return row.registered && !row.busy;
  }, 10_000);
});
