import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CardDriver } from '../card/card-driver.js';
import { CountylineError, type NoLineWhy } from '../errors.js';
import { AnalogOutboundLeg, DEFAULT_ANALOG_OUTBOUND, SeizeFailedError, type AnalogOutboundSettings, type SeizeFailure } from '../signalling/analog/analog-outbound-leg.js';
import type { AnalogLines } from '../signalling/analog/analog-lines.js';
import { IsupDialError, IsupOutboundLeg } from '../signalling/isup/isup-outbound-leg.js';
import type { IsupStack } from '../signalling/isup/isup-stack.js';
import { PriDialError, PriOutboundLeg } from '../signalling/pri/pri-outbound-leg.js';
import type { PriStack } from '../signalling/pri/pri-stack.js';
import type { TrunkMonitor } from '../trunks/trunk-monitor.js';
import type { OutboundLeg } from './outbound-leg.js';

export type LineKind = 'fxo' | 'e1';

export interface PlaceRequest {
  /** The number to call: 1 to 20 digits. */
  number: string;
  /** The kind of line to try first; default E1 where the box has SS7 or PRI, else FXO. */
  prefer?: LineKind;
  /** Only the preferred kind: no falling back to the other. */
  only?: boolean;
}

export interface OutboundLinesDeps {
  card: CardDriver;
  clock: Clock;
  logger: Logger;
  analog: AnalogLines;
  /** Its FXO line supervision says which ports have a line plugged in. */
  trunks: TrunkMonitor;
  /** The ISUP stack, when the box has SS7 toward the exchange. */
  isup: IsupStack | null;
  /** The PRI stack, when the box has ISDN PRI toward the exchange (E1 calls go there when there is no SS7). */
  pri: PriStack | null;
  /** The box's own number, sent as the calling party number in IAMs (SS7); none by default. */
  calling?: string;
  /** The same for SETUPs (PRI: `pri.callingNumber`); none by default. */
  priCalling?: string;
  /** How calls on FXO lines are taken as answered (see `AnalogOutboundSettings`). */
  fxo?: Partial<AnalogOutboundSettings>;
}

const NUMBER = /^[0-9]{1,20}$/;

/** A kind of line that could not take the call, and why. */
class NoLine extends Error {
  constructor(readonly why: NoLineWhy) {
    super(why);
  }
}

/**
 * Places calls out (callbacks) on the box's lines: an E1 circuit chosen by the ISUP circuit
 * selection (Q.764 2.9.1.3: circuits this box controls first, so dual seizure is rare and
 * settled by the odd/even rule when it comes), a PRI B-channel (SETUP; the network's own call
 * on the same channel wins and ours is repeated on another), or an idle FXO port with its line
 * plugged in. A box has SS7 or PRI on its E1, so an E1 call goes over whichever it has (SS7
 * first should both ever be configured). `place` resolves with the call's leg once the line
 * is seized (IAM or SETUP sent; FXO off-hook with dial tone and dialling), for the call model
 * to connect its audio and bridge it to an agent; it rejects with
 * `CountylineError('no-line-free')` naming, per kind of line tried, why none could take it.
 */
export class OutboundLines {
  private readonly fxoSettings: AnalogOutboundSettings;

  constructor(private readonly d: OutboundLinesDeps) {
    this.fxoSettings = { ...DEFAULT_ANALOG_OUTBOUND, ...d.fxo };
  }

