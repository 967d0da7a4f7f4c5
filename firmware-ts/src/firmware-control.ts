import { join } from 'node:path';
import type { Clock, TimerHandle } from '@countyline/e1-gateway';
import type { Registry } from 'prom-client';
import type { AlarmStore } from './alarms/alarm-store.js';
import type { CallManager } from './calls/call-manager.js';
import type { CardDriver } from './card/card-driver.js';
import type { ControlHandlers } from './control/control-dispatcher.js';
import type { ParamsOf, ProgressOf, ResultOf } from './control/control-methods.js';
import type { CallSummary } from './control/view-schemas.js';
import type { Cdr } from './calls/cdr.js';
import { expectation } from './control/param-errors.js';
import { CONTROL_METHODS } from './control/control-methods.js';
import { dayOf, dayStart, kpiDay, staffingAdvice } from './queue/kpi.js';
import { CountylineError } from './errors.js';
import type { CallOutcome } from './signalling/isup/isup-calls.js';
import type { IsupStack } from './signalling/isup/isup-stack.js';
import type { PriStack } from './signalling/pri/pri-stack.js';
import type { SipService } from './sip/sip-service.js';
import type { OfficeQueue } from './queue/office-queue.js';
import { officeQueueView } from './queue/queue-view.js';
import type { CallbackStore } from './queue/callback-store.js';
import type { BoxStatus, TrunksView } from './status.js';
import { parseCircuit, type TestCallScheduler } from './trunks/test-call-scheduler.js';

/** What the control handlers need of the running firmware. */
export interface ControlTarget {
  clock: Clock;
  card: CardDriver;
  alarms: AlarmStore;
  testCalls: TestCallScheduler;
  isup: IsupStack | null;
  pri: PriStack | null;
  /** The call model; null until the firmware has started it. */
  calls: () => CallManager | null;
  /** The office queue; null until the firmware has started it. */
  queue: () => OfficeQueue | null;
  /** Callback requests; null until the firmware has started the call model. */
  callbacks: () => CallbackStore | null;
  /** Where voice messages are kept (`<dataDir>/messages`): `callbacks` gives each request's message as a path in it. */
  messagesDir?: string;
  /** The SIP side, when agents are configured. */
  sip: SipService | null;
  metrics: Registry;
  status(): BoxStatus;
  trunkView(): TrunksView;
  /** What `kpi` works from: the CDRs on disk over a span (CdrStore.between), the box's UTC offset, the wrap-up Erlang C adds. */
  kpi: { cdrs(from: number, to: number): Promise<Cdr[]>; utcOffsetMs: number; wrapUpMs: number };
  /** Aborted when the firmware stops: long work (calls, captures) ends early. */
  stopping: AbortSignal;
  /** Whether `debug-hang` may block the event loop (env COUNTYLINE_DEBUG_HANG=1). */
  debugHang: boolean;
  /** One call out (`countyline dial`); rejects until the call model has started. */
  dial(params: ParamsOf<'dial'>, progress: (p: ProgressOf<'dial'>) => void): Promise<ResultOf<'dial'>>;
  /** The bulletin: shown, set (resolves once spoken), cleared. */
  bulletin: {
    view(): ResultOf<'bulletin'>;
    set(text: string, until: number | null): Promise<ResultOf<'bulletin-set'>>;
    clear(): Promise<boolean>;
  };
}

/**
 * The control methods of the firmware (the method table is control/control-methods.ts).
 * Parameters arrive checked against their schemas; what is left to check here is what only
 * the running box knows (which circuits exist, whether the card is up).
 */
