import t, { type Test } from 'tap';
import { inProcessRig, type InProcessRigOptions } from '../../test-support/in-process-rig.js';
import { CardNotReadyError, type CardDriverEvents, type CardError } from './card-driver.js';

// The driver against the real card simulator, in memory, on a FakeClock.

const PATH = '/dev/ttyS1';
const START = Date.UTC(2025, 2, 10, 2, 0, 0);

type DriverRigOptions = { sim?: InProcessRigOptions['sim']; card?: Exclude<InProcessRigOptions['card'], false> };

interface Seen {
  at: number;
  event: string;
  args: unknown[];
}

function rig(t: Test, o: DriverRigOptions = {}) {
  const r = inProcessRig(t, { start: START, ...o, card: { path: PATH, heartbeatTimeoutMs: 3500, reopenMs: 2000, ...o.card } });
  const seen: Seen[] = [];
  const names: (keyof CardDriverEvents & string)[] = [
    'state',
    'card-up',
    'card-lost',
    'card-back',
    'card-restarted',
    'card-error',
    'span-status',
    'link-state',
    'fxo-status',
    'fxo-ring',
    'fxo-caller-id',
  ];
  for (const event of names) r.card.on(event, (...args: unknown[]) => seen.push({ at: r.clock.now(), event, args }));
  const of = (event: string) => seen.filter((s) => s.event === event);
  const since = (at: number, event: string) => of(event).filter((s) => s.at >= at);
  return Object.assign(r, { driver: r.card, seen, of, since });
}

/** Powers the card on, starts the driver and waits for the card to be up. */
async function upAndRunning(t: Test, o: DriverRigOptions = {}) {
  const r = rig(t, o);
  await r.powerOn();
  r.driver.start();
  if (!(await r.until(() => r.driver.current === 'up'))) throw new Error('the card never came up');
  return r;
}

