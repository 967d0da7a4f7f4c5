// The box's arm64 package, proven on this x86 machine (issue 14): the package is built from
// this checkout (`npm run image`'s builder), its tarball unpacked, and its own arm64 Node runs
// its own firmware under qemu's user-mode emulation, against the x86 card simulator over a
// socat pty. The card comes up, LOS on the span raises the red alarm, a call ringing in on
// an FXO line reaches a SIPp agent phone, and the box reports its alarm to a central.
//
// Real processes: the builder, central, socat, the card simulator, the emulated firmware and
// its emulated CLI, SIPp. The emulated CPU runs Node several times slower than the host
// (starting the CLI takes 5-15 s here), so the firmware's start has a longer deadline and the
// frequent status polls go through this checkout's CLI: the control socket is the same.
//
// COUNTYLINE_ARM64_TREE=<folder> reuses a release tree already unpacked (a quick loop).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildArm64Tree, openArm64Tree, requireEmulator } from '../../scripts/lib/arm64-image.mjs';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp } from '../peers/sipp-agent.js';

const BOX = 'county-arm64-01';
/** Node under qemu opens its control socket in 10-40 s here (against 1-3 s natively). */
const EMULATED_START_MS = 120_000;

t.test('the arm64 package runs the box under emulation', async (t) => {
  requireEmulator();
  const work = await mkdtemp(join(tmpdir(), 'countyline-arm64-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const arm64 = process.env.COUNTYLINE_ARM64_TREE ? openArm64Tree(process.env.COUNTYLINE_ARM64_TREE) : await buildArm64Tree(work);
  t.comment(`release tree ${arm64.tree} (${arm64.release?.version ?? 'no RELEASE.json'})`);

  const central = await startCentral();
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'county-arm', name: '仿真县热线', county: 'County ARM' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-arm', name: 'County ARM box' });

  const ann = { user: 'ann', password: 'ann-secret-1', port: await freeUdpPort() };
  const sipPort = await freeUdpPort();
  const rig = await startRig({
    firmware: false,
    firmwareCommand: arm64.command,
    firmwareStartMs: EMULATED_START_MS,
    config: {
      agents: [{ user: ann.user, password: ann.password, name: 'Ann' }],
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
      queue: { voiceMessage: false, callbacks: 'off' },
    },
  });
  t.teardown(() => rig.stop());
  const emulatedCli = (args: string[], expect: number | number[] = 0) => rig.spawnCli(args, { command: arm64.command }).result(expect);

  const version = JSON.parse((await emulatedCli(['version', '--json'])).stdout);
  t.match(version, { running: { kind: 'release', release: { version: arm64.release?.version } } }, 'the packaged CLI names the release it is');

  const provisioned = await emulatedCli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
  t.match(provisioned.stdout, BOX, 'the packaged CLI provisions the box with its enrolment token');

  await rig.startFirmware(); // resolves once the emulated firmware reports the card link up
  t.match(rig.fullLog('firmware'), /"arch":"arm64"[^\n]*"msg":"firmware started"|"msg":"firmware started"[^\n]*"arch":"arm64"/, 'the firmware says it runs on arm64');
  await rig.waitStatus('five FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 30_000);
  const online = await waitFor(
    'central to see the box online',
    async (seen) => {
      const box = seen(await central.api('GET', `/api/v1/boxes/${BOX}`));
      return box.online && box.lastBirthAt !== null ? box : null;
    },
    60_000,
  );
  t.equal(online.birth.software.version.length > 0, true, `the box told central its software version (${online.birth.software.version})`);

  await t.test('LOS on the span: the red alarm on the box and at central', async (t) => {
    await rig.simPost('/spans/0/defects', { los: true });
    const status = await rig.waitStatus('the span in red alarm', (s) => s.spans[0]?.alarm === 'red', 30_000);
    t.equal(status.spans[0].alarm, 'red');
    const alarm = await waitFor(
      'central to list the span-red alarm',
      async (seen) => {
        const { alarms } = seen(await central.api('GET', `/api/v1/alarms?state=active&box=${BOX}`));
        return alarms.find((a: any) => a.source === 'span/0' && a.type === 'span-red') ?? null;
      },
      60_000,
    );
    t.match(alarm, { severity: 'critical', cause: 'LOS', state: 'active' }, 'central shows it active and critical, with the cause');
    const seenByPackagedCli = await emulatedCli(['status', '--json'], [0, 1]);
    t.equal(JSON.parse(seenByPackagedCli.stdout).spans[0].alarm, 'red', "the packaged CLI's status shows the red alarm");
    await rig.simPost('/spans/0/defects', { los: false });
    await rig.waitStatus('the span clear again', (s) => s.spans[0]?.alarm === 'none', 60_000);
  });

  await t.test('a call ringing in on an FXO line reaches the agent phone', async (t) => {
    const box = { host: '127.0.0.1', port: sipPort };
    await registerAgent({ box, port: ann.port, user: ann.user, password: ann.password, dir: rig.dir }, (fn) => t.teardown(fn));
    await waitFor(
      "ann's phone registered and ann available and idle",
      async (seen) => seen(await rig.json(['queue'])).agents.some((a: any) => a.id === 'ann' && a.status === 'available' && a.state === 'idle' && a.phoneUp),
      60_000,
    );
    const phone = runSipp({ scenario: 'agent-answer', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort() });
    t.teardown(() => phone.stop());
    await rig.simPost('/fxo/0/ring', { callerId: '13900000001' });
    const call = await waitFor(
      'ann to answer the call',
      async (seen) => {
        phone.assertRunning();
        return seen(await rig.json(['calls'])).active.find((c: any) => c.state === 'connected' && c.agent === 'ann') ?? null;
      },
      60_000,
    );
    t.match(call, { agent: 'ann' }, 'the caller on FXO line 0 is connected to ann');
    await rig.simPost('/fxo/0/hangup', {});
    await waitFor('the call to end', async (seen) => seen(await rig.json(['calls'])).active.length === 0, 60_000);
  });
});
