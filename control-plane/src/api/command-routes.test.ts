import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';
import { freshStore } from '../../test-support/stores.js';
import type { Store } from '../store/store.js';

// Commands and bulletins reach a connected box through the BoxLink; the answer is read back
// by id.

async function commandRig(t: Parameters<typeof apiRig>[0]) {
  const rig = await apiRig(t);
  for (const id of ['north-1', 'north-2', 'north-3']) await rig.store.createBox({ id, site: 'north', name: id, createdAt: 0 });
  rig.boxLink.connected.add('north-1');
  rig.boxLink.connected.add('north-3');
  return rig;
}

t.test('a command to a connected box: stored, sent with v/id/ts, 202 with its id, answer readable', async (t) => {
  const { app, store, boxLink, as, clock } = await commandRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/commands', headers: as('operator'), payload: { name: 'test-call', params: { circuit: 'e1/0/1' } } });
  t.equal(res.statusCode, 202);
  const { id } = res.json();
  t.same(boxLink.commands, [{ boxId: 'north-1', name: 'test-call', command: { circuit: 'e1/0/1', v: 1, id, ts: clock.now() } }]);
  const sent = await app.inject({ method: 'GET', url: `/api/v1/commands/${id}`, headers: as('viewer') });
  t.match(sent.json(), { id, boxId: 'north-1', name: 'test-call', params: { circuit: 'e1/0/1' }, requestedBy: 'operator', state: 'sent', outcome: null, deadlineAt: clock.now() + 300_000, timedOutAt: null });
  await store.completeCommand(id, { ok: true, result: { passed: 1 }, error: null }, clock.now() + 4000);
  const done = await app.inject({ method: 'GET', url: `/api/v1/commands/${id}`, headers: as('viewer') });
  t.match(done.json(), { state: 'done', completedAt: clock.now() + 4000, outcome: { ok: true, result: { passed: 1 }, error: null } });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/commands/nope', headers: as('viewer') })).statusCode, 404);
});

t.test('a command unanswered by its deadline reads timed-out; a late answer replaces it', async (t) => {
  // The real store underneath, for the sweep's part (the API itself never times out).
  let store: Store | undefined;
  const { app, boxLink, as, clock } = await apiRig(t, { commandTimeoutMs: 60_000 }, async () => (store = (await freshStore(t, 'sqlite')).store));
  await store!.createBox({ id: 'north-1', site: 'north', name: 'north-1', createdAt: 0 });
  boxLink.connected.add('north-1');
  const get = async (id: string) => (await app.inject({ method: 'GET', url: `/api/v1/commands/${id}`, headers: as('viewer') })).json();
  const sentAt = clock.now();
  const { id } = (await app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/commands', headers: as('operator'), payload: { name: 'block', params: { cic: 7 } } })).json();
  t.match(await get(id), { state: 'sent', deadlineAt: sentAt + 60_000, timedOutAt: null }, 'the deadline is the timeout after sending');

  t.same(await store!.timeOutCommands(sentAt + 59_999), []);
  await store!.timeOutCommands(sentAt + 60_000);
  t.match(await get(id), { state: 'timed-out', deadlineAt: sentAt + 60_000, timedOutAt: sentAt + 60_000, completedAt: null, outcome: null });

  await store!.completeCommand(id, { ok: true, result: { cic: 7 }, error: null }, sentAt + 90_000);
  t.match(await get(id), { state: 'done', completedAt: sentAt + 90_000, outcome: { ok: true }, timedOutAt: sentAt + 60_000 }, 'the box ran it after all');
});

t.test('a command to an offline box is 409 box-offline, and nothing is stored or sent', async (t) => {
  const { app, boxLink, as } = await commandRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/boxes/north-2/commands', headers: as('operator'), payload: { name: 'block', params: { cic: 5 } } });
  t.equal(res.statusCode, 409);
  t.equal(res.json().error, 'box-offline');
  t.match(res.json().message, /box north-2 is not connected; nothing was sent/);
  t.same(boxLink.commands, []);
});

t.test("parameters are checked against the command's schema; a viewer cannot command", async (t) => {
  const { app, boxLink, as } = await commandRig(t);
  const send = (payload: object, role: 'viewer' | 'operator' = 'operator') => app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/commands', headers: as(role), payload });
  const cases: [object, string][] = [
    [{ name: 'block', params: { cic: 'five' } }, 'params.cic: Expected integer'],
    [{ name: 'block', params: {} }, 'params.cic: Expected required property'],
    [{ name: 'block', params: { cic: 9000 } }, 'params.cic: Expected integer to be less or equal to 4095'],
    [{ name: 'rebirth', params: { now: true } }, 'params.now: Unexpected property'],
    [{ name: 'block', params: { cic: 1, id: 'mine' } }, 'params.id: Unexpected property'],
  ];
  for (const [payload, message] of cases) {
    const res = await send(payload);
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.same(res.json(), { error: 'bad-command', message: `the command's parameters are not valid: ${message}` });
  }
  const unknown = await send({ name: 'reboot', params: {} });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.json().message, /body\.name/);
  t.equal((await send({ name: 'rebirth' }, 'viewer')).statusCode, 403);
  t.equal((await send({ name: 'rebirth' })).statusCode, 202, 'params default to none');
  t.same(
    boxLink.commands.map((c) => c.name),
    ['rebirth'],
  );
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/boxes/nobody/commands', headers: as('operator'), payload: { name: 'rebirth' } })).statusCode, 404);
});

