export * from './protocol/index.js';
export * from './clock.js';
export * from './typed-emitter.js';
