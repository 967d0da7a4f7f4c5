import t from 'tap';
import { LineRecording, MAX_RECORDING_OCTETS } from './line-recording.js';

function frame(fill: number): Buffer {
  return Buffer.alloc(160, fill);
}

t.test('the octets kept are the frames heard, in order, as copies', async (t) => {
  const rec = new LineRecording(1_700_000_000_000);
  t.same(rec.view(), { recording: true, startedAt: 1_700_000_000_000, octets: 0, truncatedFrames: 0, alaw: '' });
  const a = frame(0x11);
  rec.add(a);
  rec.add(frame(0x22));
  a.fill(0x99); // the highway's buffer changes after; the recording does not
  const view = rec.view();
  t.same({ ...view, alaw: undefined }, { recording: true, startedAt: 1_700_000_000_000, octets: 320, truncatedFrames: 0, alaw: undefined });
  t.same(Buffer.from(view.alaw, 'base64'), Buffer.concat([frame(0x11), frame(0x22)]));
});

t.test('ten minutes are kept; frames after the cap are counted, not kept', async (t) => {
  t.equal(MAX_RECORDING_OCTETS, 4_800_000, '10 minutes of 8 kHz A-law');
  const rec = new LineRecording(0);
  const frames = MAX_RECORDING_OCTETS / 160;
  for (let i = 0; i < frames; i++) rec.add(frame(i % 256));
  rec.add(frame(0xaa));
  rec.add(frame(0xbb));
  const view = rec.view();
  t.same([view.octets, view.truncatedFrames], [4_800_000, 2]);
  const alaw = rec.alaw();
  t.equal(alaw.length, 4_800_000);
  t.same(alaw.subarray(-160), frame((frames - 1) % 256), 'the last octets are the last frame of the ten minutes');
  t.equal(alaw.indexOf(0xaa, 4_800_000 - 160), -1, 'nothing after the cap');
});

t.test('a frame that would cross the cap is dropped whole', async (t) => {
  const rec = new LineRecording(0, 400);
  rec.add(frame(1));
  rec.add(frame(2));
  rec.add(frame(3));
  t.same([rec.view().octets, rec.view().truncatedFrames], [320, 1]);
});