export function controlHandlers(fw: ControlTarget): ControlHandlers {
  const requireIsup = (): IsupStack => {
    if (!fw.isup) throw new CountylineError('no-isup', {});
    return fw.isup;
  };

  const maintenance = (cic: number, action: 'block' | 'unblock') => {
    if (!fw.isup && fw.pri) return priMaintenance(fw.pri, cic, action);
    const isup = requireIsup();
    if (!isup.group.has(cic)) {
      const cics = isup.circuits().map((c) => c.cic);
      throw new CountylineError('no-cic', { cic, first: Math.min(...cics), last: Math.max(...cics) });
    }
    // With the link down the block takes effect here at once and reaches the exchange after
    // the reset that follows the link's return (IsupMaintenance.block).
    const sent = isup.maintenance[action](cic);
    return { circuit: isup.circuits().find((c) => c.cic === cic)!, exchange: sent ? ('sent' as const) : ('pending' as const) };
  };

  return {
    status: () => fw.status(),
    trunks: () => fw.trunkView(),
    alarms: ({ all }) => ({ alarms: all ? fw.alarms.all() : fw.alarms.active() }),
    metrics: async () => ({ text: await fw.metrics.metrics() }),
    // SS7's CICs, or on a PRI box its B-channels.
    circuits: () => (fw.isup || !fw.pri ? requireIsup().circuits() : fw.pri.circuits()),
    calls: ({ recent }) => {
      const calls = fw.calls();
      return { active: calls?.active() ?? [], recent: calls?.recent(recent) ?? [] };
    },
    agents: () => (fw.sip?.agents.list() ?? []).map(({ user, name, registered, contact, reachable, busy }) => ({ user, name, registered, contact, reachable, busy })),
    queue: () => officeQueueView(fw.queue(), fw.calls(), fw.clock.now()),
    'agent-status': ({ user, action }) => {
      const queue = fw.queue();
      if (!queue) throw new CountylineError('no-such-agent', { user, known: [] });
      return queue.setStatus(user, action);
    },
    kpi: async ({ day }) => {
      const { utcOffsetMs, wrapUpMs } = fw.kpi;
      const wanted = day ?? dayOf(fw.clock.now(), utcOffsetMs);
      let from: number;
      try {
        from = dayStart(wanted, utcOffsetMs); // the pattern lets 2026-02-30 through
      } catch {
        throw new CountylineError('bad-params', { field: 'day', problem: 'invalid', expected: expectation(CONTROL_METHODS.kpi.params.properties.day), got: JSON.stringify(wanted) });
      }
      const cdrs = await fw.kpi.cdrs(from, from + 86_400_000);
      return { day: kpiDay(cdrs, wanted, utcOffsetMs), staffing: staffingAdvice(cdrs, wanted, utcOffsetMs, { wrapUpMs }) };
    },
    callbacks: ({ all }) => {
      const dir = fw.messagesDir;
      const list = (fw.callbacks()?.list({ all }) ?? []).map((c) => (c.message !== undefined && dir !== undefined ? { ...c, message: join(dir, c.message) } : c));
      // Waiting first, in the order asked (the next to call back on top), then the done ones.
      return { callbacks: [...list.filter((c) => c.state === 'pending'), ...list.filter((c) => c.state === 'done')] };
    },
    'callback-done': ({ id }) => {
      const store = fw.callbacks();
      if (!store) throw new CountylineError('no-such-callback', { id });
      return store.done(id, 'staff');
    },
    bulletin: () => fw.bulletin.view(),
    'bulletin-set': ({ text, until }) => fw.bulletin.set(text, until),
    'bulletin-clear': async () => ({ cleared: await fw.bulletin.clear() }),
    block: ({ cic }) => maintenance(cic, 'block'),
    unblock: ({ cic }) => maintenance(cic, 'unblock'),

    'test-call': async ({ circuit }, ctx) => {
      if (fw.card.current !== 'up') throw new CountylineError('card-down', { state: fw.card.current });
      const known = fw.testCalls.circuits();
      if (circuit !== 'all' && (!parseCircuit(circuit) || !known.includes(circuit))) {
        throw new CountylineError('no-circuit', { circuit, known: summarise(known) });
      }
      const circuits = circuit === 'all' ? known : [circuit];
      ctx.progress({ total: circuits.length });
      const outcomes = await fw.testCalls.run(circuits, (outcome, index) => ctx.progress({ index, total: circuits.length, outcome }));
      return { outcomes };
    },

    call: async ({ number, count, perMinute, holdSeconds }, ctx) => {
      const isup = requireIsup();
      const placed: Promise<CallSummary>[] = [];
      for (let i = 0; i < count && !fw.stopping.aborted; i++) {
        if (i > 0 && !(await pause(fw.clock, 60_000 / perMinute, fw.stopping))) break;
        const index = i;
        const call = isup.calls.placeCall(number, '', holdSeconds * 1000).then(summariseOutcome);
        void call.then((outcome) => ctx.progress({ index, total: count, outcome }));
        placed.push(call);
      }
      const outcomes = await Promise.all(placed);
      return { completed: outcomes.filter((o) => o.result === 'completed').length, failed: outcomes.filter((o) => o.result === 'failed').length, outcomes };
    },

    dial: (params, ctx) => fw.dial(params, (p) => ctx.progress(p)),

    'debug-hang': ({ seconds }) => {
      if (!fw.debugHang) throw new CountylineError('debug-hang-refused', {});
      // The answer goes out first; the loop blocks just after, as a firmware stuck in a loop would.
      setTimeout(() => blockEventLoop(seconds * 1000), HANG_AFTER_MS);
      return { seconds };
    },

    capture: async ({ seconds }, ctx) => {
      // SS7 when the box has it, else the PRI D-channel (a box has one or the other per span).
      const source: { on(e: 'capture', l: CaptureListener): unknown; off(e: 'capture', l: CaptureListener): unknown } | null = fw.isup ?? fw.pri;
      if (!source) throw new CountylineError('no-signalling', {});
      const protocol = fw.isup ? 'mtp3' : 'lapd';
      let frames = 0;
      const listener: CaptureListener = (frame) => {
        frames++;
        ctx.progress({ at: frame.at, direction: frame.direction, protocol, data: Buffer.from(frame.data).toString('base64') });
      };
      source.on('capture', listener);
      ctx.progress({ started: true, protocol });
      try {
        await pause(fw.clock, seconds * 1000, fw.stopping);
      } finally {
        source.off('capture', listener);
      }
      return { frames, protocol };
    },
  };
}

