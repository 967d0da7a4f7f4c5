import { Counter, type Registry } from 'prom-client';

/**
 * What ingest counts, for `/metrics`:
 *
 *     countyline_central_messages_total{kind}      payloads from boxes that passed their schema
 *     countyline_central_rejected_total{reason}    payloads refused (too-large, not-json, schema, not-own-command)
 *     countyline_central_duplicates_total{kind}    durable messages already stored (a replay after a reconnect)
 *     countyline_central_seq_gaps_total            a box's seq jumped: something it sent never arrived
 *     countyline_central_rebirths_requested_total  `cmd/rebirth` sent after a gap
 *     countyline_central_late_status_total         a status older than the box's latest birth (a late will), ignored
 *     countyline_central_store_errors_total        the store failed a write; the box is disconnected and resends
 */
export function ingestMetrics(registry: Registry) {
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    messages: counter('countyline_central_messages_total', 'Payloads from boxes that passed their schema, by kind', ['kind']),
    rejected: counter('countyline_central_rejected_total', 'Payloads from boxes refused, by reason', ['reason']),
    duplicates: counter('countyline_central_duplicates_total', 'Durable messages already stored, by kind', ['kind']),
    gaps: counter('countyline_central_seq_gaps_total', "Jumps in a box's message sequence"),
    rebirths: counter('countyline_central_rebirths_requested_total', 'Rebirth commands sent after a sequence gap'),
    lateStatus: counter('countyline_central_late_status_total', "Status messages older than the box's latest birth, ignored"),
    storeErrors: counter('countyline_central_store_errors_total', 'Store writes that failed during ingest'),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
