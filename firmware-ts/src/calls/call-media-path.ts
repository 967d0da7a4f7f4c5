import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { MediaBridge } from '../media/media-bridge.js';
import { DtmfDetector } from '../media/dtmf-detector.js';
import { FrameRecorder } from '../media/frame-recorder.js';
import type { MediaChannel, MediaHighway } from '../media/media-channel.js';
import type { RtpPorts } from '../media/rtp-ports.js';
import { RtpSession } from '../media/rtp-session.js';
import type { FramePlayer } from '../media/frame-player.js';
import { PromptPlayer } from '../media/prompt-player.js';
import { TonePlayer } from '../media/tone-player.js';
import { RINGBACK_TONE, SPECIAL_INFORMATION_TONE, TEST_TONE_1004, type Tone } from '../media/tones.js';
import type { CallMedia, CallMediaFactory, CallTone, PhoneMedia } from './call-ports.js';
import type { LineLeg } from './line-leg.js';
import type { PhoneFirstMedia } from './callback-dialer.js';

export interface CallMediaPathDeps {
  highway: MediaHighway;
  clock: Clock;
  logger: Logger;
  /** The RTP side toward the phones; null when the box has no agents (no SIP). */
  rtp: { ports: RtpPorts; bind: string; address: () => string } | null;
}

/**
 * The audio of each call: a channel of the card's PCM highway connected to the call's line,
 * and an RTP session toward the agent's phone, bridged frame by frame (A-law both ways, no
 * transcoding); or a tone played into the line instead.
 */
/** Which call's media a line is connected to, and the card's media commands for it in order. */
interface LineMedia {
  owner: symbol | null;
  chain: Promise<void>;
}

export class CallMediaPath implements CallMediaFactory {
  private readonly lines = new Map<string, LineMedia>();

  constructor(private readonly d: CallMediaPathDeps) {}

  /**
   * The newest call on a line owns its media connection. The card's connect and disconnect
   * for a line go in order, and each is sent only while its call still owns the line: a call
   * that ended while its audio was being opened, on a circuit a new call has taken already,
   * neither connects the line to its own port nor disconnects the new call's.
   */
  async open(leg: LineLeg): Promise<CallMedia> {
    const key = lineKey(leg);
    const owner = Symbol(key);
    this.line(key).owner = owner;
    const channel = await this.d.highway.open();
    let rtp: RtpSession | null = null;
    try {
      await this.onLine(key, async (line) => {
        if (line.owner !== owner) throw new Error('a newer call took the line while its audio was being opened');
        await leg.connectMedia(channel.port);
      });
      if (this.d.rtp) rtp = await RtpSession.open({ ports: this.d.rtp.ports, logger: this.d.logger, address: this.d.rtp.bind });
    } catch (err) {
      this.release(key, owner, leg);
      channel.close();
      throw err;
    }
    // An FXO port's card has its own DTMF receiver (fxo-dtmf events, the leg's 'digit'): only an
    // E1 timeslot's keys are heard in its audio here, so no key is reported twice.
    const inBandDigits = leg.line.kind === 'e1';
    return new OneCallMedia(channel, rtp, this.d, inBandDigits, () => this.release(key, owner, leg));
  }

  /**
   * A callback's audio, opened before its line exists (the agent's phone is rung first with
   * this RTP port): `attach` connects the line placed out once the agent answered, with the
   * same ownership rule as `open`.
   */
  async openPhoneFirst(): Promise<PhoneFirstMedia> {
    const channel = await this.d.highway.open();
    let rtp: RtpSession | null = null;
    try {
      if (this.d.rtp) rtp = await RtpSession.open({ ports: this.d.rtp.ports, logger: this.d.logger, address: this.d.rtp.bind });
    } catch (err) {
      channel.close();
      throw err;
    }
    let detach = () => {};
    let closed = false;
    const media = new OneCallMedia(channel, rtp, this.d, false, () => {
      closed = true;
      detach();
    });
    const attach = async (leg: LineLeg): Promise<void> => {
      if (closed) throw new Error('the call ended before its line was connected');
      const key = lineKey(leg);
      const owner = Symbol(key);
      this.line(key).owner = owner;
      await this.onLine(key, async (line) => {
        if (line.owner !== owner) throw new Error('a newer call took the line while its audio was being opened');
        await leg.connectMedia(channel.port);
      });
      detach = () => this.release(key, owner, leg);
      // Closed while the card connected the line: disconnect it again.
      if (closed) detach();
    };
    return Object.assign(media, { attach });
  }

  /** Disconnects the line from the call's media port, unless a newer call owns the line now. */
  private release(key: string, owner: symbol, leg: LineLeg): void {
    this.onLine(key, async (line) => {
      if (line.owner !== owner) return;
      line.owner = null;
      await leg.connectMedia(0);
    }).catch((err: Error) => this.d.logger.warn({ line: leg.line, err: err.message }, 'the card did not take the media disconnect'));
  }

  private line(key: string): LineMedia {
    let line = this.lines.get(key);
    if (!line) this.lines.set(key, (line = { owner: null, chain: Promise.resolve() }));
    return line;
  }

  private onLine(key: string, step: (line: LineMedia) => Promise<void>): Promise<void> {
    const line = this.line(key);
    const done = line.chain.then(() => step(line));
    line.chain = done.catch(() => {});
    return done;
  }
}

