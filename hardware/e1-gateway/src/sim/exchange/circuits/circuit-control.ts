/**
 * Which circuits of a both-way group this exchange controls in a dual seizure (Q.764
 * 2.9.1.4): by default the exchange with the higher signalling point code controls the
 * even-numbered CICs and the other one the odd-numbered; a bilateral agreement may say
 * otherwise, which `all`, `none`, `even` and `odd` express from this exchange's side.
 */
export const CONTROL_RULES = ['point-code', 'all', 'none', 'even', 'odd'] as const;
export type ControlRule = (typeof CONTROL_RULES)[number];

export function controls(rule: ControlRule, cic: number, ownPointCode: number, peerPointCode: number): boolean {
  const even = cic % 2 === 0;
  switch (rule) {
    case 'point-code':
      return ownPointCode > peerPointCode ? even : !even;
    case 'all':
      return true;
    case 'none':
      return false;
    case 'even':
      return even;
    case 'odd':
      return !even;
  }
}
