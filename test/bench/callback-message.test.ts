// Issue 10, a voice message with a callback request, with real processes: socat, the card
// simulator, the firmware. Nobody is staffed (no agent in the config), so a call with caller ID
// on FXO port 0 leaves a callback request; after "we will call you back" and "leave a message
// after the tone" the far end hears the beep, plays a 1 kHz tone into the line and hangs up.
// The message file is on the box, over a second long, and measures 1 kHz here, with this
// file's own A-law decoder and Goertzel filter (not the firmware's or the simulator's).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startRig, waitFor, type Rig } from '../../scripts/lib/bench-rig.mjs';

const NUMBER = '13900000042';
const FRAME = 160;

const rig: Rig = await startRig({ config: { queue: { lang: 'en', welcome: false } } });
t.teardown(() => rig.stop());
await rig.waitStatus('FXO lines present', (s) => s.fxo.length === 5 && s.fxo.every((p: any) => p.line === 'present'), 15_000);

/** G.711 A-law to linear (Table 1a, the middle of each step). */
function alaw(octet: number): number {
  const a = octet ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** The power of `hz` in the samples (Goertzel), against their whole power: 0 to 1 for a pure tone. */
function share(samples: Float64Array, hz: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return total === 0 ? 0 : (2 * power) / (samples.length * total);
}

const decode = (octets: Buffer) => Float64Array.from(octets, alaw);

/** The prompt the box plays before the beep, as the firmware finds it. */
const leaveMessage = await readFile(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'firmware-ts', 'prompts', 'en', 'leave-message.alaw'));

t.test('nobody staffed: the caller leaves a callback request and a voice message after the beep; the file holds what they sent', async (t) => {
  await rig.simPost('/fxo/0/audio/record');
  await rig.simPost('/fxo/0/ring', { callerId: NUMBER });
  await waitFor('the box off-hook on FXO port 0', async (seen) => seen((await rig.simGet('/state')).fxo[0]).offHook, 20_000);

  // The end of "leave a message after the tone" at the far end: its last speech frames, octet for octet.
  const lastWords: Buffer[] = [];
  for (let at = Math.floor(leaveMessage.length / FRAME) * FRAME - FRAME; at >= 0 && lastWords.length < 5; at -= FRAME) {
    const frame = leaveMessage.subarray(at, at + FRAME);
    if (frame.some((o) => o !== frame[0])) lastWords.push(frame);
  }
  const recording = async () => Buffer.from((await rig.simGet('/fxo/0/audio/recording')).alaw, 'base64');
  // Then the beep: 1400 Hz in the frames after the words.
  const beepAt = await waitFor('the beep after "leave a message" at the far end', async (seen) => {
    const rec = seen(await recording());
    const ends = lastWords.map((f) => rec.lastIndexOf(f)).filter((i) => i >= 0);
    if (ends.length === 0) return false;
    const after = Math.max(...ends) + FRAME;
    for (let at = after; at + FRAME <= rec.length; at += FRAME) {
      if (share(decode(rec.subarray(at, at + FRAME)), 1400) > 0.9) return at;
    }
    return false;
  }, 40_000, { intervalMs: 200 });
  t.ok(beepAt > 0, 'the far end heard the beep after the prompt');

  // The caller speaks (a 1 kHz tone) for two seconds of frames sent to the box, then hangs up.
  const { framesSent } = await rig.simGet('/fxo/0/audio');
  await rig.simPost('/fxo/0/audio', { tone: { hz: 1000, dbm0: -10 } });
  await waitFor('two seconds of the tone sent to the box', async (seen) => seen((await rig.simGet('/fxo/0/audio')).framesSent) >= framesSent + 100, 10_000);
  await rig.simPost('/fxo/0/audio', { silence: true });
  await rig.simPost('/fxo/0/hangup');

  const cdr = await waitFor('the CDR of the call', async (seen) => seen((await rig.json(['calls'])).recent).find((c: any) => c.calling === NUMBER), 15_000);
  t.match(cdr, { line: { kind: 'fxo', port: 0 }, result: 'callback', callback: String, hungUpBy: 'caller' });
  const request = await waitFor('the message on the callback request', async (seen) => seen(await rig.json(['callbacks'])).find((c: any) => c.id === cdr.callback && c.message), 15_000);
  t.match(request, { number: NUMBER, reason: 'no-agent', state: 'pending' });
  t.equal(dirname(request.message), join(rig.dir, 'data', 'messages'), `--json gives the file's path: ${request.message}`);
  t.match(request.message, new RegExp(`${cdr.callback}-\\d+\\.alaw$`));

  const file = await readFile(request.message);
  t.ok(file.length > 8000, `over a second of audio: ${(file.length / 8000).toFixed(2)} s`);
  // The tone's frames (the recording may begin with a little silence before the tone reached the box).
  const loud: Buffer[] = [];
  for (let at = 0; at + FRAME <= file.length; at += FRAME) {
    const frame = file.subarray(at, at + FRAME);
    const samples = decode(frame);
    if (Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / FRAME) > 1000) loud.push(frame);
  }
  t.ok(loud.length >= 75, `at least 1.5 s of the tone in the message: ${loud.length * 20} ms`);
  const tone = decode(Buffer.concat(loud));
  const at1000 = share(tone, 1000);
  t.ok(at1000 > 0.9, `the message measures 1 kHz: ${(at1000 * 100).toFixed(1)} % of its power at 1000 Hz`);
  t.ok(share(tone, 1400) < 0.05 && share(tone, 800) < 0.05, 'and not the beep, nor a neighbour');

  const table = await rig.cli(['callbacks']);
  t.match(table.stdout, new RegExp(`${cdr.callback.slice(0, 8)}\\s+${NUMBER}\\s.*no agent logged in\\s+yes\\s`), 'countyline callbacks marks the message');
});
