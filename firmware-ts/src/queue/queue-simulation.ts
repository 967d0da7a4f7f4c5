import { FakeClock, seededRandom } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Acd } from './acd.js';
import type { Strategy } from './acd-types.js';

/**
 * The ACD driven through simulated time: Poisson arrivals, exponential handling times,
 * agents who answer every offer at once, and optionally callers who give up after an
 * exponential patience. It runs the real engine on a FakeClock; nothing here decides who
 * answers whom. Used by the simulation test (against Erlang C) and by the benchmark.
 */
export interface SimulationOptions {
  seed: number;
  /** Callers arriving over the run. */
  calls: number;
  agents: number;
  callsPerHour: number;
  meanHandleSeconds: number;
  /** Mean patience of a waiting caller; null: nobody abandons. */
  meanPatienceSeconds?: number | null;
  answerWithinSeconds?: number;
  strategy?: Strategy;
}

export interface SimulationResult {
  offered: number;
  answered: number;
  abandoned: number;
  /** Answered within `answerWithinSeconds` of entering the queue. */
  answeredInTime: number;
  /** answeredInTime / answered (the work standard's 15-second answer rate). */
  serviceLevel: number;
  /** answered / offered. */
  answerRate: number;
  meanWaitSeconds: number;
  /** Simulated time from the first arrival to the last call's end. */
  simulatedHours: number;
  /** Decisions refused by compare-and-set, and agents the sweep freed: both 0 in a healthy run. */
  casRefused: number;
  swept: number;
}

type Kind = 0 | 1 | 2 | 3; // arrival, answer, call end, patience runs out
const ARRIVAL = 0;
const ANSWER = 1;
const END = 2;
const PATIENCE = 3;

export function simulateQueue(o: SimulationOptions): SimulationResult {
  const random = seededRandom(o.seed);
  const exp = (meanMs: number) => -Math.log(1 - random()) * meanMs;
  const clock = new FakeClock(0);
  const acd = new Acd({ clock, logger: pino({ level: 'silent' }) });
  const members = Array.from({ length: o.agents }, (_, i) => `a${i}`);
  for (const id of members) acd.addAgent({ id, status: 'available' });
  acd.addQueue({ id: 'q', members, strategy: o.strategy ?? 'longest-idle', ringTimeoutMs: 20_000 });
  acd.start();

  const events = new EventHeap();
  const withinMs = (o.answerWithinSeconds ?? 15) * 1000;
  const meanGapMs = 3_600_000 / o.callsPerHour;
  const meanHandleMs = o.meanHandleSeconds * 1000;
  const patienceMs = o.meanPatienceSeconds == null ? null : o.meanPatienceSeconds * 1000;
  let answered = 0;
  let answeredInTime = 0;
  let abandoned = 0;
  let waitSum = 0;

  acd.on('offer', (e) => events.push(clock.now(), ANSWER, e.agentId, e.callId));
  acd.on('answered', (e) => {
    answered++;
    waitSum += e.waitedMs;
    if (e.waitedMs <= withinMs) answeredInTime++;
    events.push(clock.now() + exp(meanHandleMs), END, e.agentId, e.callId);
  });
  acd.on('abandoned', (e) => {
    abandoned++;
    waitSum += e.waitedMs;
  });

  let arrived = 0;
  events.push(exp(meanGapMs), ARRIVAL, '', '');
  let firstAt = -1;
  for (let ev = events.pop(); ev; ev = events.pop()) {
    clock.advance(ev.at - clock.now());
    switch (ev.kind) {
      case ARRIVAL: {
        if (firstAt < 0) firstAt = ev.at;
        const callId = `c${arrived++}`;
        acd.enter(callId, 'q');
        if (patienceMs !== null) events.push(ev.at + exp(patienceMs), PATIENCE, '', callId);
        if (arrived < o.calls) events.push(ev.at + exp(meanGapMs), ARRIVAL, '', '');
        break;
      }
      case ANSWER:
        acd.agentAnswered(ev.agentId, ev.callId);
        break;
      case END:
        acd.callEnded(ev.callId);
        break;
      case PATIENCE:
        acd.leave(ev.callId); // false when the call was answered first
        break;
    }
  }
  acd.stop();
  return {
    offered: arrived,
    answered,
    abandoned,
    answeredInTime,
    serviceLevel: answered > 0 ? answeredInTime / answered : 0,
    answerRate: arrived > 0 ? answered / arrived : 0,
    meanWaitSeconds: waitSum / Math.max(1, answered + abandoned) / 1000,
    simulatedHours: (clock.now() - Math.max(0, firstAt)) / 3_600_000,
    casRefused: acd.counters.casRefused,
    swept: acd.counters.swept,
  };
}

interface SimEvent {
  at: number;
  seq: number;
  kind: Kind;
  agentId: string;
  callId: string;
}

/** A binary min-heap of simulation events by time, then by the order they were made. */
class EventHeap {
  private readonly heap: SimEvent[] = [];
  private seq = 0;

  push(at: number, kind: Kind, agentId: string, callId: string): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, kind, agentId, callId });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!earlier(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && earlier(h[l]!, h[m]!)) m = l;
        if (r < h.length && earlier(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function earlier(a: SimEvent, b: SimEvent): boolean {
  return a.at !== b.at ? a.at < b.at : a.seq < b.seq;
}
