import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { CallMedia, CallMediaFactory } from './call-ports.js';
import type { CallLine } from './cdr.js';
import type { LineEnd } from './line-leg.js';
import type { AnswerSignal, OutboundProgress } from './outbound-leg.js';
import type { LineKind, OutboundLines } from './outbound-lines.js';

export interface DialRequest {
  number: string;
  /** `any`: E1 first where the box has SS7, else FXO, each falling back to the other. */
  line: LineKind | 'any';
  /** How long the call stays up once answered, with the 1004 Hz test tone in the line. */
  holdSeconds: number;
}

export type DialProgress =
  | { event: 'placed'; line: string }
  | { event: OutboundProgress; line: string }
  | { event: 'answered'; line: string; signal: AnswerSignal };

export interface DialResult {
  line: string;
  answered: boolean;
  answeredBy: AnswerSignal | null;
  /** `box`: held for `holdSeconds` and released; `far-end`: the called party hung up or refused; `line`: the line failed. */
  endedBy: 'box' | 'far-end' | 'line';
  cause: number | null;
  reason: string | null;
  durationMs: number;
}

/** A line as `countyline trunks` names its circuits: fxo/N, e1/S/T. */
export function lineName(line: CallLine): string {
  return line.kind === 'fxo' ? `fxo/${line.port}` : `e1/${line.span}/${line.timeslot}`;
}

/**
 * A technician's call out (`countyline dial`): places the call as a callback would be, puts
 * the 1004 Hz test tone into the line once it is answered, so the far end hears the box's
 * audio path, holds it `holdSeconds` and releases it (cause 16). `signal` aborting (the
 * firmware stopping) releases it at once.
 */
export async function dialOut(
  d: { lines: OutboundLines; media: CallMediaFactory; clock: Clock; signal: AbortSignal },
  request: DialRequest,
  progress: (p: DialProgress) => void,
): Promise<DialResult> {
  const leg = await d.lines.place({ number: request.number, ...(request.line !== 'any' && { prefer: request.line, only: true }) });
  const startedAt = d.clock.now();
  progress({ event: 'placed', line: lineName(leg.line) });
  let media: CallMedia | null = null;
  let hold: TimerHandle | null = null;
  let result: DialResult | null = null;
  const over = new Promise<DialResult>((resolve) => {
    const done = (endedBy: DialResult['endedBy'], cause: number | null, reason: string | null) => {
      if (result) return;
      if (hold !== null) d.clock.clearTimeout(hold);
      d.signal.removeEventListener('abort', release);
      media?.close();
      resolve((result = { line: lineName(leg.line), answered: leg.answeredBy !== null, answeredBy: leg.answeredBy, endedBy, cause, reason, durationMs: d.clock.now() - startedAt }));
    };
    function release() {
      leg.release(16);
      done('box', 16, null);
    }
    leg.on('progress', (event) => progress({ event, line: lineName(leg.line) }));
    leg.on('answered', (signal) => {
      progress({ event: 'answered', line: lineName(leg.line), signal });
      media?.play('test-tone');
      hold = d.clock.setTimeout(release, request.holdSeconds * 1000);
    });
    leg.on('ended', (end: LineEnd) => done(end.by === 'caller' ? 'far-end' : 'line', end.cause, end.reason));
    if (d.signal.aborted) return release();
    d.signal.addEventListener('abort', release, { once: true });
  });
  // The line's audio: the tone goes in once answered (or now, if the answer came first).
  const opened = await d.media.open(leg).catch(() => null);
  if (result) opened?.close();
  else {
    media = opened;
    if (leg.answeredBy) media?.play('test-tone');
  }
  return over;
}
