import type { SpanDefect } from '@countyline/e1-gateway';

/**
 * E1 span alarm states with the standard integration (AT&T TR 54016; DAHDI wct4xxp):
 *
 *   none ──LOS/LOF/LMFA 2.5 s──► red ──┐
 *   none ──AIS 2.5 s───────────► blue ─┼─ all defects gone ─► recovering ── settle ──► none
 *   none ──RAI 0.5 s───────────► yellow┘                        │
 *                                     a defect integrates again ◄┘
 *
 * A defect must be present without a break for its whole integration time; a shorter blip
 * raises nothing. When several alarms have integrated, the most severe is shown: red, then
 * blue, then yellow. Recovering lasts for the settle time with no defect at all; any defect
 * during it restarts the settle time when it goes.
 *
 * Pure: feed it the card's defect bits with `update(defects, now)` and call `tick(now)` at
 * `nextDeadline()`; it returns the transition, if one happened.
 */
export type SpanAlarmState = 'none' | 'red' | 'blue' | 'yellow' | 'recovering';
type Category = 'red' | 'blue' | 'yellow';

export interface SpanAlarmSettings {
  /** LOS, LOF or LMFA must last this long to declare red (ms). */
  redIntegrationMs: number;
  /** AIS must last this long to declare blue (ms). */
  blueIntegrationMs: number;
  /** RAI must last this long to declare yellow (ms). */
  yellowIntegrationMs: number;
  /** After the last defect clears, the span is recovering for this long before it is clear (ms). */
  settleMs: number;
}

export const DEFAULT_SPAN_ALARM_SETTINGS: Readonly<SpanAlarmSettings> = Object.freeze({
  redIntegrationMs: 2500,
  blueIntegrationMs: 2500,
  yellowIntegrationMs: 500,
  settleMs: 10_000,
});

const CATEGORY_DEFECTS: Record<Category, readonly SpanDefect[]> = {
  red: ['los', 'lof', 'lmfa'],
  blue: ['ais'],
  yellow: ['rai'],
};
const CAUSE_NAMES: Partial<Record<SpanDefect, string>> = { los: 'LOS', lof: 'LOF', lmfa: 'LMFA', ais: 'AIS', rai: 'RAI' };
const ORDER: Category[] = ['red', 'blue', 'yellow'];

export interface SpanAlarmTransition {
  from: SpanAlarmState;
  to: SpanAlarmState;
  /** The defects behind the state entered (for `recovering` and `none`: those of the alarm left). */
  causes: string[];
  at: number;
}

export class SpanAlarm {
  private state: SpanAlarmState = 'none';
  private causes: string[] = [];
  /** When each category's defects became continuously present, or null when absent. */
  private readonly since: Record<Category, number | null> = { red: null, blue: null, yellow: null };
  private readonly present: Record<Category, string[]> = { red: [], blue: [], yellow: [] };
  private clearSince: number | null = null;
  private stateSince: number;

  constructor(
    private readonly settings: SpanAlarmSettings = DEFAULT_SPAN_ALARM_SETTINGS,
    now = 0,
  ) {
    this.stateSince = now;
  }

  get current(): { state: SpanAlarmState; causes: string[]; since: number } {
    return { state: this.state, causes: [...this.causes], since: this.stateSince };
  }

  /** The card's defect bits changed (or were reported again). */
  update(defects: Readonly<Record<SpanDefect, boolean>>, now: number): SpanAlarmTransition | null {
    for (const category of ORDER) {
      const names = CATEGORY_DEFECTS[category].filter((d) => defects[d]).map((d) => CAUSE_NAMES[d]!);
      this.present[category] = names;
      if (names.length === 0) this.since[category] = null;
      else if (this.since[category] === null) this.since[category] = now;
    }
    const anyPresent = ORDER.some((c) => this.since[c] !== null);
    if (anyPresent) this.clearSince = null;
    else if (this.clearSince === null) this.clearSince = now;
    return this.evaluate(now);
  }

  /** Time passed; call at `nextDeadline()` (calling more often is harmless). */
  tick(now: number): SpanAlarmTransition | null {
    return this.evaluate(now);
  }

  /** When the state could next change with no new input, or null. */
  nextDeadline(): number | null {
    const deadlines: number[] = [];
    const declared = this.declaredCategory();
    for (const category of ORDER) {
      const since = this.since[category];
      if (since === null) continue;
      // Categories no more severe than the one declared cannot change the state.
      if (declared !== null && ORDER.indexOf(category) >= ORDER.indexOf(declared)) continue;
      deadlines.push(since + this.integration(category));
    }
    if (this.state === 'recovering' && this.clearSince !== null) deadlines.push(this.clearSince + this.settings.settleMs);
    return deadlines.length > 0 ? Math.min(...deadlines) : null;
  }

  private integration(category: Category): number {
    return category === 'red' ? this.settings.redIntegrationMs : category === 'blue' ? this.settings.blueIntegrationMs : this.settings.yellowIntegrationMs;
  }

  /** The alarm category currently declared, if any. */
  private declaredCategory(): Category | null {
    return this.state === 'red' || this.state === 'blue' || this.state === 'yellow' ? this.state : null;
  }

  private evaluate(now: number): SpanAlarmTransition | null {
    const integrated = ORDER.find((c) => this.since[c] !== null && now - this.since[c]! >= this.integration(c)) ?? null;
    if (integrated !== null) {
      if (this.state === integrated && sameCauses(this.causes, this.present[integrated])) return null;
      return this.enter(integrated, [...this.present[integrated]], now);
    }
    if (this.state === 'red' || this.state === 'blue' || this.state === 'yellow') {
      // The declared alarm's defects are gone (or only ones that have not integrated remain).
      const stillPresent = this.since[this.state] !== null;
      if (stillPresent) return null;
      return this.enter('recovering', this.causes, now);
    }
    if (this.state === 'recovering' && this.clearSince !== null && now - this.clearSince >= this.settings.settleMs) {
      return this.enter('none', this.causes, now);
    }
    return null;
  }

  private enter(to: SpanAlarmState, causes: string[], at: number): SpanAlarmTransition {
    const from = this.state;
    this.state = to;
    this.causes = to === 'none' ? [] : causes;
    if (from !== to) this.stateSince = at;
    return { from, to, causes, at };
  }
}

function sameCauses(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
