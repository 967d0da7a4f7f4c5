import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxSocket } from '../../test-support/box-socket.js';
import t, { type Test } from 'tap';
import { measureAlaw } from '../audio/measure.js';
import { ToneGenerator } from '../audio/tone.js';
import { buildControlApi, closeControlApi, listenControlApi } from './control-api.js';
import { DtmfSequence } from './dtmf-tones.js';
import { InMemoryBench } from './in-memory-bench.js';
import { SimHighway } from './sim-highway.js';

async function setup(t: Test) {
  const bench = new InMemoryBench({ sim: { card: { spans: 2 } } });
  bench.sim.start();
  await bench.run(10);
  // The real UDP highway on the system clock, as countyline-sim attaches it.
  const highway = new SimHighway({ lines: bench.sim.media });
  t.teardown(() => highway.close());
  const server = buildControlApi({ sim: bench.sim, checkResponses: true });
  const { url } = await listenControlApi(server, 0);
  t.teardown(() => closeControlApi(server));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { bench, call };
}


async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

t.test('an FXO line: what the far end plays reaches the box off-hook, and what the box sends is measured', async (t) => {
  const { bench, call } = await setup(t);
  let r = await call('GET', '/fxo/1/audio');
  t.same(r.body, {
    line: 'fxo/1',
    connected: false,
    mediaPort: null,
    localPort: null,
    carrying: false,
    playing: { silence: true },
    framesSent: 0,
    framesReceived: 0,
    framesDropped: 0,
    received: { hz: null, dbm0: null },
  });
  r = await call('POST', '/fxo/1/audio', { tone: { hz: 1000, dbm0: -10 } });
  t.same([r.status, r.body.playing], [200, { tone: { hz: 1000, dbm0: -10 } }]);

  const box = await boxSocket(t);
  await bench.request({ type: 'fxoConnect', port: 1, mediaPort: box.port });
  await waitFor('frames at the box', () => box.frames.length >= 5);
  t.ok(box.frames.every((f) => f.data.every((o) => o === 0xd5)), 'on-hook: A-law silence');
  await bench.request({ type: 'fxoHook', port: 1, offHook: true });
  const from = box.frames.length;
  await waitFor('a second of frames off-hook', () => box.frames.length >= from + 50);
  const m = measureAlaw(box.frames.slice(from + 1, from + 50).map((f) => f.data))!;
  t.ok(Math.abs(m.hz! - 1000) <= 1 && Math.abs(m.dbm0 + 10) <= 0.5, `off-hook: the tone, ${m.hz} Hz at ${m.dbm0} dBm0`);

  r = await call('GET', '/fxo/1/audio');
  t.match(r.body, { connected: true, mediaPort: box.port, localPort: box.frames[0]!.from, carrying: true, received: { hz: null, dbm0: null } });
  t.ok(r.body.framesSent >= from + 50);

  const tone = new ToneGenerator({ hz: 2100, dbm0: -20 });
  for (let i = 0; i < 50; i++) box.socket.send(tone.nextFrame(), box.frames[0]!.from, '127.0.0.1');
  await waitFor('50 frames at the far end', async () => (await call('GET', '/fxo/1/audio')).body.framesReceived === 50);
  r = await call('GET', '/fxo/1/audio');
  t.ok(Math.abs(r.body.received.hz - 2100) <= 1 && Math.abs(r.body.received.dbm0 + 20) <= 0.5, `heard ${JSON.stringify(r.body.received)}`);

  r = await call('POST', '/fxo/1/audio/measure-reset');
  t.match(r.body, { framesReceived: 50, received: { hz: null, dbm0: null } }, 'measure-reset forgets what was heard, the counters stay');

  r = await call('POST', '/fxo/1/audio', { silence: true });
  t.same(r.body.playing, { silence: true });
  await bench.request({ type: 'fxoConnect', port: 1, mediaPort: 0 });
  r = await call('GET', '/fxo/1/audio');
  t.match(r.body, { connected: false, mediaPort: null, localPort: null, carrying: false });
});