/** How long `debug-hang` lets its answer reach the CLI before the loop blocks. */
const HANG_AFTER_MS = 100;

/** Keeps the event loop busy for `ms` of real time: no timer, no I/O, no watchdog ping runs meanwhile. */
function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: this is the point
  }
}

/** A PRI B-channel blocked or unblocked at the box (Q.931 has no blocking message to send). */
function priMaintenance(pri: PriStack, cic: number, action: 'block' | 'unblock') {
  const circuits = pri.circuits();
  if (!circuits.some((c) => c.cic === cic)) throw new CountylineError('no-cic', { cic, first: circuits[0]!.cic, last: circuits.at(-1)!.cic });
  pri.channels.group[action](cic, 'maintenance', 'local');
  return { circuit: pri.circuits().find((c) => c.cic === cic)!, exchange: 'local' as const };
}

type CaptureListener = (frame: { at: number; direction: 'in' | 'out'; data: Uint8Array }) => void;

/** Waits `ms` on the clock; resolves false early when `signal` aborts. */
function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer: TimerHandle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function summariseOutcome(o: CallOutcome): CallSummary {
  return {
    cic: o.call.cic || null,
    result: o.result,
    reason: o.reason,
    ...(o.reasonCode && { reasonCode: o.reasonCode, reasonArgs: o.reasonArgs ?? [] }),
    cause: o.cause,
    repeats: o.repeats,
    answered: o.call.answeredAt !== null,
    durationMs: o.endedAt - o.call.startedAt,
  };
}

function summarise(circuits: string[]): string {
  if (circuits.length <= 6) return circuits.join(', ');
  return `${circuits.slice(0, 3).join(', ')} ... ${circuits.slice(-2).join(', ')}`;
}
