import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { systemClock } from '../../clock.js';
import { CardLink, type CardMessage } from '../../protocol/index.js';
import { CardSimulator } from '../card-simulator.js';
import { Mtp2Link } from './mtp2-link.js';
import { CARD_SOCKET, Mtp2PeerSocket, PEER_SOCKET } from './peer-socket.js';

// Real unix datagram sockets in a temp folder, real time with shortened timers: the
// simulator in this process with link 0 handed to the peer socket, and on the other end of
// it a second MTP2 (this module's, checking CK) as the outside process would run one.

const TIMERS = { t4n: 100, t4e: 50, t2: 800, t7: 300 };

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function farEnd(dir: string) {
  const socket = new Mtp2PeerSocket(dir, { local: PEER_SOCKET, remote: CARD_SOCKET });
  const link = new Mtp2Link({ clock: systemClock, send: (su) => socket.send(su), timers: TIMERS, fillMs: 20, checkFcs: true });
  socket.onReceive((su) => link.receive(su));
  const got: number[][] = [];
  link.on('msu', (data) => got.push([...data]));
  return {
    socket,
    link,
    got,
    close() {
      link.close();
      socket.close();
    },
  };
}

t.test('link 0 over the peer socket: alignment, MSUs both ways, garbage, the peer vanishing and coming back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mtp2-peer-'));
  const received: CardMessage[] = [];
  const wire: { host?: CardLink } = {};
  const sim = new CardSimulator({
    write: (bytes) => queueMicrotask(() => wire.host?.receive(bytes)),
    mtp2Peer: { dir, timers: TIMERS, fillMs: 20, restartMs: 100 },
  });
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => queueMicrotask(() => sim.receive(bytes)) });
  wire.host = host;
  host.on('message', (m) => received.push(m));
  let far = farEnd(dir);
  t.teardown(() => {
    far.close();
    sim.stop();
    host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  t.ok(existsSync(join(dir, CARD_SOCKET)), 'the simulator bound card.sock');

  const linkStates = () => received.flatMap((m) => (m.type === 'linkState' && m.link === 0 ? [m.state] : []));
  const msus = () => received.flatMap((m) => (m.type === 'msu' && m.link === 0 ? [[...m.data]] : []));
  const mtp2 = () => sim.state().links[0]!.mtp2!;

  sim.start();
  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  far.link.start(false);
  await waitFor('link 0 in service', () => linkStates().at(-1) === 'in-service');
  t.same(linkStates(), ['alignment', 'proving', 'in-service'], 'the host saw MTP2 align and prove');
  t.equal(far.link.state, 'in-service');

  host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 1, 2, 3) });
  t.ok(far.link.sendMsu(Uint8Array.of(0x85, 9, 8, 7)));
  await waitFor('MSUs across', () => far.got.length === 1 && msus().length === 1);
  t.same(far.got, [[0x85, 1, 2, 3]], 'host to far end');
  t.same(msus(), [[0x85, 9, 8, 7]], 'far end to host');
  t.equal(far.link.snapshot().counters.badFrames, 0, 'the CK the card writes is right');

  for (const junk of [Uint8Array.of(1), Uint8Array.of(1, 2, 3, 0x85, 0, 0), new Uint8Array(400)]) far.socket.send(junk);
  await waitFor('garbage counted', () => mtp2().counters.badFrames === 3);
  t.match(mtp2(), { state: 'in-service', counters: { badFrameReasons: { short: 1, 'length-indicator': 1, long: 1 } } }, 'garbage is counted, the link stays up');

  // The peer vanishes: its socket is gone; the next MSU is never acknowledged.
  far.close();
  host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 4, 5, 6) });
  await waitFor('link 0 out of service', () => linkStates().at(-1) === 'out-of-service');
  t.match(mtp2().lastFailure, { cause: 'T7' });
  await waitFor('sends refused while nobody is bound', () => (mtp2().transport.sendErrors.ENOENT ?? 0) > 0);
  await waitFor('alignment tried again', () => mtp2().counters.alignmentAttempts >= 2);

  // It comes back, as a new process would, and the card realigns with it.
  far = farEnd(dir);
  far.link.start(false);
  await waitFor('link 0 in service again', () => linkStates().at(-1) === 'in-service' && far.link.inService);
  host.notify({ type: 'msu', link: 0, data: Uint8Array.of(0x85, 7, 7, 7) });
  await waitFor('an MSU after the return', () => far.got.length === 1);
  t.same(far.got, [[0x85, 7, 7, 7]]);
  t.ok(mtp2().counters.linkFailures >= 1);

  sim.stop();
  t.notOk(existsSync(join(dir, CARD_SOCKET)), 'stop closed card.sock');
});

t.test('a folder that does not exist is refused with the reason', async (t) => {
  t.throws(() => new CardSimulator({ write: () => {}, mtp2Peer: { dir: '/nonexistent/mtp2' } }), { message: /cannot bind \/nonexistent\/mtp2\/card.sock: ENOENT \(does the folder exist\?\)/ });
});
