// Issue 9 "done when", first point: separate processes (central, socat, the card simulator,
// the firmware) on loopback. A box provisioned with an enrolment token connects to central;
// LOS on the simulated span shows in central's API as an active critical alarm within 3 s of
// the box declaring it, and its clear likewise; a test call commanded through the API runs
// on the box and its result comes back through the API.
//
// "Declaring" is the box's own time stamp on the alarm record (raisedAt / clearedAt, same
// host clock); "shows in the API" is the first of a steady 100 ms poll that sees it.
import t from 'tap';
import { startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';

const BOX = 'county-a-01';
const SETTLE_MS = 4000;
const WITHIN_MS = 3000;

t.test('a provisioned box reports its alarms to central and runs central commands', async (t) => {
  const central = await startCentral();
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'county-a', name: 'County A hotline office', county: 'County A' });
  const created = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-a', name: 'County A box 1' });
  t.type(created.enrolmentToken, 'string', 'creating a box gives a one-time enrolment token');

  const rig = await startRig({ firmware: false, config: { trunks: { settleMs: SETTLE_MS } } });
  t.teardown(() => rig.stop());

  await t.test('provisioning: the token is exchanged once for the box credentials', async (t) => {
    const first = await rig.cli(['provision', '--central', central.httpUrl, '--token', created.enrolmentToken]);
    t.match(first.stdout, BOX, 'provision names the box it was enrolled as');
    const again = await rig.spawnCli(['provision', '--central', central.httpUrl, '--token', created.enrolmentToken]).closed;
    t.not(again.code, 0, 'a used token is refused');
    t.match(again.stderr, /used/i, `and the refusal says the token was used: ${again.stderr.trim()}`);
  });

  await rig.startFirmware();
  const online = await waitFor(
    'the box online in the API with a birth',
    async (seen) => {
      const box = seen(await central.api('GET', `/api/v1/boxes/${BOX}`));
      return box.online && box.lastBirthAt !== null ? box : null;
    },
    20_000,
  );
  t.equal(online.birth.software.version.length > 0, true, 'the birth names the software version');
  const trunks = await waitFor(
    "the box's span and five FXO lines in the API",
    async (seen) => {
      const view = seen(await central.api('GET', `/api/v1/boxes/${BOX}/trunks`));
      return view.spans?.length === 1 && view.fxo?.length === 5 ? view : null;
    },
    20_000,
  );
  t.equal(trunks.spans[0].alarm, 'none', 'the span is clear');

  /** Polls the API every 100 ms from now; resolves with the first alarm `match` accepts and when it was seen. */
  const firstSeen = (what: string, query: string, match: (a: any) => boolean, deadlineMs: number) =>
    waitFor(
      what,
      async (seen) => {
        const { alarms } = seen(await central.api('GET', `/api/v1/alarms?${query}`)) as { alarms: any[] };
        const hit = alarms.find(match);
        return hit ? { alarm: hit, at: Date.now() } : null;
      },
      deadlineMs,
      { intervalMs: 100 },
    );

  await t.test('LOS: an active critical alarm in the API within 3 s of the box declaring it, and its clear', async (t) => {
    await rig.simPost('/spans/0/defects', { los: true });
    const isRed = (a: any) => a.boxId === BOX && a.source === 'span/0' && a.type === 'span-red';
    const raised = await firstSeen('span-red active in the API', 'state=active', isRed, 20_000);
    const [onBox] = (await rig.json(['alarms'])).filter((a: any) => a.source === 'span/0' && a.type === 'span-red');
    t.equal(raised.alarm.severity, 'critical');
    t.equal(raised.alarm.state, 'active');
    t.equal(raised.alarm.cause, 'LOS', 'with the box cause');
    const metrics = (await central.request('GET', '/metrics')).body as string;
    t.match(metrics, /^countyline_central_alarms_active\{severity="critical"\} [1-9]/m, 'the metrics count it among the active critical alarms');
    const raiseLag = raised.at - onBox.raisedAt;
    t.ok(raiseLag <= WITHIN_MS, `seen in the API ${raiseLag} ms after the box raised it (at most ${WITHIN_MS})`);

    await rig.simPost('/spans/0/defects', { los: false });
    const cleared = await firstSeen('span-red cleared in the API', `state=cleared&box=${BOX}`, (a) => isRed(a) && a.id === raised.alarm.id, SETTLE_MS + 20_000);
    const [clearedOnBox] = (await rig.json(['alarms', '--all'])).filter((a: any) => a.id === onBox.id);
    t.equal(clearedOnBox.state, 'cleared');
    const clearLag = cleared.at - clearedOnBox.clearedAt;
    t.ok(clearLag <= WITHIN_MS, `the clear seen in the API ${clearLag} ms after the box cleared it (at most ${WITHIN_MS})`);
    t.equal(cleared.alarm.clearedAt, clearedOnBox.clearedAt, 'with the box clear time');

    // Acknowledging is for operators: a viewer is refused.
    const viewer = await central.api('POST', '/api/v1/tokens', { name: 'wall screen', role: 'viewer' });
    const refused = await central.request('POST', `/api/v1/alarms/${raised.alarm.id}/ack`, { comment: 'seen' }, viewer.token);
    t.equal(refused.status, 403, 'a viewer token cannot ack an alarm');
    const acked = await central.api('POST', `/api/v1/alarms/${raised.alarm.id}/ack`, { comment: 'cable reseated by the county technician' });
    t.match(acked, { ackComment: 'cable reseated by the county technician' }, 'an admin can');
  });

  await t.test('a test call commanded through the API runs on the box and its result comes back', async (t) => {
    const run = async (circuit: string) => {
      const { id } = await central.api('POST', `/api/v1/boxes/${BOX}/commands`, { name: 'test-call', params: { circuit } });
      return waitFor(
        `the result of the test call on ${circuit}`,
        async (seen) => {
          const cmd = seen(await central.api('GET', `/api/v1/commands/${id}`));
          return cmd.state === 'sent' ? null : cmd;
        },
        30_000,
      );
    };
    const good = await run('fxo/0');
    t.equal(good.state, 'done', 'the box answered');
    t.match(good.outcome, { ok: true, result: { outcomes: [{ circuit: 'fxo/0', result: 'pass' }] } }, 'FXO line 0 passed its test call');

    await rig.simPost('/fxo/1/line', { plugged: false });
    const bad = await run('fxo/1');
    t.match(bad.outcome, { ok: true, result: { outcomes: [{ circuit: 'fxo/1', result: 'fail', reasonCode: String }] } }, 'an unplugged line fails its test call, with the reason');
  });
});
