export * from './alarm-types.js';
export { AlarmStore, DEFAULT_HISTORY_LIMIT, type AlarmStoreOptions } from './alarm-store.js';
export { AlarmFileError, parseAlarmFile, serializeAlarmFile, type AlarmFileContent } from './alarm-file.js';
export { describeAlarm, severityName, alarmTypeText, alarmSourceText, type AlarmLang } from './alarm-text.js';
export { registerAlarmMetrics } from './alarm-metrics.js';
