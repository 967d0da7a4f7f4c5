import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CardDriver, CardDriverEvents } from '../../card/card-driver.js';
import { DeadlineTimer } from '../../trunks/deadline-timer.js';
import type { FxoSupervisionEvent } from '../../trunks/fxo-supervisor.js';
import type { TrunkMonitor } from '../../trunks/trunk-monitor.js';
import { DEFAULT_LOOP_START_SETTINGS, LoopStartLine, type LineOutput, type LoopStartSettings } from './loop-start.js';

type CardEvent<K extends keyof CardDriverEvents> = Parameters<CardDriverEvents[K]>[0];

/** What happened on a line (the outputs of `LoopStartLine` that are not commands to the card). */
export type LineEvent = Exclude<LineOutput, { type: 'hook' } | { type: 'dial' }>;

export interface AnalogLinesEvents {
  line: (port: number, event: LineEvent) => void;
}

export interface AnalogLinesDeps {
  card: CardDriver;
  /** Its line supervision (battery, polarity, unplugged) drives the far end's hang-up. */
  trunks: TrunkMonitor;
  clock: Clock;
  logger: Logger;
  settings?: Partial<LoopStartSettings>;
}

/**
 * The FXO ports' loop-start lines on the card: the card's reports (rings, caller ID, tones,
 * loop current) and the trunk monitor's line supervision go to each port's `LoopStartLine`;
 * what a line says to do goes to the card (`fxoHook`, `fxoDtmfSend`); what happened is
 * emitted as `line` events for the call model. A port gets its line on its first report.
 */
export class AnalogLines extends TypedEmitter<AnalogLinesEvents> {
  private readonly lines = new Map<number, { line: LoopStartLine; timer: DeadlineTimer }>();
  private readonly settings: LoopStartSettings;
  private readonly onRing = (m: CardEvent<'fxo-ring'>) => this.run(m.port, (l, now) => l.ring(m.on, now));
  private readonly onCallerId = (m: CardEvent<'fxo-caller-id'>) => this.run(m.port, (l, now) => l.callerIdHeard({ number: m.number, name: m.name, method: m.method }, now));
  private readonly onTone = (m: CardEvent<'fxo-tone'>) => this.run(m.port, (l, now) => l.tone(m.tone, now));
  private readonly onStatus = (m: CardEvent<'fxo-status'>) => {
    if (m.offHook && m.loopCurrent > 0) this.run(m.port, (l, now) => l.loopCurrent(now));
  };
  /** At start: no port stays off-hook from before (a firmware that died mid-call left it so). */
  private readonly onCardUp = (inventory: CardEvent<'card-up'>) => {
    for (let port = 0; port < inventory.fxoPorts; port++) void this.d.card.commandOrReport({ type: 'fxoHook', port, offHook: false }, `on-hook on FXO port ${port} at start`);
  };
  /** The card restarted: its hook relays dropped, and every call on its lines with them. */
  private readonly onCardRestarted = () => this.resetAll(false);
  /** The card is lost: the calls are gone for us; on-hook goes to it once it is back. */
  private readonly onCardLost = () => this.resetAll(true);
  private readonly onSupervision = (port: number, event: FxoSupervisionEvent) => {
    if (event.type === 'far-end-disconnect') this.run(port, (l, now) => l.supervision('battery-loss', now));
    else if (event.type === 'polarity-reversal') this.run(port, (l, now) => l.supervision('polarity-reversal', now));
    else if (event.type === 'line-unplugged') this.run(port, (l, now) => l.plugged(false, now));
    else this.run(port, (l, now) => l.plugged(true, now));
  };

  constructor(private readonly d: AnalogLinesDeps) {
    super();
    this.settings = { ...DEFAULT_LOOP_START_SETTINGS, ...d.settings };
    d.card.on('fxo-ring', this.onRing);
    d.card.on('fxo-caller-id', this.onCallerId);
    d.card.on('fxo-tone', this.onTone);
    d.card.on('fxo-status', this.onStatus);
    d.trunks.on('fxo-line', this.onSupervision);
    d.card.on('card-up', this.onCardUp);
    d.card.on('card-restarted', this.onCardRestarted);
    d.card.on('card-lost', this.onCardLost);
  }

  /** Answers the call ringing on `port`. */
  answer(port: number): void {
    this.run(port, (l, now) => l.answer(now));
  }

  /** Ends the call on `port` from our side. */
  hangUp(port: number): void {
    this.run(port, (l, now) => l.hangUp(now));
  }

  /** Seizes `port` to call `digits`; the outcome comes as a `seized` or `seize-failed` event. */
  seize(port: number, digits: string): void {
    this.run(port, (l, now) => l.seize(digits, now));
  }

  /** Each port's line as `countyline status` would show it. */
  view(): (LoopStartLine['view'] & { port: number })[] {
    return [...this.lines.entries()].sort(([a], [b]) => a - b).map(([port, { line }]) => ({ port, ...line.view }));
  }

  stop(): void {
    this.d.card.off('fxo-ring', this.onRing);
    this.d.card.off('fxo-caller-id', this.onCallerId);
    this.d.card.off('fxo-tone', this.onTone);
    this.d.card.off('fxo-status', this.onStatus);
    this.d.trunks.off('fxo-line', this.onSupervision);
    this.d.card.off('card-up', this.onCardUp);
    this.d.card.off('card-restarted', this.onCardRestarted);
    this.d.card.off('card-lost', this.onCardLost);
    for (const { timer } of this.lines.values()) timer.cancel();
  }

  private lineOf(port: number) {
    let entry = this.lines.get(port);
    if (!entry) {
      const line = new LoopStartLine(port, this.settings, this.d.clock.now());
      entry = { line, timer: new DeadlineTimer(this.d.clock, (now) => this.run(port, (l) => l.tick(now))) };
      this.lines.set(port, entry);
    }
    return entry;
  }

  private resetAll(onHook: boolean): void {
    for (const port of this.lines.keys()) this.run(port, (l, now) => l.cardReset(now, onHook));
  }

  /**
   * One step of a port's line, then what it says: commands to the card, events to listeners.
   * Off-hook goes once, and a refusal releases the line; on-hook, the safe state, is kept and
   * sent again until the card takes it. A step the line's table does not allow throws
   * `IllegalLineMoveError` and changes nothing.
   */
  private run(port: number, step: (line: LoopStartLine, now: number) => LineOutput[]): void {
    const { line, timer } = this.lineOf(port);
    const outputs = step(line, this.d.clock.now());
    timer.set(line.nextDeadline());
    for (const out of outputs) {
      switch (out.type) {
        case 'hook':
          if (!out.offHook) {
            void this.d.card.commandOrReport({ type: 'fxoHook', port, offHook: false }, `on-hook on FXO port ${port}`);
            break;
          }
          this.d.card.command({ type: 'fxoHook', port, offHook: true }).catch((err: Error) => {
            this.d.logger.error({ port, err: err.message }, `the card did not take off-hook on FXO port ${port}`);
            this.run(port, (l, now) => l.hookFailed(now));
          });
          break;
        case 'dial': {
          const call = line.callNumber;
          this.d.card.command({ type: 'fxoDtmfSend', port, digits: out.digits }).catch((err: Error) => {
            this.d.logger.error({ port, err: err.message }, `the card did not dial on FXO port ${port}`);
            this.run(port, (l, now) => l.dialFailed(call, now));
          });
          break;
        }
        default:
          this.d.logger.info({ port, event: out }, `FXO port ${port}: ${out.type}`);
          this.emit('line', port, out);
      }
    }
  }
}
