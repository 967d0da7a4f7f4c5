// The far-end exchange's own SS7 codec: MTP3 routing label (Q.704), signalling link test
// (Q.707) and ISUP (Q.763). It shares no code with the firmware's, so that a misreading of
// the standard on one side shows up as a failure on the bench.
export * from './isup-codec.js';
export * from './isup-codes.js';
export * from './isup-messages.js';
export type { ParameterCodec, RawParameter } from './isup-parameter-codec.js';
export * from './isup-parameters.js';
export * from './msu.js';
export * from './mtp3-label.js';
export * from './point-code.js';
export * from './signalling-link-test.js';
export * from './ss7-codec-error.js';
