import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { alawEncode } from '../audio/g711.js';
import { readAudioFile } from './audio-file.js';
import { LineAudio } from './line-audio.js';
import { FakeClock } from '../clock.js';

/** A WAV file: RIFF header, fmt chunk, an odd-sized chunk to skip, data chunk. */
function wave(tag: number, rate: number, channels: number, bits: number, data: Buffer): Buffer {
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(tag, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE((rate * channels * bits) / 8, 8);
  fmt.writeUInt16LE((channels * bits) / 8, 12);
  fmt.writeUInt16LE(bits, 14);
  const chunk = (id: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
  };
  const chunks = Buffer.concat([chunk('fmt ', fmt), chunk('LIST', Buffer.from('odd')), chunk('data', data)]);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + chunks.length, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, chunks]);
}

t.test('raw A-law, WAV A-law and WAV 16-bit PCM read as A-law', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'audio-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pcm = Buffer.alloc(8);
  [0, 1000, -1000, 32000].forEach((v, i) => pcm.writeInt16LE(v, 2 * i));
  const files: [string, Buffer, number[]][] = [
    ['raw.al', Buffer.from([0x34, 0x21, 0xd5]), [0x34, 0x21, 0xd5]],
    ['alaw.wav', wave(6, 8000, 1, 8, Buffer.from([0xaa, 0x2a])), [0xaa, 0x2a]],
    ['pcm.wav', wave(1, 8000, 1, 16, pcm), [0, 1000, -1000, 32000].map(alawEncode)],
  ];
  for (const [name, bytes, expected] of files) {
    writeFileSync(join(dir, name), bytes);
    t.strictSame([...readAudioFile(join(dir, name))], expected, name);
  }
  const refuse = (name: string, bytes: Buffer | undefined, message: RegExp) => {
    if (bytes) writeFileSync(join(dir, name), bytes);
    t.throws(() => readAudioFile(name.startsWith('/') || name.startsWith('.') ? name : join(dir, name)), { name: 'SimError', code: 'bad-value', message }, name);
  };
  refuse('./relative.al', undefined, /is not an absolute path/);
  refuse('missing.al', undefined, /cannot read audio file .*missing\.al: ENOENT/);
  refuse('stereo.wav', wave(1, 8000, 2, 16, pcm), /is 8000 Hz with 2 channel\(s\); use 8000 Hz mono, A-law or 16-bit PCM/);
  refuse('cd.wav', wave(1, 44100, 1, 16, pcm), /is 44100 Hz/);
  refuse('mulaw.wav', wave(7, 8000, 1, 8, pcm), /has format 7 with 8 bits/);
  refuse('empty.al', Buffer.alloc(0), /holds no audio/);
});

t.test('a file plays once, then silence; with loop it starts again', async (t) => {
  const audio = new LineAudio(new FakeClock());
  const alaw = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
  audio.play({ file: '/x.al', alaw, loop: false });
  t.strictSame([...audio.nextFrame(true)], [...alaw.subarray(0, 160)]);
  t.strictSame([...audio.nextFrame(true)], [...alaw.subarray(160), ...Buffer.alloc(120, 0xd5)], 'the rest, then A-law silence');
  t.match(audio.playing(), { file: '/x.al', loop: false, finished: true });
  t.ok(audio.nextFrame(true).every((o) => o === 0xd5));
  audio.play({ file: '/x.al', alaw, loop: true });
  audio.nextFrame(true);
  t.strictSame([...audio.nextFrame(true)], [...alaw.subarray(160), ...alaw.subarray(0, 120)], 'looped without a gap');
  t.match(audio.playing(), { loop: true, finished: false });
  t.ok(audio.nextFrame(false).every((o) => o === 0xd5), 'a line carrying nothing sends silence');
});
