import type { CircuitGroup } from '../../circuits/circuit-group.js';
import type { CircuitState } from './isup-circuit-state.js';
import type { IsupMessageOf } from './isup-messages.js';

/** Q.763 3.43: a CQM covers 1 to 32 circuits (range 0-31). */
export const CQM_MAX_RANGE = 31;

/**
 * The CQR answering a CQM (Q.764 2.9.3.2 of the 11/88 edition, circuit group query): one
 * circuit state indicator octet per circuit of the range, as Q.763 3.14 codes it. A CIC the
 * box does not have is unequipped; a circuit in a transient state (our IAM with no backward
 * message, our REL with no RLC) is transient; else its call state with our view of its
 * maintenance and hardware blocks. Null for a range above 31, which the caller discards.
 */
export function circuitQueryResponse(m: IsupMessageOf<'CQM'>, group: CircuitGroup, transient: ReadonlySet<number>): IsupMessageOf<'CQR'> | null {
  const range = m.rangeAndStatus.range;
  if (range > CQM_MAX_RANGE) return null;
  const circuitStates = Array.from({ length: range + 1 }, (_, i): CircuitState => {
    const cic = m.cic + i;
    const row = group.state(cic);
    if (row === undefined) return { call: 'unequipped' };
    if (transient.has(cic)) return { call: 'transient' };
    const call = row.call === 'idle' ? 'idle' : row.call === 'incoming' ? 'incoming-busy' : 'outgoing-busy';
    return { call, maintenance: row.maintenance, hardware: row.hardware };
  });
  return { type: 'CQR', cic: m.cic, rangeAndStatus: { range }, circuitStates };
}
