import { isBoxId, parseTopic, type BoxKind } from '@countyline/firmware/telemetry';

/**
 * Who may do what on central's broker: the access rules as pure decisions, so they can be
 * tested without a socket. Every box logs in as itself (user name = client id = box id) and
 * reaches only its own `cl/v1/<id>/`:
 * - it publishes the kinds a box sends (birth, status, alarm, ...), never a command or a
 *   desired config (those come from central only);
 * - it subscribes only to its own commands and desired config;
 * - `$SYS` is closed to boxes (it names every client and counts everything; MQTT 3.1.1
 *   4.7.2 leaves `$` topics to the server);
 * - a retained message is allowed only for the status (the connection's last will; the box
 *   sets it retained on every connect). The broker keeps retained messages in memory and no
 *   box may read a from-box topic, so any other retained kind (the birth comes through the
 *   box's outbox, not retained) would only take memory.
 */
export type Refusal =
  | 'client-id-mismatch'
  | 'bad-box-id'
  | 'no-credentials'
  | 'bad-credentials'
  | 'sys-topic'
  | 'not-own-topic'
  | 'not-a-box-topic'
  | 'retain-not-allowed'
  | 'no-client'
  | 'rate-limited'
  | 'too-many-connections'
  | 'too-many-from-address'
  | 'packet-too-large';

export type Decision<T = object> = ({ ok: true } & T) | { ok: false; reason: Refusal };

const RETAINED_KINDS: ReadonlySet<BoxKind> = new Set(['status']);

/** MQTT 3.1.1 3.1.3.1 lets a server pick who a client id is; here it must be the user name. */
export function decideLogin(clientId: string, username: string | undefined): Decision {
  if (username === undefined || username === '') return { ok: false, reason: 'no-credentials' };
  if (!isBoxId(username)) return { ok: false, reason: 'bad-box-id' };
  if (clientId !== username) return { ok: false, reason: 'client-id-mismatch' };
  return { ok: true };
}

/** A publish by box `boxId`; on success, the kind it carries. */
export function decidePublish(boxId: string, topic: string, retain: boolean): Decision<{ kind: BoxKind }> {
  if (topic.startsWith('$')) return { ok: false, reason: 'sys-topic' };
  const parsed = parseTopic(topic);
  if (parsed === null) return { ok: false, reason: 'not-a-box-topic' };
  if (parsed.boxId !== boxId) return { ok: false, reason: 'not-own-topic' };
  if (parsed.direction !== 'from-box') return { ok: false, reason: 'not-a-box-topic' };
  if (retain && !RETAINED_KINDS.has(parsed.kind)) return { ok: false, reason: 'retain-not-allowed' };
  return { ok: true, kind: parsed.kind };
}

/**
 * A subscription by box `boxId`: its own `cmd/+`, one `cmd/<name>`, or `config/desired`.
 * Anything wider (`#`, `cl/v1/+/cmd/+`, another box's id) is refused, never narrowed, so a
 * box sees in the SUBACK exactly what it did not get.
 */
export function decideSubscribe(boxId: string, filter: string): Decision {
  if (filter.startsWith('$')) return { ok: false, reason: 'sys-topic' };
  const own = `cl/v1/${boxId}/`;
  if (!filter.startsWith(own)) return { ok: false, reason: filter.startsWith('cl/v1/') ? 'not-own-topic' : 'not-a-box-topic' };
  if (filter === `${own}cmd/+`) return { ok: true };
  if (filter.includes('+') || filter.includes('#')) return { ok: false, reason: 'not-own-topic' };
  const parsed = parseTopic(filter);
  if (parsed === null || parsed.direction !== 'to-box') return { ok: false, reason: 'not-a-box-topic' };
  return { ok: true };
}
