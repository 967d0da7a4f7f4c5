export * from './protocol/index.js';
export * from './clock.js';
export * from './typed-emitter.js';
export * from './random.js';
export * from './errors.js';
export * from './audio/index.js';
