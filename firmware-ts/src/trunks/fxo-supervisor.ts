/**
 * Supervision of one analog loop-start line from the card's voltage reports (China: idle
 * about -48 V, off-hook 5-12 V, ringing above 60 V AC; DAHDI wctdm `battthresh`, `battdebounce`,
 * `battalarm`):
 *
 * - battery lost (|V| below the threshold) for `hangupDebounceMs` while off-hook: the far end
 *   hung up (open-loop disconnect);
 * - battery lost for `alarmMs`: no line on the port (unplugged, or the exchange lost it);
 * - battery back for `hangupDebounceMs`: line present, whatever the port was before, with no
 *   configuration: a county office can plug a line into any port;
 * - polarity steady on the other side for `polarityDebounceMs`: a polarity reversal.
 *
 * Pure: `update(sample, now)` on each report, `tick(now)` at `nextDeadline()`.
 */
export interface FxoSupervisorSettings {
  batteryThresholdV: number;
  hangupDebounceMs: number;
  alarmMs: number;
  polarityDebounceMs: number;
}

export const DEFAULT_FXO_SUPERVISOR_SETTINGS: Readonly<FxoSupervisorSettings> = Object.freeze({
  batteryThresholdV: 3,
  hangupDebounceMs: 64,
  alarmMs: 1000,
  polarityDebounceMs: 64,
});

export interface FxoSample {
  voltage: number;
  loopCurrent: number;
  offHook: boolean;
  polarity: 'normal' | 'reversed';
}

export type FxoLineState = 'unknown' | 'present' | 'unplugged';

export type FxoSupervisionEvent =
  | { type: 'line-present'; voltage: number; at: number }
  | { type: 'line-unplugged'; at: number }
  | { type: 'far-end-disconnect'; at: number }
  | { type: 'polarity-reversal'; polarity: 'normal' | 'reversed'; at: number };

export class FxoSupervisor {
  private line: FxoLineState = 'unknown';
  private sample: FxoSample | null = null;
  /** When the battery went (or came back), or null if no change is pending. */
  private batteryLostAt: number | null = null;
  private batteryBackAt: number | null = null;
  private disconnectReported = false;
  private polarity: 'normal' | 'reversed' | null = null;
  private polarityChangeAt: number | null = null;
  private lineSince: number;

  constructor(
    private readonly settings: FxoSupervisorSettings = DEFAULT_FXO_SUPERVISOR_SETTINGS,
    now = 0,
  ) {
    this.lineSince = now;
  }

  get view(): { line: FxoLineState; since: number; voltage: number | null; loopCurrent: number | null; offHook: boolean; polarity: 'normal' | 'reversed' | null } {
    return {
      line: this.line,
      since: this.lineSince,
      voltage: this.sample?.voltage ?? null,
      loopCurrent: this.sample ? (this.sample.offHook ? this.sample.loopCurrent : 0) : null,
      offHook: this.sample?.offHook ?? false,
      polarity: this.polarity,
    };
  }

  update(sample: FxoSample, now: number): FxoSupervisionEvent[] {
    const hadBattery = this.sample ? this.hasBattery(this.sample) : null;
    const battery = this.hasBattery(sample);
    this.sample = { ...sample };
    if (battery !== hadBattery) {
      if (battery) {
        this.batteryLostAt = null;
        this.batteryBackAt = now;
      } else {
        this.batteryBackAt = null;
        this.batteryLostAt = now;
        // Only a loss of battery during a call is a far-end disconnect.
        this.disconnectReported = !sample.offHook;
      }
    }
    if (this.polarity === null) this.polarity = sample.polarity;
    else if (sample.polarity !== this.polarity) this.polarityChangeAt ??= now;
    else this.polarityChangeAt = null;
    return this.evaluate(now);
  }

  tick(now: number): FxoSupervisionEvent[] {
    return this.evaluate(now);
  }

  nextDeadline(): number | null {
    const deadlines: number[] = [];
    if (this.batteryBackAt !== null) deadlines.push(this.batteryBackAt + this.settings.hangupDebounceMs);
    if (this.batteryLostAt !== null) {
      if (!this.disconnectReported) deadlines.push(this.batteryLostAt + this.settings.hangupDebounceMs);
      if (this.line !== 'unplugged') deadlines.push(this.batteryLostAt + this.settings.alarmMs);
    }
    if (this.polarityChangeAt !== null) deadlines.push(this.polarityChangeAt + this.settings.polarityDebounceMs);
    return deadlines.length > 0 ? Math.min(...deadlines) : null;
  }

  private hasBattery(sample: FxoSample): boolean {
    return Math.abs(sample.voltage) >= this.settings.batteryThresholdV;
  }

  private evaluate(now: number): FxoSupervisionEvent[] {
    const events: FxoSupervisionEvent[] = [];
    const { hangupDebounceMs, alarmMs, polarityDebounceMs } = this.settings;
    if (this.batteryBackAt !== null && now - this.batteryBackAt >= hangupDebounceMs) {
      this.batteryBackAt = null;
      if (this.line !== 'present') {
        this.setLine('present', now);
        events.push({ type: 'line-present', voltage: this.sample!.voltage, at: now });
      }
    }
    if (this.batteryLostAt !== null) {
      const lostFor = now - this.batteryLostAt;
      if (!this.disconnectReported && lostFor >= hangupDebounceMs) {
        this.disconnectReported = true;
        events.push({ type: 'far-end-disconnect', at: now });
      }
      if (lostFor >= alarmMs && this.line !== 'unplugged') {
        this.setLine('unplugged', now);
        events.push({ type: 'line-unplugged', at: now });
      }
    }
    if (this.polarityChangeAt !== null && now - this.polarityChangeAt >= polarityDebounceMs) {
      this.polarityChangeAt = null;
      this.polarity = this.sample!.polarity;
      events.push({ type: 'polarity-reversal', polarity: this.polarity, at: now });
    }
    return events;
  }

  private setLine(line: FxoLineState, now: number): void {
    this.line = line;
    this.lineSince = now;
  }
}