t.test('a timeslot plays a file (looped) while its span is in frame', async (t) => {
  const { bench, call } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'audio-routes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tone.al');
  // 100 ms of 425 Hz as raw A-law; the loop's seam comes after the frames measured.
  writeFileSync(file, new ToneGenerator({ hz: 425, dbm0: -6 }).nextFrame(800));
  let r = await call('POST', '/spans/1/timeslots/9/audio', { file, loop: true });
  t.same([r.status, r.body.playing], [200, { file, loop: true, finished: false }]);
  const box = await boxSocket(t);
  await bench.request({ type: 'tsConnect', span: 1, timeslot: 9, mediaPort: box.port });
  await waitFor('frames at the box', () => box.frames.length >= 10);
  const m = measureAlaw(box.frames.slice(0, 5).map((f) => f.data))!;
  t.ok(Math.abs(m.hz! - 425) <= 3, `the file's tone: ${m.hz} Hz`);
  bench.sim.setSpanDefects(1, { los: true });
  r = await call('GET', '/spans/1/timeslots/9/audio');
  t.match(r.body, { line: 'e1/1/9', connected: true, carrying: false });
  const at = box.frames.length;
  await waitFor('frames during LOS', () => box.frames.length >= at + 3);
  t.ok(box.frames[at + 1]!.data.every((o) => o === 0xd5), 'LOS: silence');
});