t.test('start: hello, each span and link set up, snapshot, then up once with the state filled in', async (t) => {
  const r = rig(t, {
    sim: { card: { spans: 2 } },
    card: {
      spans: [
        { crc4: true, clock: 'line' },
        { crc4: false, clock: 'internal' },
      ],
      links: [
        { span: 0, timeslot: 16, mode: 'mtp2' },
        { span: 1, timeslot: 16, mode: 'hdlc' },
      ],
    },
  });
  await r.powerOn();
  r.driver.start();
  await r.until(() => r.driver.current === 'up');
  const upAt = r.clock.now();
  t.same(
    r.sent.filter((m) => m.type !== 'ack'),
    [
      { type: 'hello', hostName: 'box-test' },
      { type: 'spanConfig', span: 0, crc4: true, clock: 'line' },
      { type: 'spanConfig', span: 1, crc4: false, clock: 'internal' },
      { type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' },
      { type: 'linkControl', link: 0, action: 'start' },
      { type: 'linkConfig', link: 1, span: 1, timeslot: 16, mode: 'hdlc' },
      { type: 'linkControl', link: 1, action: 'start' },
      { type: 'snapshot' },
    ],
    'the handshake, in order',
  );
  t.same(
    r.of('state').map((s) => s.args[0]),
    ['opening', 'handshake', 'up'],
  );
  const inventory = { model: 'CL-E1F-108', serial: 'SIM-0001', firmware: 'sim-1.0', spans: 2, fxoPorts: 5, links: 2 };
  t.same(
    r.of('card-up').map((s) => s.args[0]),
    [inventory],
  );

  await r.run(5000);
  t.equal(r.of('card-up').length, 1, 'card-up only once');
  t.equal(r.of('card-back').length, 0);
  t.equal(r.of('card-error').length, 0);

  const view = r.driver.state.view();
  t.match(view.spans, [
    { span: 0, causes: [], crc4: true, clock: 'line', sendingRai: false },
    { span: 1, causes: [], crc4: false, clock: 'internal', sendingRai: false },
  ]);
  t.same(
    view.fxo.map((p) => [p.port, p.voltage, p.line, p.hook]),
    [0, 1, 2, 3, 4].map((p) => [p, -48, 'present', 'on']),
  );
  t.same(view.links, [
    { link: 0, span: 0, timeslot: 16, mode: 'mtp2', state: 'in-service' },
    { link: 1, span: 1, timeslot: 16, mode: 'hdlc', state: 'in-service' },
  ]);
  // The snapshot repeats the state the link is in; count each state from when it was entered.
  const link0 = r
    .of('link-state')
    .map((s) => ({ ...(s.args[0] as { link: number; state: string }), at: s.at }))
    .filter((m, i, all) => m.link === 0 && all.findLast((p, j) => j < i && p.link === 0)?.state !== m.state);
  t.same(
    link0.map((m) => [m.state, m.at - upAt]),
    [
      ['alignment', 0],
      ['proving', 100],
      ['in-service', 600],
    ],
    'link 0 aligns for 100 ms and proves for 500 ms before it is in service',
  );
  t.match(r.sim.state().spans[1], { crc4: false, clock: 'internal' }, 'the card took the span setup');
  const status = r.driver.status();
  t.match(status, { link: 'up', state: 'up', path: PATH, inventory, error: null, restarts: 0, lost: 0, upSince: upAt });
  t.equal(status.lastHeartbeatAt, START + 6000, 'heartbeats arrive every second');
});

t.test('card events become typed events: a ring with caller ID, LOS on a span', async (t) => {
  const r = await upAndRunning(t);
  const t0 = r.clock.now();
  r.sim.ringLine(2, { callerId: '13800138000', name: 'ZHANG SAN' });
  await r.run(2000);
  t.same(
    r.since(t0, 'fxo-ring').map((s) => [s.args[0], s.at - t0]),
    [
      [{ type: 'fxoRing', port: 2, on: true }, 0],
      [{ type: 'fxoRing', port: 2, on: false }, 1000],
    ],
    'one second of ring',
  );
  const callerId = r.since(t0, 'fxo-caller-id');
  t.equal(callerId.length, 1);
  t.match(callerId[0], { at: t0 + 1500, args: [{ port: 2, number: '13800138000', name: 'ZHANG SAN', method: 'fsk' }] }, 'caller ID half a second after the first ring');
  t.match(r.driver.state.fxo.get(2), { ringing: false, hook: 'on', lastCallerId: { number: '13800138000', name: 'ZHANG SAN' } });
  t.ok(
    r.since(t0, 'fxo-status').some((s) => (s.args[0] as { port: number; ringing: boolean }).port === 2 && (s.args[0] as { ringing: boolean }).ringing),
    'the port reports it is ringing',
  );
  r.sim.hangUpLine(2);

  const t1 = r.clock.now();
  r.sim.setSpanDefects(0, { los: true });
  await r.run(20);
  t.same(
    r.since(t1, 'span-status').map((s) => (s.args[0] as { defects: { los: boolean } }).defects.los),
    [true],
  );
  t.same(r.driver.state.spans.get(0)?.causes, ['LOS']);
});

t.test('a card that goes silent is lost after the heartbeat timeout, and comes back when it speaks', async (t) => {
  const r = await upAndRunning(t, { card: { heartbeatTimeoutMs: 3000 } });
  await r.run(2000);
  r.sim.setSilent(true);
  const lastBeat = r.driver.status().lastHeartbeatAt!;
  await r.run(4000);
  const lost = r.of('card-lost');
  t.equal(lost.length, 1, 'card-lost once');
  t.equal(lost[0]?.at, lastBeat + 3000, 'exactly heartbeatTimeoutMs after the last heartbeat');
  t.match(lost[0]?.args[0] as CardError, { code: 'card-lost', path: PATH, message: /no heartbeat/ });
  t.match(r.driver.status(), { link: 'down', state: 'lost', lost: 1, error: { code: 'card-lost' } });
  t.equal(r.driver.state.links.get(0)?.state, 'out-of-service', 'links count as down while the card is lost');

  const quiet = r.clock.now();
  r.sim.setSilent(false);
  await r.run(2000);
  t.equal(r.since(quiet, 'card-back').length, 1, 'card-back once');
  t.equal(r.of('card-up').length, 1, 'no second card-up');
  t.match(r.driver.status(), { link: 'up', state: 'up', error: null, lost: 1 });
  t.equal(r.driver.state.links.get(0)?.state, 'in-service', 'the link is in service again');
});

t.test('a card reset: card-restarted, and the driver sets the card up again', async (t) => {
  const r = await upAndRunning(t, { card: { spans: [{ crc4: false, clock: 'internal' }] } });
  await r.run(1000);
  t.match(r.sim.state().links[0], { state: 'in-service' });
  const resetAt = r.clock.now();
  r.sim.injectReset();
  await r.run(200);
  t.match(r.sim.state().links[0], { config: null, state: 'out-of-service' }, 'the reset made the card forget its setup');

  await r.run(3000);
  t.same(
    r.of('card-restarted').map((s) => [s.args[0], s.at - resetAt]),
    [['reset', 1500]],
    'reported when the card starts again, after its 1.5 s reset',
  );
  t.equal(r.of('card-lost').length, 0, 'a 1.5 s reset is not a lost card');
  t.equal(r.of('card-back').length, 1);
  t.match(r.sim.state().links[0], { config: { span: 0, timeslot: 16, mode: 'mtp2' }, started: true, state: 'in-service' }, 'link set up and in service again');
  t.match(r.sim.state().spans[0], { crc4: false, clock: 'internal' }, 'span set up again');
  t.match(r.driver.status(), { link: 'up', restarts: 1 });
  t.equal(r.driver.state.links.get(0)?.state, 'in-service');
});

t.test('a card speaking another protocol version: version-mismatch, no inventory, never up', async (t) => {
  const r = rig(t);
  r.sim.start();
  r.sim.setProtocolVersion(2);
  r.driver.start();
  await r.run(10_000);
  const errors = r.of('card-error').map((s) => s.args[0] as CardError);
  t.same(
    errors.map((e) => [e.code, e.peerVersion]),
    [['version-mismatch', 2]],
    'one clear error, not drowned by "card silent"',
  );
  t.match(r.driver.status(), { link: 'down', inventory: null, error: { code: 'version-mismatch', peerVersion: 2, message: /v2.*v1/ } });
  t.equal(r.driver.state.inventory, null);
  t.equal(r.of('card-up').length, 0);

  r.sim.setProtocolVersion(1);
  t.ok(await r.until(() => r.driver.current === 'up'), 'up once the card speaks v1');
  t.equal(r.driver.status().error, null);
});

t.test('a port that will not open: open-failed, retried every reopenMs, up once it opens', async (t) => {
  const r = rig(t, { card: { reopenMs: 1000 } });
  r.sim.start();
  r.serial.openFailure = 'No such file or directory';
  r.driver.start();
  await r.run(3500);
  t.same(
    r.opens.map((o) => [o.at - START, o.ok]),
    [
      [0, false],
      [1000, false],
      [2000, false],
      [3000, false],
    ],
  );
  const errors = r.of('card-error').map((s) => s.args[0] as CardError);
  t.equal(errors.length, 1, 'reported once, not on every retry');
  t.match(errors[0], { code: 'open-failed', path: PATH, detail: 'No such file or directory', message: /cannot open \/dev\/ttyS1: No such file or directory/ });
  t.equal(r.driver.current, 'opening');

  r.serial.openFailure = null;
  await r.run(1000);
  t.same(r.opens.at(-1), { at: START + 4000, ok: true });
  t.equal(r.driver.current, 'up');
  t.equal(r.of('card-up').length, 1);
  t.equal(r.driver.status().error, null);
});

t.test('the cable pulled: port-closed, card lost, reopened after reopenMs', async (t) => {
  const r = await upAndRunning(t);
  await r.run(1000);
  const pulledAt = r.clock.now();
  r.serial.pull();
  await r.run(10);
  t.match(r.of('card-lost').map((s) => s.args[0]), [{ code: 'port-closed', message: /serial port \/dev\/ttyS1 closed \(the device was disconnected\)/ }]);
  t.match(r.driver.status(), { link: 'down', lost: 1, error: { code: 'port-closed' } });

  await r.run(2500);
  t.same(
    r.opens.map((o) => [o.at - pulledAt, o.ok]).slice(1),
    [[2000, true]],
    'opened again after reopenMs',
  );
  t.equal(r.of('card-back').length, 1);
  t.match(r.driver.status(), { link: 'up', state: 'up', error: null });
  t.equal(r.driver.state.links.get(0)?.state, 'in-service');
});

t.test('commands while the card is not up are refused with CardNotReadyError', async (t) => {
  const r = rig(t, { card: { heartbeatTimeoutMs: 3000 } });
  r.sim.start();
  const offHook = { type: 'fxoHook', port: 0, offHook: true } as const;
  await t.rejects(r.driver.command(offHook), CardNotReadyError, 'before start');
  t.throws(() => r.driver.send({ type: 'msu', link: 0, data: Uint8Array.of(1, 2, 3) }), CardNotReadyError);

  r.serial.openFailure = 'Permission denied';
  r.driver.start();
  await r.run(100);
  await t.rejects(r.driver.command(offHook), CardNotReadyError, 'while the port will not open');

  r.serial.openFailure = null;
  await r.until(() => r.driver.current === 'up');
  r.sim.setSilent(true);
  await r.until(() => r.driver.current === 'lost');
  await t.rejects(r.driver.command(offHook), CardNotReadyError, 'while the card is lost');
  r.sim.setSilent(false);
  await r.run(2000);
  t.equal(r.sim.state().fxo[0]?.offHook, false, 'none of the refused commands reached the card');
  t.same(await r.driver.command({ type: 'fxoHook', port: 0, offHook: true }), { type: 'ack' }, 'accepted once up');
});

t.test('a stale spanStatus (repeated after a newer one) does not undo the newer state', async (t) => {
  const r = await upAndRunning(t);
  await r.run(500);
  const t0 = r.clock.now();
  // The LOS report is lost on the line, LOS clears and that report arrives; then the card
  // repeats the lost LOS report, which now carries an older seq than the clear.
  r.sim.setSilent(true);
  r.sim.setSpanDefects(0, { los: true });
  r.sim.setSilent(false);
  r.sim.setSpanDefects(0, { los: false });
  await r.run(1500);
  t.ok(r.sim.state().serial.link.retransmits >= 1, 'the card did repeat the lost report');
  t.same(
    r.since(t0, 'span-status').map((s) => (s.args[0] as { defects: { los: boolean } }).defects.los),
    [false],
    'only the newer report is passed on',
  );
  t.same(r.driver.state.spans.get(0)?.causes, [], 'the span shows no LOS');
  t.equal(r.driver.state.spans.get(0)?.defects.los, false);
});

t.test('stop: the port is closed and not opened again', async (t) => {
  const r = await upAndRunning(t);
  await r.driver.stop();
  t.equal(r.driver.current, 'closed');
  t.equal(r.serial.transport, null, 'port closed');
  const opened = r.opens.length;
  await r.run(10_000);
  t.equal(r.opens.length, opened, 'no reopen after stop');
  t.equal(r.of('card-lost').length, 0, 'stopping is not losing the card');
  await t.rejects(r.driver.command({ type: 'snapshot' }), CardNotReadyError);
});

t.test('a loopback the card did not take off is logged, counted and taken off when the card is back', async (t) => {
  // A circuit left looped back hears itself: the "off" must not be lost with a failed command.
  const r = await upAndRunning(t, { card: { heartbeatTimeoutMs: 3000 } });
  const failed: unknown[] = [];
  r.driver.on('command-failed', (command, purpose) => failed.push({ command, purpose }));
  await r.settle(r.driver.command({ type: 'tsLoopback', span: 0, timeslot: 5, on: true }));
  t.same(r.sim.state().spans[0]!.timeslots.loopbacks, [5], 'looped back');

  r.sim.setSilent(true);
  const taken = await r.settle(r.driver.commandOrReport({ type: 'tsLoopback', span: 0, timeslot: 5, on: false }, 'end of a test call'));
  t.equal(taken, false, 'the card did not take it');
  t.same(failed, [{ command: { type: 'tsLoopback', span: 0, timeslot: 5, on: false }, purpose: 'end of a test call' }], 'reported with what it was for');
  t.same(r.sim.state().spans[0]!.timeslots.loopbacks, [5], 'still looped back on the card');

  r.sim.setSilent(false);
  t.ok(await r.until(() => r.driver.current === 'up' && r.sim.state().spans[0]!.timeslots.loopbacks.length === 0, 10_000), 'the loopback is off once the card is back');
  t.equal(failed.length, 1, 'taken the second time: no further failure');
});

t.test('a newer command for the same timeslot replaces a rest command still waiting', async (t) => {
  const r = await upAndRunning(t, { card: { heartbeatTimeoutMs: 3000 } });
  r.sim.setSilent(true);
  await r.settle(r.driver.commandOrReport({ type: 'tsLoopback', span: 0, timeslot: 7, on: false }, 'end of a test call'));
  r.sim.setSilent(false);
  t.ok(await r.until(() => r.driver.current === 'up', 10_000));
  // Once up, the waiting "off" went out; a loop put on now stays on.
  await r.settle(r.driver.command({ type: 'tsLoopback', span: 0, timeslot: 7, on: true }));
  await r.run(5000);
  t.same(r.sim.state().spans[0]!.timeslots.loopbacks, [7], 'the newer loop stays');
});
