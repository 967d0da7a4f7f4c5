import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { exited, startSimOnPty, waitFor } from '../../test-support/sim-process.js';
import { systemClock } from '../clock.js';
import { CardLink, type CardMessage } from '../protocol/index.js';
import { Mtp2Link } from './mtp2/mtp2-link.js';
import { CARD_SOCKET, Mtp2PeerSocket, PEER_SOCKET } from './mtp2/peer-socket.js';

/**
 * Bench test: `countyline-sim --mtp2-peer` as its own process on a socat pty pair, a host
 * CardLink on the pty, and on the peer socket an MTP2 end in this process, as the outside
 * exchange would run one. Needs socat (Debian `socat`); without it this fails.
 */
t.test('countyline-sim --mtp2-peer: link 0 aligns with an MTP2 end on the peer socket', async (t) => {
  const timers = 't4n=300,t2=3000,t7=1000,t17=200';
  const running: { far?: { link: Mtp2Link; socket: Mtp2PeerSocket } } = {};
  t.teardown(() => {
    running.far?.link.close();
    running.far?.socket.close();
  });
  const started = await startSimOnPty(t, 'sim-mtp2', (dir) => ['--mtp2-peer', dir, '--mtp2-timers', timers, '--log-level', 'info']);
  if (!started) return;
  const { sim, dir } = started;
  const readyLine = started.readyLine as { control: string; mtp2Peer: { card: string; peer: string } };
  t.same(readyLine.mtp2Peer, { card: join(dir, CARD_SOCKET), peer: join(dir, PEER_SOCKET) }, 'the ready line names the sockets');
  t.ok(existsSync(join(dir, CARD_SOCKET)), 'card.sock is bound when the ready line comes');

  // The far end: an MTP2 end on peer.sock, checking the CK the card writes.
  const socket = new Mtp2PeerSocket(dir, { local: PEER_SOCKET, remote: CARD_SOCKET });
  const far = new Mtp2Link({ clock: systemClock, send: (su) => socket.send(su), timers: { t4n: 300, t7: 1000 }, fillMs: 20 });
  socket.onReceive((su) => far.receive(su));
  running.far = { link: far, socket };
  const farGot: number[][] = [];
  far.on('msu', (data) => farGot.push([...data]));
  far.start(false);

  const received: CardMessage[] = [];
  const port = await started.openHost();
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => void port.write(bytes) });
  port.on('data', (chunk: Buffer) => host.receive(chunk));
  host.on('message', (m) => received.push(m));
  t.teardown(() => host.close());
  await host.request({ type: 'hello', hostName: 'bench' });
  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', 20_000, () => received.find((m) => m.type === 'linkState' && m.link === 0 && m.state === 'in-service'));
  host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 1, 2, 3) });
  far.sendMsu(Uint8Array.of(0x85, 4, 5, 6));
  await waitFor('the MSUs across', 10_000, () => (farGot.length > 0 && received.some((m) => m.type === 'msu') ? true : undefined));
  t.same(farGot, [[0x85, 1, 2, 3]]);
  t.match(received.find((m) => m.type === 'msu'), { link: 0, data: Uint8Array.of(0x85, 4, 5, 6) });
  t.equal(far.snapshot().counters.badFrames, 0, 'every CK the card wrote was right');

  const state = (await (await fetch(`${readyLine.control}/state`)).json()) as { links: { mtp2: { state: string; counters: { msusIn: number; msusOut: number } } | null }[]; exchange: unknown };
  t.match(state.links[0]?.mtp2, { state: 'in-service', counters: { msusIn: 1, msusOut: 1 } });
  t.equal(state.links[1]?.mtp2, null);
  t.equal(state.exchange, null, 'no built-in exchange');

  sim.kill('SIGTERM');
  t.equal(await exited(sim), 0, 'SIGTERM: exit 0');
  t.notOk(existsSync(join(dir, CARD_SOCKET)), 'card.sock removed on the way out');
});