function lineKey(leg: LineLeg): string {
  const line = leg.line;
  return line.kind === 'fxo' ? `fxo/${line.port}` : `e1/${line.span}/${line.timeslot}`;
}

class OneCallMedia implements CallMedia {
  private bridge: MediaBridge | null = null;
  private player: FramePlayer | null = null;
  /** What to play from the card's first frame: before it, the channel does not know where to send. */
  private pending: (() => void) | null = null;
  private flowing = false;
  private closed = false;
  /** Resolves the prompt asked for but not started yet as cut short. */
  private pendingCancel: (() => void) | null = null;
  private readonly digitListeners: ((digit: string) => void)[] = [];
  /** The in-band DTMF receiver, made at the first digit listener (none: no one listens, no filtering). */
  private detector: DtmfDetector | null = null;
  /** The caller's voice message being recorded, if one is. */
  private recorder: FrameRecorder | null = null;

  constructor(
    private readonly channel: MediaChannel,
    private readonly rtp: RtpSession | null,
    private readonly d: CallMediaPathDeps,
    /** The line's keys are heard in its audio (an E1 timeslot), not reported by the card. */
    private readonly inBandDigits: boolean,
    private readonly disconnect: () => void,
  ) {
    // Every line's audio arrives here, an FXO port's as an E1 timeslot's: the card connects
    // either to the channel's port (fxoConnect, tsConnect).
    channel.onFrame((frame) => {
      // The frames from the line carry the caller's keys; the agent's RFC 4733 events come by RTP, not here.
      this.detector?.push(frame);
      this.recorder?.push(frame);
      if (this.flowing) return;
      this.flowing = true;
      const start = this.pending;
      this.pending = null;
      start?.();
    });
  }

  get local(): { address: string; port: number } {
    if (!this.rtp || !this.d.rtp) throw new Error('this box has no RTP toward phones (no agents configured)');
    return { address: this.d.rtp.address(), port: this.rtp.port };
  }

  connectPhone(phone: PhoneMedia): void {
    if (this.closed || !this.rtp) return;
    this.quiet();
    this.rtp.setRemote({ address: phone.address, port: phone.port, ...(phone.telephoneEvent !== null && { telephoneEventPt: phone.telephoneEvent }) });
    this.bridge?.stop();
    this.bridge = new MediaBridge(this.channel, this.rtp);
    // A person has the call: no key is listened for any more, so the in-band detector would
    // only burn CPU on every frame of the talk.
    this.detector = null;
  }

  hold(on: boolean): void {
    this.bridge?.hold(on);
  }

  play(tone: CallTone): void {
    if (this.closed) return;
    this.quiet();
    const chosen = TONES[tone];
    this.whenFlowing(() => {
      this.player = new TonePlayer(this.channel, chosen, this.d.clock);
      this.player.start();
    });
  }

  playAudio(alaw: Buffer): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.quiet();
    return new Promise((resolve) => {
      const player = new PromptPlayer(this.channel, alaw, this.d.clock);
      player.on('stopped', (reason) => {
        // Frames the player dropped to keep time after the process stalled: the caller missed them.
        if (player.skipped > 0) this.d.logger.warn({ skippedFrames: player.skipped, missedMs: player.skipped * 20, of: PromptPlayer.durationMs(alaw) }, 'the box fell behind playing a prompt: the caller missed part of it');
        resolve(reason === 'end');
      });
      this.player = player;
      // Cut short before it started (another prompt, a phone, close): it never plays.
      this.pendingCancel = () => resolve(false);
      this.whenFlowing(() => {
        this.pendingCancel = null;
        player.start();
      });
    });
  }

  record(maxMs: number): Promise<Buffer> {
    this.stopRecording();
    if (this.closed) return Promise.resolve(Buffer.alloc(0));
    const recorder = (this.recorder = new FrameRecorder(maxMs));
    void recorder.done.then(() => {
      if (this.recorder === recorder) this.recorder = null;
    });
    return recorder.done;
  }

  stopRecording(dropLastMs = 0): void {
    this.recorder?.stop(dropLastMs);
    this.recorder = null;
  }

  onDigit(listener: (digit: string) => void): void {
    this.digitListeners.push(listener);
    if (!this.inBandDigits || this.detector || this.closed) return;
    this.detector = new DtmfDetector();
    this.detector.on('digit', (digit) => {
      for (const l of this.digitListeners) l(digit);
    });
  }

  quiet(): void {
    this.pendingCancel?.();
    this.pendingCancel = null;
    this.pending = null;
    this.player?.stop();
    this.player = null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detector = null;
    // What the caller said before hanging up is kept: the recording ends with what came.
    this.stopRecording();
    this.quiet();
    this.bridge?.stop();
    this.rtp?.close();
    this.channel.close();
    // The line is idle again: the card stops sending its audio anywhere.
    this.disconnect();
  }


  /** Runs `start` now if the card's frames flow, else at its first frame (so the start of an announcement is not lost). */
  private whenFlowing(start: () => void): void {
    if (this.flowing) start();
    else this.pending = start;
  }
}

const TONES: Record<CallTone, Tone> = {
  'special-information': SPECIAL_INFORMATION_TONE,
  'test-tone': TEST_TONE_1004,
  ringback: RINGBACK_TONE,
};
