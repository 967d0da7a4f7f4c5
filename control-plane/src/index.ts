// Central: the MQTT broker, the store, alarms and the HTTP API.
export * from './store/store.js';
