// Central: the MQTT broker, the store, alarms and the HTTP API.
export * from './store/store.js';
export { openStore } from './store/sql-store.js';
export type { StoreLocation } from './store/dialect.js';
