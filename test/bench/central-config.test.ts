// Issue 9, commands from central: a desired config sent through the API is applied by the
// box (its config file rewritten, the firmware restarted in-process, `config/reported`
// applied), refused with the reasons when it fails the checks or touches what only the box
// sets, and rolled back when the firmware does not start on it. Bulletins set, cleared and
// refused through the API show in the box's birth. Separate processes on loopback: central,
// socat, the card simulator and the firmware.
import { createSocket } from 'node:dgram';
import { access, readFile, stat } from 'node:fs/promises';
import t from 'tap';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';

const BOX = 'county-c-01';

t.test("central's desired config and bulletins reach the box", async (t) => {
  const central = await startCentral();
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'county-c', name: 'County C hotline office', county: 'County C' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-c', name: 'County C box 1' });
  const rig = await startRig({ firmware: false });
  t.teardown(() => rig.stop());
  await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
  await rig.startFirmware();
  await waitFor('the box online', async (seen) => seen(await central.api('GET', `/api/v1/boxes/${BOX}`)).online === true, 20_000);
  const pid = rig.firmware!.child.pid;
  const onDisk = async () => JSON.parse(await readFile(rig.configPath, 'utf8'));

  /** PUTs a desired config; resolves with the box's report on that revision. */
  const desire = async (config: Record<string, unknown>) => {
    const { revision } = await central.api('PUT', `/api/v1/boxes/${BOX}/config`, { config });
    return waitFor(
      `the report on desired revision ${revision}`,
      async (seen) => {
        const state = seen(await central.api('GET', `/api/v1/boxes/${BOX}/config`));
        return state.reported?.revision === revision ? state.reported : null;
      },
      30_000,
    );
  };

  await t.test('a valid change is written to the config file and the firmware restarts on it', async (t) => {
    const before = await onDisk();
    const births = (await central.api('GET', `/api/v1/boxes/${BOX}`)).lastBirthAt;
    const report = await desire({ calls: { ringTimeoutMs: 30_000 } });
    t.match(report, { applied: true, errors: [] });
    t.equal((await onDisk()).calls.ringTimeoutMs, 30_000, 'the config file has the new setting');
    t.same(JSON.parse(await readFile(`${rig.configPath}.previous`, 'utf8')), before, 'the old file is kept beside it');
    t.equal(rig.firmware!.child.pid, pid, 'restarted in the same process');
    const box = await central.api('GET', `/api/v1/boxes/${BOX}`);
    t.ok(box.online && box.lastBirthAt > births, 'the restarted firmware connected again with a new birth');
    t.match(await rig.json(['status']), { card: { link: 'up' } }, 'and answers on its control socket');
  });

  await t.test('a change that fails the checks is refused with the reasons; nothing changes', async (t) => {
    const before = await onDisk();
    const report = await desire({ calls: { ringTimeoutMs: 10 } });
    t.equal(report.applied, false);
    t.match(report.errors.join('\n'), /calls\.ringTimeoutMs/);
    t.same(await onDisk(), before);
  });

  await t.test("the link to central is the box's own: a change to it is refused", async (t) => {
    const before = await onDisk();
    const report = await desire({ central: { url: 'mqtt://198.51.100.7:1883' } });
    t.equal(report.applied, false);
    t.match(report.errors.join('\n'), /central: set on the box only/);
    t.same(await onDisk(), before);
  });

  await t.test('a config the firmware does not start on is rolled back, and central is told why', async (t) => {
    const before = await onDisk();
    // The SIP port the new config asks for is taken: the registrar cannot listen there.
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    t.teardown(() => holder.close());
    const port = holder.address().port;
    const report = await desire({ sip: { bind: '127.0.0.1', port }, agents: [{ user: '1001', password: 'secret-1001', name: 'Agent One' }] });
    t.equal(report.applied, false);
    t.match(report.errors.join('\n'), /rolled back: .*EADDRINUSE/);
    t.same(await onDisk(), before, 'the previous config file is back');
    t.equal(rig.firmware!.child.pid, pid, 'the same process runs on');
    await waitFor('the box online again on its old config', async (seen) => seen(await central.api('GET', `/api/v1/boxes/${BOX}`)).online === true, 20_000);
    t.match(await rig.json(['status']), { card: { link: 'up' } });
  });

  await t.test('a bulletin set through the API shows in the birth; cleared, it goes; one already past is refused', async (t) => {
    const until = Date.now() + 3_600_000;
    const { commands } = await central.api('POST', '/api/v1/bulletins', { text: '城关镇今日 14:00-18:00 停水检修', until, boxes: [BOX] });
    const outcome = async (id: string) =>
      waitFor(`the answer to command ${id}`, async (seen) => {
        const cmd = seen(await central.api('GET', `/api/v1/commands/${id}`));
        return cmd.state === 'sent' ? null : cmd.outcome;
      }, 20_000);
    const set = await outcome(commands[0].id);
    t.match(set, { ok: true, result: { bulletin: { text: '城关镇今日 14:00-18:00 停水检修', until }, audio: { lang: 'zh' } } }, 'answered once it is spoken, in Chinese');
    t.ok(set.result.audio.seconds > 1, `a spoken bulletin of ${set.result.audio.seconds} s`);
    const spoken = await stat(`${rig.dir}/data/bulletin.zh.alaw`);
    t.equal(spoken.size, set.result.audio.seconds * 8000, 'its recording is 8 kHz A-law of that length');
    const birthBulletin = (want: (b: any) => boolean) =>
      waitFor('the bulletin in the birth', async (seen) => {
        const box = seen(await central.api('GET', `/api/v1/boxes/${BOX}`));
        return box.birth && want(box.birth.bulletin) ? { bulletin: box.birth.bulletin } : null;
      }, 20_000).then((found) => found.bulletin);
    t.match(await birthBulletin((b) => b?.text !== undefined), { text: '城关镇今日 14:00-18:00 停水检修', until });
    await access(`${rig.dir}/data/bulletin.json`);

    const { id: clearId } = await central.api('POST', `/api/v1/boxes/${BOX}/commands`, { name: 'bulletin-clear', params: {} });
    t.match(await outcome(clearId), { ok: true, result: { cleared: true } });
    t.equal(await birthBulletin((b) => b === null), null, 'the next birth has none');
    await waitFor('the recording removed', async () => stat(`${rig.dir}/data/bulletin.zh.alaw`).then(() => false, () => true), 10_000);

    const { commands: late } = await central.api('POST', '/api/v1/bulletins', { text: 'too late', until: Date.now() - 60_000, boxes: [BOX] });
    t.match(await outcome(late[0].id), { ok: false, error: { code: 'bulletin-past', message: /already past/ } });
  });
});
