import { readFileSync } from 'node:fs';
import type { AlarmStore } from '../alarms/alarm-store.js';
import type { BulletinBoard } from '../queue/bulletin-board.js';
import type { CardDriver } from '../card/card-driver.js';
import type { QueueView } from '../control/view-schemas.js';
import type { Callback } from '../queue/callback-store.js';
import type { IsupStack } from '../signalling/isup/isup-stack.js';
import type { PriStack } from '../signalling/pri/pri-stack.js';
import type { SipService } from '../sip/sip-service.js';
import type { IntervalCounts } from '../trunks/g826-counters.js';
import type { TrunkMonitor } from '../trunks/trunk-monitor.js';
import type { MessageBody } from './outbox.js';

/** What the box's state is read from for a birth or a trunk snapshot. */
export interface BoxStateSource {
  hostName: string;
  card: CardDriver;
  trunks: TrunkMonitor;
  isup: IsupStack | null;
  pri: PriStack | null;
  alarms: AlarmStore;
  sip: SipService | null;
  bulletin: BulletinBoard;
  /** The office queue as `countyline queue --json` shows it; null on a box with no agents. */
  queue: () => QueueView | null;
  /** The pending callback requests, longest waiting first; null before the call model runs. */
  callbacks: () => Callback[] | null;
}

/** The most pending callback requests one snapshot lists (it counts them all). */
const MAX_CALLBACKS = 256;

/** The firmware's version, from its package.json (read once). */
export const FIRMWARE_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

function spans(s: BoxStateSource) {
  return s.trunks.spanHealth().map((h) => ({
    span: h.span,
    alarm: h.alarm,
    // The defects the card reports now (LOS, AIS, ...), as `countyline trunks` shows them.
    causes: s.card.state.spans.get(h.span)?.causes ?? [],
    alarmCauses: h.alarmCauses,
    alarmSince: h.alarmSince,
    available: h.available,
    g826: { current15min: g826Counts(h.current15min), day: g826Counts(h.day) },
  }));
}

function g826Counts(c: IntervalCounts | null) {
  return c && { start: c.start, seconds: c.seconds, es: c.es, ses: c.ses, uas: c.uas, bbe: c.bbe, slips: c.slips, lcv: c.lcv, eBits: c.eBits };
}

function fxo(s: BoxStateSource) {
  return s.trunks.fxoHealth().map((p) => ({ port: p.port, line: p.line, voltage: p.voltage, hook: p.hook, polarity: p.polarity }));
}

/** The circuits as `countyline circuits --json` lists them (SS7 CICs, or PRI B-channels), and their counts. */
function circuits(s: BoxStateSource) {
  const list = s.isup?.circuits() ?? s.pri?.circuits() ?? [];
  const busy = list.filter((c) => c.call !== 'idle').length;
  const blocked = list.filter((c) => c.block !== 'none').length;
  const idle = list.filter((c) => c.call === 'idle' && c.block === 'none').length;
  return { total: list.length, idle, busy, blocked, list };
}

/** The full state for a birth. */
export function birthBody(s: BoxStateSource): MessageBody<'birth'> {
  return {
    software: { version: FIRMWARE_VERSION, node: process.version },
    inventory: { hostName: s.hostName, card: { ...s.card.status() } },
    spans: spans(s),
    fxo: fxo(s),
    circuits: circuits(s),
    alarms: s.alarms.active(),
    agents: agents(s),
    queue: queue(s),
    bulletin: s.bulletin.current(),
  };
}

function agents(s: BoxStateSource) {
  return s.sip ? s.sip.agents.list().map(({ user, name, registered, reachable, busy }) => ({ user, name, registered, reachable, busy })) : null;
}

/** The queue, trimmed to what central shows (caller ids are the box's own business). */
function queue(s: BoxStateSource) {
  const view = s.queue();
  if (!view) return null;
  return {
    waiting: view.waiting,
    longestWaitMs: view.longestWaitMs,
    callers: view.callers.map(({ calling, state, position, waitedMs, agent }) => ({ calling, state, position, waitedMs, agent })),
    agents: view.agents.map(({ id, name, status, state, phoneUp, callsAnswered, stateSince }) => ({ id, name, status, state, phoneUp, callsAnswered, stateSince })),
  };
}

/** A live snapshot: the spans, the FXO lines, the circuits, the agents and the queue. */
export function trunksBody(s: BoxStateSource): MessageBody<'trunks'> {
  const { list, ...counts } = circuits(s);
  const pending = s.callbacks();
  return {
    spans: spans(s),
    fxo: fxo(s),
    circuits: counts,
    circuitList: list,
    agents: agents(s),
    queue: queue(s),
    callbacks: pending && pending.slice(0, MAX_CALLBACKS).map(callbackSummary),
    ...(pending && { callbacksPending: pending.length }),
  };
}

function callbackSummary(c: Callback) {
  const last = c.attempts.at(-1);
  return { id: c.id, number: c.number, reason: c.reason, requestedAt: c.requestedAt, requests: c.requests, attempts: c.attempts.length, lastAttemptAt: last?.at ?? null, lastOutcome: last?.outcome ?? null, message: c.message !== undefined };
}
