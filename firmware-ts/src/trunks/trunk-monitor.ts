import { TypedEmitter, type Clock, type MessageOf } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { CardDriver } from '../card/card-driver.js';
import { DeadlineTimer } from './deadline-timer.js';
import { FxoSupervisor, type FxoSupervisionEvent, type FxoSupervisorSettings, type FxoLineState } from './fxo-supervisor.js';
import { G826Counters, type G826Settings, type SavedG826, type IntervalCounts, type ThresholdCrossing } from './g826-counters.js';
import { SpanAlarm, type SpanAlarmSettings, type SpanAlarmState, type SpanAlarmTransition } from './span-alarm.js';

export interface TrunkMonitorSettings {
  spanAlarm: SpanAlarmSettings;
  g826: G826Settings;
  fxo: FxoSupervisorSettings;
}

export interface TrunkMonitorEvents {
  'span-alarm': (span: number, transition: SpanAlarmTransition) => void;
  'span-tca': (span: number, crossing: ThresholdCrossing) => void;
  'fxo-line': (port: number, event: FxoSupervisionEvent) => void;
}

export interface SpanHealth {
  span: number;
  alarm: SpanAlarmState;
  /** Defects behind the alarm (for recovering: those of the alarm that ended). */
  alarmCauses: string[];
  alarmSince: number;
  available: boolean;
  /** Seconds held back until their availability is known (at most 10). */
  pendingSeconds: number;
  current15min: IntervalCounts | null;
  day: IntervalCounts | null;
  intervals: IntervalCounts[];
}

export interface FxoHealth {
  port: number;
  line: FxoLineState;
  since: number;
  voltage: number | null;
  loopCurrent: number | null;
  hook: 'on' | 'off';
  polarity: 'normal' | 'reversed' | null;
}

interface SpanWatch {
  alarm: SpanAlarm;
  g826: G826Counters;
  timer: DeadlineTimer;
  lastSecond: number | null;
  /** RAI asked of the card. */
  rai: boolean;
}

interface PortWatch {
  supervisor: FxoSupervisor;
  timer: DeadlineTimer;
}

/**
 * Trunk health from what the card reports: the span alarm state and G.826 counters of each
 * E1 span, and supervision of each FXO line. While a span is red or blue, and until it is
 * declared clear, it asks the card to send RAI toward the far end. Typed events out; the alarm rules
 * turn them into alarm records.
 */
export class TrunkMonitor extends TypedEmitter<TrunkMonitorEvents> {
  private readonly spans = new Map<number, SpanWatch>();
  private readonly ports = new Map<number, PortWatch>();
  /** Time source for G.826 intervals: wall-clock, as the operators' reports are. */
  private readonly wallClock: () => number;

  constructor(
    private readonly card: CardDriver,
    private readonly clock: Clock,
    private readonly settings: TrunkMonitorSettings,
    private readonly log: Logger,
    wallClock?: () => number,
  ) {
    super();
    this.wallClock = wallClock ?? (() => clock.now());
    card.on('span-status', this.listeners.spanStatus);
    card.on('span-counters', this.listeners.spanCounters);
    card.on('fxo-status', this.listeners.fxoStatus);
    card.on('card-back', this.listeners.cardBack);
  }

  private readonly listeners = {
    spanStatus: (m: MessageOf<'spanStatus'>) => this.onSpanStatus(m),
    spanCounters: (m: MessageOf<'spanCounters'>) => this.onSpanCounters(m),
    fxoStatus: (m: MessageOf<'fxoStatus'>) => this.onFxoStatus(m),
    cardBack: () => this.resyncRai(),
  };

  /** Stops listening to the card and cancels every timer: nothing the card says later counts. */
  stop(): void {
    this.card.off('span-status', this.listeners.spanStatus);
    this.card.off('span-counters', this.listeners.spanCounters);
    this.card.off('fxo-status', this.listeners.fxoStatus);
    this.card.off('card-back', this.listeners.cardBack);
    for (const w of this.spans.values()) w.timer.cancel();
    for (const w of this.ports.values()) w.timer.cancel();
  }

  spanHealth(): SpanHealth[] {
    return [...this.spans.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([span, w]) => {
        const current = w.alarm.current;
        return {
          span,
          alarm: current.state,
          alarmCauses: current.causes,
          alarmSince: current.since,
          available: w.g826.isAvailable,
          pendingSeconds: w.g826.pendingSeconds,
          current15min: w.g826.current(),
          day: w.g826.day(),
          intervals: w.g826.intervals(),
        };
      });
  }

