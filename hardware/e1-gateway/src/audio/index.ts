export * from './g711.js';
export * from './level.js';
export * from './measure.js';
export * from './tone.js';
