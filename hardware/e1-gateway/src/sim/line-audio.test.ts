import t from 'tap';
import { ALAW_SILENCE } from '../audio/g711.js';
import { ToneGenerator } from '../audio/tone.js';
import { FakeClock } from '../clock.js';
import { DtmfSequence } from './dtmf-tones.js';
import { LineAudio } from './line-audio.js';

const SILENT = Buffer.alloc(160, ALAW_SILENCE);

/** The next `count` frames toward the box, 20 ms apart on the clock, as the highway takes them. */
function take(audio: LineAudio, clock: FakeClock, count: number, carrying = true): Buffer[] {
  return Array.from({ length: count }, () => {
    const frame = audio.nextFrame(carrying);
    clock.advance(20);
    return frame;
  });
}

t.test('recording: only frames heard while the line carries audio, from the last start on', async (t) => {
  const clock = new FakeClock(1_700_000_000_000);
  const audio = new LineAudio(clock);
  t.same(audio.recorded(), { recording: false, startedAt: null, octets: 0, truncatedFrames: 0, alaw: '' }, 'nothing before a start');
  audio.received(Buffer.alloc(160, 0x01), true);
  t.equal(audio.recorded().octets, 0, 'frames before the start are not kept');

  t.same(audio.startRecording(), { recording: true, startedAt: 1_700_000_000_000, octets: 0, truncatedFrames: 0, alaw: '' });
  audio.received(Buffer.alloc(160, 0x02), true);
  audio.received(Buffer.alloc(160, 0x03), false);
  audio.received(Buffer.alloc(160, 0x04), true);
  t.same(Buffer.from(audio.recorded().alaw, 'base64'), Buffer.concat([Buffer.alloc(160, 0x02), Buffer.alloc(160, 0x04)]), 'a frame heard with the loop open is not');

  clock.advance(5000);
  audio.startRecording();
  audio.received(Buffer.alloc(160, 0x05), true);
  t.same({ ...audio.recorded(), alaw: Buffer.from(audio.recorded().alaw, 'base64') }, { recording: true, startedAt: 1_700_000_005_000, octets: 160, truncatedFrames: 0, alaw: Buffer.alloc(160, 0x05) }, 'a restart drops the earlier recording');
});

t.test('keys: their tones replace the source, which then carries on where it stopped', async (t) => {
  const clock = new FakeClock();
  const audio = new LineAudio(clock);
  audio.play({ tone: { hz: 1000, dbm0: -10 } });
  const tone = new ToneGenerator({ hz: 1000, dbm0: -10 });
  const toneFrames = (count: number) => Array.from({ length: count }, () => tone.nextFrame());
  t.same(take(audio, clock, 2), toneFrames(2));

  t.equal(audio.pressKeys('5'), 40, 'the key starts now');
  const keys = new DtmfSequence('5');
  t.same(take(audio, clock, 5), Array.from({ length: 5 }, () => keys.nextFrame()), "100 ms: the 5's tone pair, then its pause");
  t.same(take(audio, clock, 2), toneFrames(2), 'then the tone again, its phase unbroken');
});

t.test('keys pressed while others play follow them', async (t) => {
  const clock = new FakeClock();
  const audio = new LineAudio(clock);
  t.equal(audio.pressKeys('12'), 0);
  take(audio, clock, 3);
  t.equal(audio.pressKeys('#'), 200, 'after the 2');
  const keys = new DtmfSequence('12#');
  for (let i = 0; i < 3; i++) keys.nextFrame();
  t.same(take(audio, clock, 12), Array.from({ length: 12 }, () => keys.nextFrame()));
  t.same(take(audio, clock, 1), [SILENT], 'then the source (silence)');
});

t.test('keys on a line that carries no audio are lost, not played late', async (t) => {
  const clock = new FakeClock();
  const audio = new LineAudio(clock);
  audio.play({ tone: { hz: 425, dbm0: -10 } });
  audio.pressKeys('123');
  t.same(take(audio, clock, 15, false), Array.from({ length: 15 }, () => SILENT), 'loop open: silence');
  t.same(take(audio, clock, 1), [new ToneGenerator({ hz: 425, dbm0: -10 }).nextFrame()], 'the keys are over: the tone plays');
  t.equal(audio.pressKeys('4'), 320, 'a new key starts now, not after the lost ones');
});
