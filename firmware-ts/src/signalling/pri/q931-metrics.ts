import { Gauge, type Registry } from 'prom-client';
import type { Q931CallsSnapshot } from './q931-calls-types.js';
import { snapshotCounters } from './snapshot-counters.js';

/**
 * Q.931 call control's counters for `countyline metrics`, read from its snapshot at each
 * scrape (`span` names the PRI's span):
 *
 *     countyline_q931_messages_total{span, direction, type}   messages in and out by type ('unknown' for one not implemented)
 *     countyline_q931_malformed_total{span, reason}           received bytes that were no Q.931 message, by reason
 *     countyline_q931_error_procedures_total{span, clause}    Q.931 5.8 error procedures applied, by clause
 *     countyline_q931_calls_total{span, outcome}              offered, refused, attempted, answered, repeated
 *     countyline_q931_restarts_total{span, kind}              in (the network's), out (ours), unanswered
 *     countyline_q931_calls{span}                             calls the call control holds now
 */
export function registerQ931Metrics(registry: Registry, calls: { status(): Q931CallsSnapshot }, span: number): void {
  const s = String(span);
  const counter = snapshotCounters(registry, span, () => calls.status().counters);
  counter('countyline_q931_messages_total', 'Q.931 messages by direction and type', ['direction', 'type'], (c, set) => {
    for (const [type, n] of Object.entries(c.messagesIn)) set({ direction: 'in', type }, n ?? 0);
    for (const [type, n] of Object.entries(c.messagesOut)) set({ direction: 'out', type }, n ?? 0);
  });
  counter('countyline_q931_malformed_total', 'Received D-channel information that was no Q.931 message, by reason', ['reason'], (c, set) => {
    for (const [reason, n] of Object.entries(c.malformed)) set({ reason }, n ?? 0);
  });
  counter('countyline_q931_error_procedures_total', 'Q.931 5.8 error procedures applied, by clause', ['clause'], (c, set) => {
    for (const [clause, n] of Object.entries(c.actions)) set({ clause }, n);
  });
  counter('countyline_q931_calls_total', 'Q.931 calls: offered by the network, refused, attempted by the box, answered, repeated on another channel', ['outcome'], (c, set) => {
    set({ outcome: 'offered' }, c.incomingOffered);
    set({ outcome: 'refused' }, c.incomingRefused);
    set({ outcome: 'attempted' }, c.outgoingAttempted);
    set({ outcome: 'answered' }, c.outgoingAnswered);
    set({ outcome: 'repeated' }, c.outgoingRepeated);
  });
  counter('countyline_q931_restarts_total', "Q.931 RESTARTs: the network's, the box's, the box's never acknowledged", ['kind'], (c, set) => {
    set({ kind: 'in' }, c.restartsIn);
    set({ kind: 'out' }, c.restartsOut);
    set({ kind: 'unanswered' }, c.restartsUnanswered);
  });
  new Gauge({
    name: 'countyline_q931_calls',
    help: 'Calls Q.931 call control holds now',
    labelNames: ['span'],
    registers: [registry],
    collect() {
      this.set({ span: s }, calls.status().total);
    },
  });
}
