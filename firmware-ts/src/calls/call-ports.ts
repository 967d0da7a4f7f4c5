import type { TypedEmitter } from '@countyline/e1-gateway';
import type { LineLeg } from './line-leg.js';

// What the call model needs of the agents' phones and of the media path, and no more: the SIP
// layer and the media layer implement these, and the call model knows neither.

/** An agent who may be offered a call. */
export interface AgentRef {
  user: string;
  name: string;
}

/** Where a phone's audio goes (from its SDP). */
export interface PhoneMedia {
  address: string;
  port: number;
  /** The RTP payload type of DTMF (telephone-event, RFC 4733) the phone offered; null when none. */
  telephoneEvent: number | null;
}

export interface AgentCallEnd {
  by: 'agent' | 'box';
  reason: 'busy' | 'rejected' | 'no-answer' | 'hangup' | 'failed';
  /** The SIP status that ended it, where one did. */
  status?: number;
}

export interface AgentCallEvents {
  ringing: () => void;
  answered: (media: PhoneMedia) => void;
  /** The agent put the caller on hold (true) or took the call back (false). */
  hold: (on: boolean) => void;
  ended: (end: AgentCallEnd) => void;
}

/** One agent's phone called for one call. */
export interface AgentCallLeg extends TypedEmitter<AgentCallEvents> {
  /** CANCEL while it rings, BYE once answered; `ended` follows with `by: 'box'`. */
  hangUp(): void;
}

export interface AgentCallRequest {
  agent: string;
  callerNumber: string;
  callerName?: string;
  /** Where the phone sends its audio: the call's RTP port on the box. */
  localMedia: { address: string; port: number };
  ringTimeoutMs: number;
}

export interface AgentPhones {
  /** Every agent of the config, in its order. */
  list(): readonly (AgentRef & { wrapUpMs: number })[];
  /** Whether the agent's phone can be called: registered, and answering the keep-alive. */
  phoneUp(user: string): boolean;
  /** Calls `listener` when an agent's phone comes up or goes; returns the unsubscribe. */
  onPhoneChange(listener: (user: string, up: boolean) => void): () => void;
  /** Marks an agent busy (ringing or on a call) or free again, for `countyline agents`. */
  setBusy(user: string, busy: boolean): void;
  call(request: AgentCallRequest): AgentCallLeg;
}

/** Why a call goes to the city centre (config `queue.centre.when`). */
export type CentreReason = 'after-hours' | 'no-agent' | 'overflow';

/** The SIP trunk towards the city centre's hotline (config `queue.centre`). */
export interface CentreTrunk {
  /** Where the calls go, for the logs and the CDR. */
  readonly uri: string;
  /** Calls the centre for one caller; it ends like an agent's phone (busy, no answer, failed). */
  call(request: { callerNumber: string; localMedia: { address: string; port: number }; ringTimeoutMs: number }): AgentCallLeg;
}

/** Tones the box plays to a caller: no agent (E.180), the test line's 1004 Hz, ringback while waiting. */
export type CallTone = 'special-information' | 'test-tone' | 'ringback';

/** The audio of one call: the line's media channel, and the RTP toward a phone. */
export interface CallMedia {
  /** Where the phone is to send its RTP, for the offer. */
  readonly local: { address: string; port: number };
  /** Audio both ways between the line and the phone that answered. */
  connectPhone(phone: PhoneMedia): void;
  /** Mutes the line's side while the phone holds the call (the caller hears silence). */
  hold(on: boolean): void;
  /** Plays a tone into the line (until something else plays) instead of the phone's audio. */
  play(tone: CallTone): void;
  /**
   * Plays recorded audio (raw A-law) into the line once. Resolves true when it played to the
   * end, false when something cut it short (another tone or prompt, a phone, close).
   */
  playAudio(alaw: Buffer): Promise<boolean>;
  /** Stops whatever plays: the caller hears silence. */
  quiet(): void;
  /**
   * Records what the caller sends (the line's raw A-law, 8 kHz) from now until `maxMs` of
   * audio, `stopRecording()` or `close()`, and resolves with it (empty when none came). A
   * recording started while another runs ends that one first.
   */
  record(maxMs: number): Promise<Buffer>;
  /** Ends the recording under way; `dropLastMs` leaves out its last ms (the key that ended it). */
  stopRecording(dropLastMs?: number): void;
  /** Keys the caller presses, heard in the line's audio (in-band DTMF), where the line has no receiver of its own; until a phone is connected (no key matters after). */
  onDigit(listener: (digit: string) => void): void;
  close(): void;
}

export interface CallMediaFactory {
  /** Opens the call's audio: a media channel connected to the leg's line, and an RTP port. */
  open(leg: LineLeg): Promise<CallMedia>;
}
