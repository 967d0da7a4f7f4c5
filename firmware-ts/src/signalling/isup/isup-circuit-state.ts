import { IsupCodecError } from './isup-codec-error.js';
import type { ParamCodec } from './param-codec.js';

/**
 * Circuit state indicator, Q.763 3.14 (code 0x26, CQR): one octet per circuit of the range,
 * the CIC of the message first:
 *
 *        H G   | F E               | D C                   | B A
 *        spare | hardware blocking | call processing state | maintenance blocking state
 *
 *   DC = 00: BA 00 transient, 11 unequipped (01, 10 spare); FE sent as 00.
 *   DC = 01 incoming busy, 10 outgoing busy, 11 idle: BA and FE are 00 not blocked,
 *     01 locally blocked, 10 remotely blocked, 11 locally and remotely blocked.
 */
export type BlockState = 'none' | 'local' | 'remote' | 'both';
export type CircuitState =
  | { call: 'transient' }
  | { call: 'unequipped' }
  | { call: 'incoming-busy' | 'outgoing-busy' | 'idle'; maintenance: BlockState; hardware: BlockState };

const BLOCKS: readonly BlockState[] = ['none', 'local', 'remote', 'both'];
const CALLS = [null, 'incoming-busy', 'outgoing-busy', 'idle'] as const;

export const CIRCUIT_STATE_INDICATOR: ParamCodec<CircuitState[]> = {
  code: 0x26,
  label: 'circuit state indicator',
  encode(value, where) {
    if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${where}: expected a non-empty array of circuit states`);
    return value.map((s, i) => {
      if (s.call === 'transient') return 0x00;
      if (s.call === 'unequipped') return 0x03;
      const call = CALLS.indexOf(s.call);
      const m = BLOCKS.indexOf(s.maintenance);
      const h = BLOCKS.indexOf(s.hardware);
      if (call < 1 || m < 0 || h < 0) throw new RangeError(`${where}[${i}]: ${JSON.stringify(s)} is not a circuit state`);
      return (h << 4) | (call << 2) | m;
    });
  },
  decode(bytes, start, length) {
    if (length < 1) throw new IsupCodecError('bad-length', 'circuit state indicator: empty', start);
    return Array.from({ length }, (_, i): CircuitState => {
      const octet = bytes[start + i]!;
      const call = (octet >> 2) & 3;
      const ba = octet & 3;
      if (call === 0) {
        if (ba === 0) return { call: 'transient' };
        if (ba === 3) return { call: 'unequipped' };
        throw new IsupCodecError('bad-value', `circuit state indicator: maintenance blocking state ${ba} with call processing state 0 is spare`, start + i);
      }
      return { call: CALLS[call]!, maintenance: BLOCKS[ba]!, hardware: BLOCKS[(octet >> 4) & 3]! };
    });
  },
};
