// Central: the MQTT broker, the store, alarms and the HTTP API.
export * from './store/store.js';
export { openStore } from './store/sql-store.js';
export type { StoreLocation } from './store/dialect.js';
export * from './broker/central-mqtt.js';
export type { BoxLink } from './broker/box-link.js';
export type { BrokerLimits } from './broker/mqtt-broker.js';
export type { CentralAlarmSettings } from './alarms/central-alarm-rules.js';
export { systemClock, type Clock } from './alarms/clock.js';
