import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { alawEncode } from '../audio/g711.js';
import { SimError } from './sim-error.js';

/** Larger files are refused: about 17 minutes of 8 kHz A-law is more than any bench test plays. */
export const MAX_AUDIO_FILE_BYTES = 8 * 1024 * 1024;

/** WAV format tags (RFC 2361): 1 linear PCM, 6 A-law. */
const WAVE_PCM = 1;
const WAVE_ALAW = 6;

/**
 * Reads an audio file for a line to play, as A-law octets at 8 kHz. A file that starts
 * `RIFF....WAVE` is a WAV file and must be 8000 Hz mono, either A-law or 16-bit linear PCM
 * (encoded here); any other file is taken as raw A-law octets. Throws SimError `bad-value`
 * saying what is wrong with the file.
 */
export function readAudioFile(path: string): Buffer {
  if (!isAbsolute(path)) throw new SimError('bad-value', `audio file "${path}" is not an absolute path; give the full path (the simulator's working folder is not yours)`);
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_AUDIO_FILE_BYTES) throw new SimError('bad-value', `audio file ${path} is ${size} bytes; at most ${MAX_AUDIO_FILE_BYTES}`);
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof SimError) throw err;
    throw new SimError('bad-value', `cannot read audio file ${path}: ${(err as Error).message}`);
  }
  const alaw = isWave(bytes) ? fromWave(bytes, path) : bytes;
  if (alaw.length === 0) throw new SimError('bad-value', `audio file ${path} holds no audio`);
  return alaw;
}

function isWave(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WAVE';
}

/** The samples of a WAV file as A-law; the chunks are walked as RIFF lays them out. */
function fromWave(bytes: Buffer, path: string): Buffer {
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (id === 'fmt ' && body.length >= 16) {
      format = { tag: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      if (!format) throw new SimError('bad-value', `WAV file ${path} has its data before its fmt chunk`);
      const { tag, channels, rate, bits } = format;
      const wanted = `use 8000 Hz mono, A-law or 16-bit PCM`;
      if (channels !== 1 || rate !== 8000) throw new SimError('bad-value', `WAV file ${path} is ${rate} Hz with ${channels} channel(s); ${wanted}`);
      if (tag === WAVE_ALAW && bits === 8) return Buffer.from(body);
      if (tag === WAVE_PCM && bits === 16) {
        const out = Buffer.alloc(body.length >> 1);
        for (let i = 0; i < out.length; i++) out[i] = alawEncode(body.readInt16LE(2 * i));
        return out;
      }
      throw new SimError('bad-value', `WAV file ${path} has format ${tag} with ${bits} bits a sample; ${wanted}`);
    }
    at += 8 + size + (size & 1); // RIFF chunks are padded to an even length
  }
  throw new SimError('bad-value', `WAV file ${path} has no ${format ? 'data' : 'fmt'} chunk`);
}
