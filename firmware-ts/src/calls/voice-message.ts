import { join } from 'node:path';
import { alawToLinear } from '../media/alaw.js';
import { FRAME_OCTETS } from '../media/media-channel.js';
import { toneFrame, type Tone } from '../media/tones.js';
import { writeFileAtomic } from '../storage/atomic-file.js';

/** Where voice messages go and how long one may be (config `queue.voiceMessage*`). */
export interface VoiceMessageSettings {
  /** `<dataDir>/messages`. */
  dir: string;
  maxMs: number;
}

/** Where the box keeps voice messages. */
export function messagesDir(dataDir: string): string {
  return join(dataDir, 'messages');
}

/** The key that ends a message before the caller hangs up (the `leave-message` prompt says so). */
export const END_MESSAGE_KEY = '#';
/** A DTMF key sounds for at most this long before it is heard (Q.24 gives 40 ms as the least): left out of the message. */
export const KEY_TAIL_MS = 200;
/** A message shorter than this is none (the caller hung up at the beep). */
export const MIN_MESSAGE_MS = 1000;

/**
 * "Speak now": 1400 Hz for 300 ms, the usual answering-machine beep, as A-law frames, then
 * 100 ms of silence so the recording does not start on the beep's echo.
 */
const BEEP: Tone = { name: 'message-beep', dbm0: -10, cadence: [{ frequency: 1400, ms: 300 }, { ms: 100 }] };
export const MESSAGE_BEEP: Buffer = Buffer.concat(Array.from({ length: 20 }, (_, i) => toneFrame(BEEP, i)));

/**
 * A 20 ms frame louder than this (RMS of the linear samples, about -45 dBm0) carries
 * something: speech, or a tone. Line noise on a quiet analog line stays well under it.
 */
const SOUND_RMS = 90;

/** Whether a recording is worth keeping: at least a second long, and not silence throughout. */
export function worthKeeping(alaw: Buffer): boolean {
  if (alaw.length < (MIN_MESSAGE_MS / 1000) * 8000) return false;
  for (let at = 0; at + FRAME_OCTETS <= alaw.length; at += FRAME_OCTETS) {
    let sum = 0;
    for (let i = at; i < at + FRAME_OCTETS; i++) {
      const v = alawToLinear(alaw[i]!);
      sum += v * v;
    }
    if (Math.sqrt(sum / FRAME_OCTETS) > SOUND_RMS) return true;
  }
  return false;
}

/**
 * Writes a message as `<dir>/<callbackId>-<at>.alaw` (raw A-law, 8 kHz, mono), whole or not
 * at all (written aside, synced, renamed); resolves with the file's name.
 */
export async function saveMessage(dir: string, callbackId: string, at: number, alaw: Buffer): Promise<string> {
  const name = `${callbackId}-${at}.alaw`;
  await writeFileAtomic(join(dir, name), alaw);
  return name;
}
