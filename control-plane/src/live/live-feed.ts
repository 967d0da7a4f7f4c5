import { EventEmitter } from 'node:events';

/**
 * Something central took in that changes what the ops page shows. The page refetches what
 * it shows of `boxId` (or of every box): the event names what changed, not the new state,
 * so a lost event costs a refresh and never a wrong figure.
 */
export type LiveChange =
  | { kind: 'status'; boxId: string; online: boolean; at: number }
  | { kind: 'alarm'; boxId: string; change: 'raised' | 'updated' | 'cleared' | 'acked'; origin: 'box' | 'central'; type: string; at: number }
  | { kind: BoxChangeKind; boxId: string; at: number };

/** The changes told by name only: a birth, a trunk snapshot, a KPI interval, a CDR, a command's answer, a config report. */
export type BoxChangeKind = 'birth' | 'trunks' | 'kpi' | 'cdr' | 'command' | 'config';

export type LiveKind = LiveChange['kind'];

export interface LiveFeedEvents {
  change: [change: LiveChange];
}

/**
 * Central's changes as they happen, for the page's event stream (`GET /api/v1/events`).
 * Producers (ingest, central's alarm rules, the ack route) publish; the event route
 * subscribes once per open stream.
 */
export class LiveFeed extends EventEmitter<LiveFeedEvents> {
  constructor() {
    super();
    // One listener per open page; the default cap of 10 would warn with eleven operators.
    this.setMaxListeners(0);
  }

  publish(change: LiveChange): void {
    this.emit('change', change);
  }
}
