import { ALAW_SILENCE } from './alaw.js';
import { FRAME_OCTETS, type MediaChannel } from './media-channel.js';
import type { RtpSession } from './rtp-session.js';

/** The media of one call, frame by frame, for the CDR and diagnostics. */
export interface MediaBridgeCounters {
  /** Frames of the caller's voice sent to the phone. */
  toPhone: number;
  /** Frames of the phone's audio sent to the line. */
  toLine: number;
  /** Silence frames sent to the line while the phone held the call. */
  silenceToLine: number;
  /** Frames from the phone dropped while it held the call. */
  heldFromPhone: number;
}

const SILENCE = Buffer.alloc(FRAME_OCTETS, ALAW_SILENCE);

/**
 * Joins a line (the card's media channel) and a phone (an RTP session) both ways, without
 * transcoding: both sides carry G.711 A-law in 20 ms frames.
 *
 * While the phone holds the call the caller hears silence: every frame from the line
 * (the highway delivers one each 20 ms) is answered with an A-law silence frame, so the line
 * keeps a steady stream even when the phone sends nothing on hold (RFC 3264 8.4,
 * a=sendonly/inactive), and whatever the phone does send is dropped. The caller's voice
 * still goes to the phone: only the line-bound direction is muted.
 *
 * Stops by itself when either side closes; it closes neither (the call owns both).
 */
export class MediaBridge {
  private onHold = false;
  private stopped = false;
  private readonly count: MediaBridgeCounters = { toPhone: 0, toLine: 0, silenceToLine: 0, heldFromPhone: 0 };
  private readonly fromPhone = (frame: Buffer) => {
    if (this.stopped) return;
    if (this.onHold) {
      this.count.heldFromPhone++;
      return;
    }
    this.count.toLine++;
    this.line.send(frame);
  };
  private readonly phoneClosed = () => this.stop();

  constructor(
    private readonly line: MediaChannel,
    private readonly phone: RtpSession,
  ) {
    // MediaChannel has no way to remove a listener: this one goes quiet once stopped.
    line.onFrame((frame) => {
      if (this.stopped) return;
      this.count.toPhone++;
      phone.send(frame);
      if (this.onHold) {
        this.count.silenceToLine++;
        line.send(SILENCE);
      }
    });
    line.onClose(() => this.stop());
    phone.on('frame', this.fromPhone);
    phone.on('closed', this.phoneClosed);
  }

  get held(): boolean {
    return this.onHold;
  }

  /** The phone put the call on hold (true) or took it back (false). */
  hold(on: boolean): void {
    this.onHold = on;
  }

  counters(): MediaBridgeCounters {
    return { ...this.count };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.phone.off('frame', this.fromPhone);
    this.phone.off('closed', this.phoneClosed);
  }
}
