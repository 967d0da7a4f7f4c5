export { ACM_DELAY_MS, IllegalCallMove, T1_MS, T5_MS, T7_MS, T8_MS, T9_MS, type CallState, type CallView } from './exchange-call-state.js';
export * from './exchange-config.js';
export { MAINTENANCE_TYPES, type ExchangeCounters, type ExchangeTraffic } from './exchange-context.js';
export { ALERT_MS, MAX_GROUP, REPEAT_MS, REPEAT_TIMER, type PendingType, type PendingView } from './exchange-maintenance.js';
export * from './far-end-exchange.js';