  async place(request: PlaceRequest): Promise<OutboundLeg> {
    const { number } = request;
    if (!NUMBER.test(number)) throw new CountylineError('dial-number-invalid', { number });
    const first: LineKind = request.prefer ?? (this.d.isup || this.d.pri ? 'e1' : 'fxo');
    const kinds: LineKind[] = request.only ? [first] : [first, first === 'e1' ? 'fxo' : 'e1'];
    const refused: { kind: LineKind; why: NoLineWhy }[] = [];
    for (const kind of kinds) {
      try {
        const leg = kind === 'e1' ? await this.placeE1(number) : await this.placeFxo(number);
        this.d.logger.info({ number, line: leg.line }, 'call out placed');
        return leg;
      } catch (err) {
        if (!(err instanceof NoLine)) throw err;
        // A kind the box does not have is not worth naming when the other was tried.
        refused.push({ kind, why: err.why });
      }
    }
    const named = refused.length > 1 ? refused.filter((r) => r.why !== 'none') : refused;
    const lines = named.length > 0 ? named : refused;
    this.d.logger.warn({ number, lines }, 'no line free for a call out');
    throw new CountylineError('no-line-free', { number, lines });
  }

  /**
   * FXO ports that may take a call out, best first: plugged in, on-hook, their line idle. The
   * highest-numbered goes first: exchanges hunt incoming calls from the first line of a group,
   * so calls out from the other end meet them (loop-start glare) least.
   */
  idleFxoPorts(): number[] {
    const states = new Map(this.d.analog.view().map((l) => [l.port, l.state]));
    return this.d.trunks
      .fxoHealth()
      .filter((p) => p.line === 'present' && p.hook === 'on' && (states.get(p.port) ?? 'idle') === 'idle')
      .map((p) => p.port)
      .sort((a, b) => b - a);
  }

  private async placeE1(number: string): Promise<OutboundLeg> {
    const isup = this.d.isup;
    if (!isup) return this.placePri(number);
    if (this.d.card.current !== 'up') throw new NoLine('card-down');
    const leg = new IsupOutboundLeg(isup, this.d.card, this.d.clock, number, this.d.calling ?? '');
    try {
      await leg.start();
    } catch (err) {
      if (!(err instanceof IsupDialError)) throw err;
      const code = err.outcome.reasonCode;
      throw new NoLine(code === 'link-down' ? 'link-down' : code === 'not-ready' ? 'not-ready' : 'no-circuit');
    }
    return leg;
  }

  private async placePri(number: string): Promise<OutboundLeg> {
    const pri = this.d.pri;
    if (!pri) throw new NoLine('none');
    if (this.d.card.current !== 'up') throw new NoLine('card-down');
    const leg = new PriOutboundLeg(pri, this.d.card, this.d.clock, number, this.d.priCalling ?? '');
    try {
      await leg.start();
    } catch (err) {
      if (!(err instanceof PriDialError)) throw err;
      throw new NoLine(err.why);
    }
    return leg;
  }

  private async placeFxo(number: string): Promise<OutboundLeg> {
    if (this.d.card.current !== 'up') throw new NoLine('card-down');
    const ports = this.idleFxoPorts();
    if (ports.length === 0) {
      const health = this.d.trunks.fxoHealth();
      if (health.length === 0) throw new NoLine('none');
      throw new NoLine(health.every((p) => p.line !== 'present') ? 'unplugged' : 'busy');
    }
    let last: SeizeFailure = 'line-busy';
    // A port that fails to seize (no dial tone, an incoming call as we went off-hook) is
    // passed over for the next.
    for (const port of ports) {
      const leg = new AnalogOutboundLeg(this.d.analog, this.d.card, this.d.clock, port, number, this.fxoSettings);
      try {
        await leg.start();
        return leg;
      } catch (err) {
        if (!(err instanceof SeizeFailedError)) throw err;
        this.d.logger.warn({ port, reason: err.reason }, `FXO port ${port} could not be seized for a call out`);
        last = err.reason;
      }
    }
    throw new NoLine(SEIZE_WHY[last]);
  }
}

const SEIZE_WHY: Record<SeizeFailure, NoLineWhy> = {
  'line-busy': 'busy',
  ringing: 'busy',
  cancelled: 'busy',
  glare: 'glare',
  unplugged: 'unplugged',
  'no-dial-tone': 'no-dial-tone',
  'dial-failed': 'no-dial-tone',
  'hook-failed': 'card-down',
};
