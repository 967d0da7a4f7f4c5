import t from 'tap';
import { exited, startSimOnPty, waitFor } from '../../test-support/sim-process.js';
import { systemClock } from '../clock.js';
import { CardLink, type CardMessage } from '../protocol/index.js';

/**
 * Bench test: `countyline-sim` as its own process on a real pty pair made by socat, with
 * a host CardLink on the other end. Needs socat (Debian `socat`); without it this fails.
 */
t.test('countyline-sim on a socat pty pair', async (t) => {
  const started = await startSimOnPty(t, 'sim-pty', ['--proving-ms', '100', '--log-level', 'info']);
  if (!started) return;
  const { sim, cardPath, lines } = started;
  const readyLine = started.readyLine as { event: string; control: string; port: string };
  t.match(readyLine, { event: 'ready', control: /^http:\/\/127\.0\.0\.1:\d+$/, port: cardPath });
  t.same(Object.keys(readyLine), ['event', 'control', 'port'], 'exactly the documented fields');

  // The host end: a CardLink over the other pty.
  const received: CardMessage[] = [];
  const port = await started.openHost();
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => void port.write(bytes) });
  port.on('data', (chunk: Buffer) => host.receive(chunk));
  host.on('message', (m) => received.push(m));
  t.teardown(() => host.close());

  t.same(await host.request({ type: 'hello', hostName: 'bench' }), {
    type: 'inventory',
    model: 'CL-E1F-108',
    serial: 'SIM-0001',
    firmware: 'sim-1.0',
    spans: 1,
    fxoPorts: 5,
    links: 2,
  });
  await waitFor('a heartbeat', 3000, () => received.find((m) => m.type === 'heartbeat'));

  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', 3000, () => received.find((m) => m.type === 'linkState' && m.state === 'in-service'));

  const res = await fetch(`${readyLine.control}/spans/0/defects`, { method: 'POST', body: JSON.stringify({ ais: true }) });
  t.equal(res.status, 200);
  const status = await waitFor('spanStatus with AIS', 3000, () => received.find((m) => m.type === 'spanStatus' && m.defects.ais));
  t.match(status, { type: 'spanStatus', span: 0, defects: { ais: true } });
  await waitFor('link 0 out of service', 3000, () => received.find((m) => m.type === 'linkState' && m.state === 'out-of-service'));
  const state = (await (await fetch(`${readyLine.control}/state`)).json()) as { links: { state: string }[]; serial: { link: { framesReceived: number } } };
  t.equal(state.links[0]?.state, 'out-of-service');
  t.ok(state.serial.link.framesReceived >= 3, 'the card counted the host frames');

  sim.kill('SIGTERM');
  t.equal(await exited(sim), 0, 'SIGTERM: exit 0');
  t.equal(lines.length, 1, 'exactly one line on stdout');
  const logs = started
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { name?: string; msg?: string });
  t.ok(
    logs.some((l) => l.name === 'sim' && l.msg === 'fault injected: span-defects'),
    'the fault is logged as JSON on stderr',
  );
});
