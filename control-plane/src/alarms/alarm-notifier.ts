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
  /** When the alarm was raised or cleared (for a box alarm, by the box's clock), not when central heard of it. */
  at: number;
  /** Set when central heard of it more than 5 minutes after `at` (a box replaying its outbox after an outage). */
  replayed?: true;
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
