export { CircuitMap, CircuitMapError, MAX_CIC, type Circuit, type CircuitMapConfig, type CircuitMapEntry, type CircuitRangeEntry, type CircuitSingleEntry, type SignallingTimeslot } from './circuit-map.js';
export { circuitControl, CONTROL_RULES, type CircuitControl, type ControlRule } from './control-rule.js';
export { CALL_STATES, CircuitState, IllegalTransitionError, type BlockKind, type BlockSide, type BlockState, type CallEvent, type CallState, type LastRelease } from './circuit-state.js';
export { derivedHuntDirection, SELECTION_METHODS, type HuntDirection, type SelectionMethod } from './circuit-selector.js';
export { CircuitGroup, type CircuitCounts, type CircuitGroupOptions, type CircuitRow, type CicRun, type ReserveSpecificResult, type SeizeResult } from './circuit-group.js';
