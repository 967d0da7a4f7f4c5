import type { Severity } from '../store/store.js';

/** What a notifier is told: an alarm raised or cleared, from a box or from central itself. */
export interface AlarmNotice {
  change: 'raised' | 'cleared';
  boxId: string;
  origin: 'box' | 'central';
  source: string;
  type: string;
  severity: Severity;
  cause: string;
  at: number;
}

/**
 * Where critical alarms go beyond central's own list (the duty leader's SMS gateway through
 * the webhook). `notify` must return at once: ingest and the rules call it inline.
 */
export interface AlarmNotifier {
  notify(notice: AlarmNotice): void;
  close(): Promise<void>;
}

export const silentNotifier: AlarmNotifier = {
  notify: () => {},
  close: async () => {},
};
