export * from './codec.js';
export * from './codec-error.js';
export * from './crc16.js';
export * from './framing.js';
export * from './messages.js';
export * from './card-link.js';
export type { FieldKind } from './fields.js';
