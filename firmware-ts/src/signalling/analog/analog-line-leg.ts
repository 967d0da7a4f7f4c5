import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { CardDriver } from '../../card/card-driver.js';
import type { CallLine } from '../../calls/cdr.js';
import type { LineEnd, LineLeg, LineLegEvents } from '../../calls/line-leg.js';
import type { AnalogLines, LineEvent } from './analog-lines.js';

/** What ends an analog call without the call model asking, and how the CDR words it. */
const LINE_FAILURES: Partial<Record<LineEvent['type'], string>> = {
  'hook-failed': 'the card did not take the line off-hook',
  'no-loop-current': 'no loop current after off-hook: the line did not answer',
  'off-hook-too-long': 'the line was off-hook longer than the guard time and was put back on-hook',
  'line-lost': 'the line was lost under the call (unplugged, or the card restarted)',
};

/**
 * A call ringing on an FXO port as a line leg. An analog line rings at the caller's exchange
 * until it is taken off-hook, so there is nothing to alert and no audio before the answer.
 */
export class AnalogLineLeg extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly earlyMedia = false;
  readonly line: CallLine;
  readonly called = '';
  private releasedHere = false;
  private over = false;

  constructor(
    private readonly lines: AnalogLines,
    private readonly card: CardDriver,
    private readonly port: number,
    readonly calling: string,
    readonly arrivedAt: number,
  ) {
    super();
    this.line = { kind: 'fxo', port };
  }

  alert(): void {}

  answer(): void {
    // The caller may be gone already (the ringing stopped as the agent answered).
    if (this.over || this.lines.view().find((l) => l.port === this.port)?.state !== 'ringing') return;
    this.lines.answer(this.port);
  }

  release(): void {
    if (this.over) return;
    this.releasedHere = true;
    this.over = true;
    this.lines.hangUp(this.port);
  }

  async connectMedia(mediaPort: number): Promise<void> {
    await this.card.command({ type: 'fxoConnect', port: this.port, mediaPort });
  }

  /** The card's DTMF receiver heard a key on the line. */
  keyPressed(digit: string): void {
    if (!this.over) this.emit('digit', digit);
  }

  /** An event of this port's line while the call is on it; true when the call is over. */
  lineEvent(event: LineEvent): boolean {
    if (event.type === 'caller-id') {
      this.emit('caller-id', event.callerId.number);
      return false;
    }
    let end: LineEnd | null = null;
    if (event.type === 'caller-gone') end = { by: 'caller', cause: null, reason: null };
    else if (event.type === 'far-end-hangup') end = { by: 'caller', cause: null, reason: null };
    else if (LINE_FAILURES[event.type]) {
      const answerFailed = event.type === 'hook-failed' || event.type === 'no-loop-current';
      end = { by: 'line', cause: null, reason: LINE_FAILURES[event.type]!, reasonCode: event.type, reasonArgs: [], ...(answerFailed && { answerFailed }) };
    }
    if (!end) return false;
    const mine = !this.releasedHere && !this.over;
    this.over = true;
    if (mine) this.emit('ended', end);
    return true;
  }
}

/**
 * Hands each call that rings on an FXO port to `take` (the call model) as a line leg, and
 * passes the port's later events to it. Returns the function that undoes the wiring.
 */
export function wireAnalogLegs(lines: AnalogLines, card: CardDriver, clock: Clock, take: (leg: LineLeg) => void): () => void {
  const legs = new Map<number, AnalogLineLeg>();
  const onLine = (port: number, event: LineEvent) => {
    if (event.type === 'incoming') {
      const leg = new AnalogLineLeg(lines, card, port, event.callerId?.number ?? '', clock.now());
      legs.set(port, leg);
      return take(leg);
    }
    const leg = legs.get(port);
    if (leg?.lineEvent(event) || (leg && event.type === 'idle')) legs.delete(port);
  };
  // The card's DTMF receiver on the port: keys the caller presses once the line is answered.
  const onDigit = (event: { port: number; digit: string }) => legs.get(event.port)?.keyPressed(event.digit);
  lines.on('line', onLine);
  card.on('fxo-dtmf', onDigit);
  return () => {
    lines.off('line', onLine);
    card.off('fxo-dtmf', onDigit);
  };
}
