// The libpri reference exchange against the card simulator, with this test as the box: the
// simulator (countyline-sim --hdlc-peer) on a socat pty pair, the test speaking the card
// protocol as the host on the other end, and ref-pri on the HDLC peer socket. The test plays
// the user side of Q.921 by hand (hand-built UA) and reads libpri's frames byte by byte, so
// that nothing of the project's own ISDN code stands between libpri and the assertions.
// Needs socat, gcc and libpri-dev; without them this fails.
import { join } from 'node:path';
import t from 'tap';
import { CardLink, systemClock, type CardMessage } from '@countyline/e1-gateway';
import { exited, startSimOnPty, waitFor } from '../../hardware/e1-gateway/test-support/sim-process.js';
import { startRefPri } from './libpri/ref-pri.js';

/** Q.931 4.5: the variable length IEs of a message (codeset 0), by identifier. */
function ies(message: number[], first: number): Map<number, number[]> {
  const found = new Map<number, number[]>();
  for (let i = first; i < message.length; ) {
    const id = message[i]!;
    if (id & 0x80) {
      i++; // single octet IE: no length octet
      continue;
    }
    const len = message[i + 1]!;
    found.set(id, message.slice(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return found;
}

t.test('ref-pri brings the D-channel up with a hand-made user side, and calls, alerts and restarts through the card', async (t) => {
  const started = await startSimOnPty(t, 'pri-self', (dir) => ['--hdlc-peer', dir, '--proving-ms', '50', '--log-level', 'warn']);
  if (!started) return;
  const { sim, dir } = started;
  t.same(started.readyLine.hdlcPeer, { card: join(dir, 'card.sock'), peer: join(dir, 'peer.sock') }, 'the ready line names the sockets');

  const received: CardMessage[] = [];
  const port = await started.openHost();
  const host = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => void port.write(bytes) });
  port.on('data', (chunk: Buffer) => host.receive(chunk));
  host.on('message', (m) => received.push(m));
  t.teardown(() => host.close());
  await host.request({ type: 'hello', hostName: 'bench' });
  await host.request({ type: 'linkConfig', link: 0, span: 0, timeslot: 16, mode: 'hdlc' });
  await host.request({ type: 'linkControl', link: 0, action: 'start' });
  await waitFor('link 0 in service', 10_000, () => (received.some((m) => m.type === 'linkState' && m.link === 0 && m.state === 'in-service') ? true : undefined));

  const pri = await startRefPri(t, { name: 'network', bind: join(dir, 'peer.sock'), peer: join(dir, 'card.sock'), debug: true });
  const frames = () => received.flatMap((m) => (m.type === 'hdlcFrame' && m.link === 0 ? [[...m.data]] : []));

  // Q.921 3.2: SAPI 0 with C/R 1 (a command from the network side), TEI 0 with EA; SABME with P = 1.
  await waitFor("libpri's SABME at the host", 10_000, () => (frames().length > 0 ? true : undefined));
  t.same(frames()[0], [0x02, 0x01, 0x7f], 'the host gets SABME from the network: 02 01 7F, without the FCS');

  // The user side's UA answers with C/R 1 too (a response from the user), F = 1.
  host.notify({ type: 'hdlcFrame', link: 0, data: Uint8Array.of(0x02, 0x01, 0x73) });
  t.ok(await pri.next('dchan_up', undefined, 10_000), 'libpri reports the D-channel up');

  const before = frames().length;
  pri.send({ cmd: 'call', channel: 1, exclusive: true, calling: '10086', called: '2000', unknownIe: 0x5f, unknownIeHex: 'abcd' });
  t.match(await pri.next('placed'), { channel: 1 }, 'ref-pri placed the call');
  const iframe = await waitFor('an I-frame at the host', 10_000, () => frames().slice(before).find((f) => (f[2]! & 0x01) === 0));
  t.same(iframe.slice(0, 2), [0x02, 0x01], 'SAPI 0, a command from the network, TEI 0');
  t.same([iframe[2]! >> 1, iframe[3]! >> 1], [0, 0], 'the first I-frame: N(S) 0, N(R) 0');
  const q931 = iframe.slice(4);
  t.equal(q931[0], 0x08, 'protocol discriminator 08: Q.931');
  t.equal(q931[1], 2, 'a 2-octet call reference, as on a PRI');
  t.equal(q931[2]! & 0x80, 0, 'call reference flag 0: from the side that allocated it');
  t.equal(q931[4], 0x05, 'message type 05: SETUP');
  const setup = ies(q931, 5);
  // Q.931 4.5.13: interface implicit, PRI, exclusive (bit 4), channel indicated; then number map, channel 1.
  t.same(setup.get(0x18), [0xa9, 0x83, 0x81], 'channel identification: exclusive, channel 1');
  t.same(setup.get(0x70)?.slice(1), [...Buffer.from('2000')], 'called party number 2000');
  t.same(setup.get(0x6c)?.slice(-5), [...Buffer.from('10086')], 'calling party number 10086');
  t.same(setup.get(0x5f), [0xab, 0xcd], 'the unknown IE 0x5F went out with its contents');
  t.notOk(setup.has(0x7e), 'and no User-user IE (the marker it rode in on is gone)');

  // The box's own call, by hand: an I-frame from the user side (C/R 0), N(S) 0, N(R) 1 (it has
  // the network's SETUP), call reference 5 from the originating side, SETUP with speech bearer,
  // channel 2 exclusive and called number 3000.
  const afterSetup = frames().length;
  host.notify({
    type: 'hdlcFrame',
    link: 0,
    data: Uint8Array.of(0x00, 0x01, 0x00, 0x02, 0x08, 0x02, 0x00, 0x05, 0x05, 0x04, 0x03, 0x80, 0x90, 0xa3, 0x18, 0x03, 0xa9, 0x83, 0x82, 0x70, 0x05, 0x80, ...Buffer.from('3000')),
  });
  const ring = await pri.next('ring');
  t.match(ring, { channel: 2, exclusive: true, called: '3000' }, 'libpri reports the SETUP as a ring');
  pri.send({ cmd: 'unknown-ie', call: ring.call, message: 'alerting', ie: 0x5e, hex: '01' });
  const q931Of = (f: number[]) => ((f[2]! & 0x01) === 0 ? f.slice(4) : undefined);
  const alerting = await waitFor('ALERTING at the host', 10_000, () => frames().slice(afterSetup).map(q931Of).find((m) => m?.[4] === 0x01));
  t.same(alerting.slice(1, 4), [0x02, 0x80, 0x05], 'call reference 5 with the flag set: the answer of the side that did not allocate it');
  t.same(ies(alerting, 5).get(0x5e), [0x01], 'ALERTING carries the unknown IE 0x5E');

  pri.send({ cmd: 'restart', channel: 3 });
  t.same((await pri.next('restarting')).channels, [3]);
  const restart = await waitFor('RESTART at the host', 10_000, () => frames().slice(afterSetup).map(q931Of).find((m) => m?.[4] === 0x46));
  t.same(ies(restart, 5).get(0x79), [0x80], 'restart indicator: class 0, indicated channels');
  t.same(ies(restart, 5).get(0x18)?.slice(-1), [0x83], 'channel identification: channel 3');

  const state = (await (await fetch(`${started.readyLine.control as string}/state`)).json()) as { links: { hdlcPeer: { framesIn: number; framesOut: number; tooShort: number } | null }[] };
  t.match(state.links[0]?.hdlcPeer, { framesOut: 2, tooShort: 0 }, 'GET /state counts the relayed frames: UA and SETUP from the host');
  t.ok(state.links[0]!.hdlcPeer!.framesIn >= 4, 'SABME, SETUP, ALERTING and RESTART from ref-pri, at least');

  t.same(await pri.stop(), { code: 0, signal: null }, 'ref-pri: SIGTERM, exit 0');
  sim.kill('SIGTERM');
  t.equal(await exited(sim), 0, 'the simulator: SIGTERM, exit 0');
});
