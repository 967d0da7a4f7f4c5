// What central imports from the firmware: the MQTT contract, nothing else.
export * from './schema.js';
export * from './topics.js';
