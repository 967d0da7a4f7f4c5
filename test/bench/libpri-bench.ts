// The PRI bench of one test: its own temp dir, Asterisk's libpri as the exchange's network
// side (ref-pri, --debug for the D-channel's frames), the card simulator handing it the HDLC
// link, the firmware with `pri: { link: 0 }`, and one agent phone (SIPp) registered. Every
// process is stopped in the test's teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startRefPri, type RefPri } from '../peers/libpri/ref-pri.js';
import { freeMediaPort, freeUdpPort, registerAgent, runSipp, type SippRun } from '../peers/sipp-agent.js';

type Tap = { teardown(fn: () => unknown): void };

/** A Q.931 message type in one of libpri's D-channel frames (an I frame: 4 octets of Q.921, then protocol discriminator, CR length, CR, type). */
export function q931Type(hex: string): number | null {
  if (hex.length < 14 || (parseInt(hex.slice(4, 6), 16) & 1) !== 0) return null; // not an I frame
  const q931 = hex.slice(8);
  if (q931.slice(0, 2) !== '08') return null;
  const crLength = parseInt(q931.slice(2, 4), 16);
  const at = 4 + crLength * 2;
  return q931.length >= at + 2 ? parseInt(q931.slice(at, at + 2), 16) : null;
}

/** `config`: more firmware config, its `pri` merged into `{ link: 0 }` (a test line, channels ...). */
export async function priBench(t: Tap, prefix: string, config: { pri?: Record<string, unknown>; [key: string]: unknown } = {}) {
  requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sipPort = await freeUdpPort();
  const ann = { user: 'ann', password: 'ann-secret-1', name: '安娜', port: await freeUdpPort() };
  const pri: RefPri = await startRefPri(t, { name: 'libpri', bind: join(dir, 'peer.sock'), peer: join(dir, 'card.sock'), debug: true });
  const rig = await startRig({
    dir,
    card: { links: [{ span: 0, timeslot: 16, mode: 'hdlc' }] },
    simArgs: ['--hdlc-peer', dir],
    config: {
      ...config,
      pri: { link: 0, ...config.pri },
      agents: [{ user: ann.user, password: ann.password, name: ann.name }],
      // SIPp answers only an MD5 challenge, and only the first one.
      sip: { port: sipPort, bind: '127.0.0.1', address: '127.0.0.1', keepAliveMs: 600_000, digestAlgorithms: ['MD5'] },
    },
  });
  t.teardown(() => rig.stop());
  const box = { host: '127.0.0.1', port: sipPort };
  await pri.next('dchan_up', undefined, 30_000);
  await rig.waitStatus('the box: D-channel up', (s: any) => s.pri?.dChannelUp === true, 30_000);
  await registerAgent({ box, port: ann.port, user: ann.user, password: ann.password, dir: rig.dir }, (fn) => t.teardown(fn));
  // The box's start-up RESTART, acknowledged, before any call: its channels are idle again.
  await pri.next('restart', undefined, 15_000);
  await waitFor('the box to log its interface restarted', async (seen) => seen(rig.fullLog('firmware')).includes('PRI interface restarted'), 15_000);

  /** The CDR of the call from `calling`, once written. */
  const cdrOf = (calling: string) =>
    waitFor(`the CDR of the call from ${calling}`, async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === calling), 15_000);

  /** The calls `countyline calls` shows in progress. */
  const active = async () => (await rig.json(['calls'])).active as any[];

  /**
   * A call from libpri on `channel`, answered by the box (CONNECT) and by ann's phone, which
   * stays on until the box sends BYE (SIPp agent-answer). Returns libpri's call id and the phone.
   */
  async function answeredCall(t: Tap, channel: number, calling: string): Promise<{ call: number; phone: SippRun }> {
    const phone = runSipp({ scenario: 'agent-answer', box, port: ann.port, user: ann.user, dir: rig.dir, mediaPort: await freeMediaPort() });
    t.teardown(() => phone.stop());
    pri.send({ cmd: 'call', channel, exclusive: true, calling, called: '12345' });
    const placed = await pri.next('placed', { channel }, 10_000);
    await pri.next('answer', { call: placed.call }, 15_000);
    await waitFor(`ann to answer the call on channel ${channel}`, async (seen) => (seen(await active())).some((c: any) => c.calling === calling && c.state === 'connected'), 20_000);
    return { call: placed.call, phone };
  }

  /** The Q.931 message types the box sent (libpri's incoming frames) from event index `from` on. */
  const fromBox = (from = 0) =>
    pri.events.slice(from).flatMap((e) => (e.event === 'frame' && e.dir === 'in' ? [q931Type(e.hex)] : [])).filter((n): n is number => n !== null);

  return { dir, pri, rig, box, ann, cdrOf, active, answeredCall, fromBox };
}