t.test('a recording holds, octet for octet, what the box sent while the line carried audio', async (t) => {
  const { bench, call } = await setup(t);
  const box = await boxSocket(t);
  await bench.request({ type: 'fxoConnect', port: 3, mediaPort: box.port });
  await waitFor('frames at the box', () => box.frames.length >= 1);
  const card = box.frames[0]!.from;
  const received = async (n: number) => waitFor(`${n} frames at the far end`, async () => (await call('GET', '/fxo/3/audio')).body.framesReceived === n);
  let r = await call('POST', '/fxo/3/audio/record');
  t.match([r.status, r.body], [200, { recording: true, octets: 0 }]);

  for (let i = 0; i < 5; i++) box.socket.send(Buffer.alloc(160, 0x2a), card, '127.0.0.1');
  await received(5);
  await bench.request({ type: 'fxoHook', port: 3, offHook: true });
  // A prompt as the box would play it: 20 frames, no two alike.
  const prompt = Buffer.from(Array.from({ length: 3200 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
  for (let i = 0; i < 20; i++) box.socket.send(prompt.subarray(160 * i, 160 * (i + 1)), card, '127.0.0.1');
  await received(25);
  r = await call('GET', '/fxo/3/audio/recording');
  t.match(r.body, { recording: true, octets: 3200, truncatedFrames: 0 });
  t.same(Buffer.from(r.body.alaw, 'base64'), prompt, 'the prompt, exactly; nothing from before the loop closed');

  r = await call('POST', '/fxo/3/audio/record');
  t.match(r.body, { octets: 0, alaw: '' }, 'a new start drops the old recording');
  box.socket.send(prompt.subarray(0, 160), card, '127.0.0.1');
  await received(26);
  t.same(Buffer.from((await call('GET', '/fxo/3/audio/recording')).body.alaw, 'base64'), prompt.subarray(0, 160));
});

t.test("a caller's keys on a timeslot reach the box in band, then what the far end played carries on", async (t) => {
  const { bench, call } = await setup(t);
  await call('POST', '/spans/1/timeslots/9/audio', { tone: { hz: 1000, dbm0: -10 } });
  const box = await boxSocket(t);
  await bench.request({ type: 'tsConnect', span: 1, timeslot: 9, mediaPort: box.port });
  await waitFor('frames at the box', () => box.frames.length >= 3);
  const from = box.frames.length;
  const r = await call('POST', '/spans/1/timeslots/9/dtmf', { digits: '7' });
  t.same([r.status, r.body.fxoDtmfEvents], [200, false]);
  await waitFor("the key's 100 ms", () => box.frames.length >= from + 8);
  const sequence = new DtmfSequence('7');
  const key = Buffer.concat(Array.from({ length: 5 }, () => sequence.nextFrame()));
  t.ok(Buffer.concat(box.frames.slice(from).map((f) => f.data)).indexOf(key) >= 0, "the 7's tone pair and pause, octet for octet");
  await bench.run(100); // the simulator's clock reaches the end of the key
  const after = box.frames.length;
  await waitFor('frames after the key', () => box.frames.length >= after + 6);
  const m = measureAlaw(box.frames.slice(after + 1, after + 6).map((f) => f.data))!;
  t.ok(Math.abs(m.hz! - 1000) <= 1, `the tone again: ${m.hz} Hz`);
});

t.test('bad audio requests: 400 with what to send, 404 for a line the card lacks', async (t) => {
  const { call } = await setup(t);
  const expect = async (method: string, path: string, body: unknown, status: number, code: string, message: string | RegExp) => {
    const r = await call(method, path, body);
    t.same([r.status, r.body.code], [status, code], `${path} ${JSON.stringify(body)}`);
    if (typeof message === 'string') t.equal(r.body.error, message);
    else t.match(r.body.error, message);
  };
  await expect('POST', '/fxo/0/audio', {}, 400, 'bad-body', 'give exactly one of "tone", "file", "silence"');
  await expect('POST', '/fxo/0/audio', { tone: { hz: 1000, dbm0: 0 }, silence: true }, 400, 'bad-body', 'give exactly one of "tone", "file", "silence", not "tone" and "silence"');
  await expect('POST', '/fxo/0/audio', { silence: true, loop: true }, 400, 'bad-body', '"loop" goes with "file" only');
  await expect('POST', '/fxo/0/audio', { silence: false }, 400, 'bad-body', '"silence" is false; it must be true');
  await expect('POST', '/fxo/0/audio', { tone: { hz: 5000, dbm0: 0 } }, 400, 'bad-body', '"tone/hz" is 5000; it must be a number from 1 to 3999');
  await expect('POST', '/fxo/0/audio', { tone: { hz: 1000, dbm0: 4 } }, 400, 'bad-body', '"tone/dbm0" is 4; it must be a number from -60 to 3.14');
  await expect('POST', '/fxo/0/audio', { tone: { hz: 1000 } }, 400, 'bad-body', /missing "tone\/dbm0"/);
  await expect('POST', '/fxo/0/audio', { beep: true }, 400, 'bad-body', 'unknown field "beep"; accepted: fields "tone", "file", "loop", "silence"');
  await expect('POST', '/fxo/0/audio', { file: 'x.al' }, 400, 'bad-value', /audio file "x\.al" is not an absolute path/);
  await expect('POST', '/fxo/0/audio', { file: '/nonexistent/x.al' }, 400, 'bad-value', /cannot read audio file \/nonexistent\/x\.al: ENOENT/);
  await expect('GET', '/fxo/5/audio', undefined, 404, 'not-found', 'FXO port 5 does not exist; this card has ports 0..4');
  await expect('POST', '/fxo/5/audio', { silence: true }, 404, 'not-found', 'FXO port 5 does not exist; this card has ports 0..4');
  await expect('POST', '/fxo/5/audio/measure-reset', undefined, 404, 'not-found', /FXO port 5/);
  await expect('POST', '/fxo/5/audio/record', undefined, 404, 'not-found', /FXO port 5/);
  await expect('GET', '/fxo/5/audio/recording', undefined, 404, 'not-found', /FXO port 5/);
  await expect('POST', '/fxo/5/dtmf', { digits: '1' }, 404, 'not-found', /FXO port 5/);
  await expect('POST', '/spans/2/timeslots/1/dtmf', { digits: '1' }, 404, 'not-found', /span 2 does not exist/);
  await expect('GET', '/spans/2/timeslots/1/audio/recording', undefined, 404, 'not-found', /span 2 does not exist/);
  await expect('GET', '/spans/2/timeslots/1/audio', undefined, 404, 'not-found', 'span 2 does not exist; this card has spans 0..1');
  await expect('GET', '/spans/0/timeslots/0/audio', undefined, 404, 'bad-path', 'in the path, "timeslot" is 0; it must be a whole number from 1 to 31');
  t.same((await call('GET', '/fxo/0/audio')).body.playing, { silence: true }, 'nothing was changed by a refused request');
});