t.test('a send the broker refuses: 502 send-failed, the command stored as failed', async (t) => {
  const { app, store, boxLink, as } = await commandRig(t);
  boxLink.failWith = new Error('client north-1 went away');
  const res = await app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/commands', headers: as('operator'), payload: { name: 'unblock', params: { cic: 5 } } });
  t.equal(res.statusCode, 502);
  t.same(res.json(), { error: 'send-failed', message: 'central could not publish to box north-1: client north-1 went away' });
  t.equal(boxLink.attempts.length, 1);
  t.match(await store.getCommand(boxLink.attempts[0]!.command.id), { name: 'unblock', state: 'failed', outcome: { ok: false, error: { code: 'send-failed' } } });
});

t.test('a bulletin: one bulletin-set per connected box; offline boxes say so; an unknown box refuses all', async (t) => {
  const { app, boxLink, as } = await commandRig(t);
  const res = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: as('operator'), payload: { text: '今晚 22:00 线路维护', until: 1_900_000_000_000, boxes: ['north-1', 'north-2', 'north-3'] } });
  t.equal(res.statusCode, 202);
  const commands = res.json().commands;
  t.match(commands, [
    { boxId: 'north-1', id: String, error: null },
    { boxId: 'north-2', id: null, error: 'box-offline' },
    { boxId: 'north-3', id: String, error: null },
  ]);
  t.same(
    boxLink.commands.map((c) => [c.boxId, c.name, (c.command as { text: string }).text, (c.command as { until: number }).until, c.command.id]),
    [
      ['north-1', 'bulletin-set', '今晚 22:00 线路维护', 1_900_000_000_000, commands[0].id],
      ['north-3', 'bulletin-set', '今晚 22:00 线路维护', 1_900_000_000_000, commands[2].id],
    ],
  );
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: as('operator'), payload: { text: 'x', until: null, boxes: ['north-1', 'nobody'] } });
  t.equal(unknown.statusCode, 404);
  t.equal(boxLink.commands.length, 2, 'nothing more sent');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: as('operator'), payload: { text: 'x', until: null, boxes: [] } })).statusCode, 400);
  const forever = await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: as('operator'), payload: { text: 'until cleared', until: null, boxes: ['north-1'] } });
  t.equal(forever.statusCode, 202);
  t.equal((boxLink.commands.at(-1)!.command as { until: number | null }).until, null, 'until null reaches the box as null, not coerced to 0 (1970: the box refuses it as past)');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/bulletins', headers: as('viewer'), payload: { text: 'x', until: null, boxes: ['north-1'] } })).statusCode, 403);
});
