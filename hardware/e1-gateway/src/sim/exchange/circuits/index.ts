// The far-end exchange's own circuit group: map, call and blocking state, selection and the
// dual-seizure rule, written from Q.764 and independent of the firmware's circuit code.
export * from './circuit-control.js';
export * from './circuit-group.js';
export * from './circuit-map.js';
export * from './circuit-selection.js';
export * from './circuit-state.js';
