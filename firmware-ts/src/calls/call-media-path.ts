import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { MediaBridge } from '../media/media-bridge.js';
import type { MediaChannel, MediaHighway } from '../media/media-channel.js';
import type { RtpPorts } from '../media/rtp-ports.js';
import { RtpSession } from '../media/rtp-session.js';
import { TonePlayer } from '../media/tone-player.js';
import { SPECIAL_INFORMATION_TONE, TEST_TONE_1004 } from '../media/tones.js';
import type { CallMedia, CallMediaFactory, PhoneMedia } from './call-ports.js';
import type { LineLeg } from './line-leg.js';

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
export class CallMediaPath implements CallMediaFactory {
  constructor(private readonly d: CallMediaPathDeps) {}

  async open(leg: LineLeg): Promise<CallMedia> {
    const channel = await this.d.highway.open();
    let rtp: RtpSession | null = null;
    try {
      await leg.connectMedia(channel.port);
      if (this.d.rtp) rtp = await RtpSession.open({ ports: this.d.rtp.ports, logger: this.d.logger, address: this.d.rtp.bind });
    } catch (err) {
      channel.close();
      throw err;
    }
    return new OneCallMedia(leg, channel, rtp, this.d);
  }
}

class OneCallMedia implements CallMedia {
  private bridge: MediaBridge | null = null;
  private player: TonePlayer | null = null;
  private closed = false;

  constructor(
    private readonly leg: LineLeg,
    private readonly channel: MediaChannel,
    private readonly rtp: RtpSession | null,
    private readonly d: CallMediaPathDeps,
  ) {}

  get local(): { address: string; port: number } {
    if (!this.rtp || !this.d.rtp) throw new Error('this box has no RTP toward phones (no agents configured)');
    return { address: this.d.rtp.address(), port: this.rtp.port };
  }

  connectPhone(phone: PhoneMedia): void {
    if (this.closed || !this.rtp) return;
    this.stopTone();
    this.rtp.setRemote({ address: phone.address, port: phone.port, ...(phone.telephoneEvent !== null && { telephoneEventPt: phone.telephoneEvent }) });
    this.bridge?.stop();
    this.bridge = new MediaBridge(this.channel, this.rtp);
  }

  hold(on: boolean): void {
    this.bridge?.hold(on);
  }

  play(tone: 'special-information' | 'test-tone'): void {
    if (this.closed) return;
    this.stopTone();
    this.player = new TonePlayer(this.channel, tone === 'test-tone' ? TEST_TONE_1004 : SPECIAL_INFORMATION_TONE, this.d.clock);
    this.player.start();
  }

  frames(): { toLine: number; fromLine: number } {
    const bridge = this.bridge?.counters();
    return { toLine: (bridge?.toLine ?? 0) + (bridge?.silenceToLine ?? 0) + (this.player?.framesSent ?? 0), fromLine: bridge?.toPhone ?? 0 };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTone();
    this.bridge?.stop();
    this.rtp?.close();
    this.channel.close();
    // The line is idle again: the card stops sending its audio anywhere.
    this.leg.connectMedia(0).catch((err: Error) => this.d.logger.warn({ line: this.leg.line, err: err.message }, 'the card did not take the media disconnect'));
  }

  private stopTone(): void {
    this.player?.stop();
    this.player = null;
  }
}