  fxoHealth(): FxoHealth[] {
    return [...this.ports.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([port, w]) => {
        const v = w.supervisor.view;
        return { port, line: v.line, since: v.since, voltage: v.voltage, loopCurrent: v.loopCurrent, hook: v.offHook ? 'off' : 'on', polarity: v.polarity };
      });
  }

  /** Restores G.826 history kept from before a restart. */
  restoreSpan(span: number, saved: SavedG826): void {
    this.spanWatch(span).g826.restore(saved);
  }

  savedSpans(): { span: number; g826: SavedG826 }[] {
    return [...this.spans.entries()].map(([span, w]) => ({ span, g826: w.g826.toJSON() }));
  }

  private spanWatch(span: number): SpanWatch {
    let w = this.spans.get(span);
    if (!w) {
      const alarm = new SpanAlarm(this.settings.spanAlarm, this.clock.now());
      const watch: SpanWatch = {
        alarm,
        g826: new G826Counters(this.settings.g826),
        timer: new DeadlineTimer(this.clock, (now) => this.spanTransition(span, watch, alarm.tick(now))),
        lastSecond: null,
        rai: false,
      };
      this.spans.set(span, (w = watch));
    }
    return w;
  }

  private onSpanStatus(m: MessageOf<'spanStatus'>): void {
    const w = this.spanWatch(m.span);
    this.spanTransition(m.span, w, w.alarm.update(m.defects, this.clock.now()));
  }

  private spanTransition(span: number, w: SpanWatch, transition: SpanAlarmTransition | null): void {
    w.timer.set(w.alarm.nextDeadline());
    if (!transition) return;
    const level = transition.to === 'none' || transition.to === 'recovering' ? 'info' : 'warn';
    this.log[level]({ span, from: transition.from, to: transition.to, causes: transition.causes }, `span ${span} ${transition.to}`);
    // Consequent action (G.732, as DAHDI does it): while the span has no usable signal (red or
    // blue) send RAI to the far end, and keep sending it until the span is declared clear.
    const raiWanted = transition.to === 'red' || transition.to === 'blue' || (transition.to === 'recovering' && w.rai);
    if (raiWanted !== w.rai) {
      w.rai = raiWanted;
      this.sendRai(span, raiWanted);
    }
    this.emit('span-alarm', span, transition);
  }

  private sendRai(span: number, on: boolean): void {
    this.card.command({ type: 'spanSendRai', span, on }).catch((err: Error) => {
      // The card resyncs RAI when it comes back; see resyncRai.
      this.log.warn({ span, on, err: err.message }, 'could not set RAI on the span');
    });
  }

  private resyncRai(): void {
    for (const [span, w] of this.spans) if (w.rai) this.sendRai(span, true);
  }

  private onSpanCounters(m: MessageOf<'spanCounters'>): void {
    const w = this.spanWatch(m.span);
    if (w.lastSecond !== null && m.second === w.lastSecond) return; // the same second again
    w.lastSecond = m.second;
    const defects = m.defects;
    const crossings = w.g826.addSecond({
      at: this.wallClock(),
      crc4Errors: m.crc4Errors,
      eBits: m.eBits,
      lineCodeViolations: m.lineCodeViolations,
      slips: m.slips,
      defect: defects.los || defects.lof || defects.lmfa || defects.ais,
      inAlarm: w.alarm.current.state !== 'none',
    });
    for (const crossing of crossings) {
      this.log.warn({ span: m.span, ...crossing }, `span ${m.span} ${crossing.counter} crossed ${crossing.threshold} in the ${crossing.period}`);
      this.emit('span-tca', m.span, crossing);
    }
  }

  private onFxoStatus(m: MessageOf<'fxoStatus'>): void {
    let w = this.ports.get(m.port);
    if (!w) {
      const supervisor = new FxoSupervisor(this.settings.fxo, this.clock.now());
      const watch: PortWatch = { supervisor, timer: new DeadlineTimer(this.clock, (now) => this.fxoEvents(m.port, watch, supervisor.tick(now))) };
      this.ports.set(m.port, (w = watch));
    }
    this.fxoEvents(m.port, w, w.supervisor.update(m, this.clock.now()));
  }

  private fxoEvents(port: number, w: PortWatch, events: FxoSupervisionEvent[]): void {
    w.timer.set(w.supervisor.nextDeadline());
    for (const event of events) {
      this.log.info({ port, ...event }, `FXO port ${port} ${event.type}`);
      this.emit('fxo-line', port, event);
    }
  }
}
