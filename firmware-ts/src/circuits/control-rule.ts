/**
 * Which exchange controls a circuit when both seize it at once (dual seizure).
 *
 * Q.764 2.9.1: by default the exchange with the higher signalling point code controls the
 * even-numbered CICs and the other exchange the odd ones. The two ends may agree otherwise
 * per group; the other settings say which CICs *we* control:
 *
 *   point-code  higher point code controls even CICs, lower controls odd (default)
 *   all         we control every CIC (the far end must be set to `none`)
 *   none        the far end controls every CIC
 *   even        we control the even CICs
 *   odd         we control the odd CICs
 *
 * The controlling exchange keeps its call on dual seizure, the other one backs off; with
 * controlled-first selection each end also prefers the circuits it controls.
 */
export type ControlRule = 'point-code' | 'all' | 'none' | 'even' | 'odd';

export const CONTROL_RULES: readonly ControlRule[] = ['point-code', 'all', 'none', 'even', 'odd'];

export interface CircuitControl {
  /** The rule as configured. */
  readonly rule: ControlRule;
  /** What the rule comes to for us: the CICs we control. */
  readonly ours: 'all' | 'none' | 'even' | 'odd';
  controlledByUs(cic: number): boolean;
}

/**
 * Resolves the rule for one group. The point codes are needed only for `point-code`, where
 * equal point codes cannot decide anything and are refused.
 */
export function circuitControl(rule: ControlRule, ownPointCode: number, peerPointCode: number): CircuitControl {
  if (!CONTROL_RULES.includes(rule)) {
    throw new TypeError(`unknown dual-seizure control rule "${String(rule)}": use one of ${CONTROL_RULES.join(', ')}`);
  }
  let ours: CircuitControl['ours'];
  if (rule === 'point-code') {
    if (ownPointCode === peerPointCode) {
      throw new RangeError(`own and peer point code are both ${ownPointCode}: the point-code control rule needs them to differ`);
    }
    ours = ownPointCode > peerPointCode ? 'even' : 'odd';
  } else {
    ours = rule;
  }
  const controlledByUs =
    ours === 'all' ? () => true : ours === 'none' ? () => false : ours === 'even' ? (cic: number) => cic % 2 === 0 : (cic: number) => cic % 2 === 1;
  return { rule, ours, controlledByUs };
}
