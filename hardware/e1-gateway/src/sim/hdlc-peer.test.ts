import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { systemClock } from '../clock.js';
import { CardLink, type CardMessage } from '../protocol/index.js';
import { CardSimulator } from './card-simulator.js';
import { CARD_SOCKET, Mtp2PeerSocket, PEER_SOCKET } from './mtp2/peer-socket.js';

// Real unix datagram sockets in a temp folder, real time: the simulator in this process with
// link 0's hdlc line side handed to the peer socket, a host CardLink on it, and on peer.sock a
// plain socket standing in for the outside process (libpri on a DAHDI-like fd).

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function farEnd(dir: string) {
  const socket = new Mtp2PeerSocket(dir, { local: PEER_SOCKET, remote: CARD_SOCKET });
  const got: number[][] = [];
  socket.onReceive((d) => got.push([...d]));
  return { socket, got };
}

async function bench(t: Test, opts: { bindFarEnd?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hdlc-peer-'));
  const received: CardMessage[] = [];
  const wire: { host?: CardLink } = {};
  const sim = new CardSimulator({ write: (bytes) => queueMicrotask(() => wire.host?.receive(bytes)), hdlcPeer: { dir }, provingMs: 20 });
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => queueMicrotask(() => sim.receive(bytes)) });
  wire.host = host;
  host.on('message', (m) => received.push(m));
  const far = opts.bindFarEnd === false ? undefined : farEnd(dir);
  t.teardown(() => {
    far?.socket.close();
    sim.stop();
    host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  sim.start();
  const frames = () => received.flatMap((m) => (m.type === 'hdlcFrame' && m.link === 0 ? [[...m.data]] : []));
  const relay = () => sim.state().links[0]!.hdlcPeer!;
  const inService = async () => {
    await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'hdlc' });
    await host.request({ type: 'linkControl', link: 0, action: 'start' });
    await waitFor('link 0 in service', () => received.some((m) => m.type === 'linkState' && m.link === 0 && m.state === 'in-service'));
  };
  return { dir, sim, host, far, frames, relay, inService };
}

t.test('frames cross both ways: the card appends the FCS, and drops the 2 octets after each frame from the peer', async (t) => {
  const { dir, host, far, frames, relay, inService } = await bench(t);
  t.ok(existsSync(join(dir, CARD_SOCKET)), 'the simulator bound card.sock');
  await inService();

  // "123456789" has the CRC-16/X-25 check value 0x906E, sent low-order octet first.
  host.notify({ type: 'hdlcFrame', link: 0, data: Buffer.from('123456789') });
  await waitFor('the frame at the far end', () => far!.got.length === 1);
  t.same(far!.got[0], [...Buffer.from('123456789'), 0x6e, 0x90], 'the frame and its FCS in one datagram');

  // libpri writes 2 octets past the frame for the driver's FCS, whatever its buffer held.
  far!.socket.send(Uint8Array.of(0x02, 0x01, 0x7f, 0xaa, 0xbb));
  await waitFor('the frame at the host', () => frames().length === 1);
  t.same(frames(), [[0x02, 0x01, 0x7f]], 'the host gets the frame without the last 2 octets');
  t.match(relay(), { framesOut: 1, framesIn: 1, tooShort: 0, dropped: 0, transport: { datagramsIn: 1, datagramsOut: 1 } });
});

t.test('a datagram too short to be a frame is counted and the link carries on', async (t) => {
  const { far, frames, relay, inService, sim } = await bench(t);
  await inService();
  far!.socket.send(Uint8Array.of(0x02, 0x01, 0x7f, 0x00)); // 4 octets: a frame needs 3 and the FCS 2
  far!.socket.send(Uint8Array.of(0x02, 0x01, 0x01, 0x00, 0x00, 0x00));
  await waitFor('the good frame at the host', () => frames().length === 1);
  t.same(frames(), [[0x02, 0x01, 0x01, 0x00]], 'only the frame that was one');
  t.match(relay(), { tooShort: 1, framesIn: 1 });
  t.equal(sim.state().links[0]!.state, 'in-service');
});

t.test('nothing crosses while the link is out of service, or not in hdlc mode', async (t) => {
  const { host, far, frames, relay, sim } = await bench(t);
  far!.socket.send(Uint8Array.of(0x02, 0x01, 0x7f, 0, 0));
  await waitFor('the datagram dropped', () => relay().dropped === 1);
  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'hdlc' });
  host.notify({ type: 'hdlcFrame', link: 0, data: Uint8Array.of(0x00, 0x01, 0x7f) });
  await waitFor('the host frame counted dropped', () => sim.state().links[0]!.counters.dropped === 1);
  t.same(far!.got, [], 'the far end got nothing from a link not started');
  t.same(frames(), [], 'the host got nothing');

  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'mtp2' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', () => sim.state().links[0]!.state === 'in-service');
  far!.socket.send(Uint8Array.of(0x02, 0x01, 0x7f, 0, 0));
  await waitFor('the datagram dropped on an mtp2 link', () => relay().dropped === 2);
  t.same(frames(), [], 'no hdlcFrame, and no MSU made of it');
});

t.test('sending with nobody on peer.sock counts the errors by errno, as the MTP2 peer does', async (t) => {
  const { host, relay, inService } = await bench(t, { bindFarEnd: false });
  await inService();
  host.notify({ type: 'hdlcFrame', link: 0, data: Uint8Array.of(0x00, 0x01, 0x7f) });
  await waitFor('the send refused', () => (relay().transport.sendErrors.ENOENT ?? 0) === 1);
  t.match(relay(), { framesOut: 1, transport: { datagramsOut: 0 } });
});

t.test('mtp2Peer and hdlcPeer both take link 0: refused', async (t) => {
  t.throws(() => new CardSimulator({ write: () => {}, mtp2Peer: { dir: '/nonexistent' }, hdlcPeer: { dir: '/nonexistent' } }), { message: /mtp2Peer and hdlcPeer both take link 0/ });
  t.throws(() => new CardSimulator({ write: () => {}, hdlcPeer: { dir: '/nonexistent/hdlc' } }), { message: /cannot bind \/nonexistent\/hdlc\/card.sock: ENOENT/ });
});
