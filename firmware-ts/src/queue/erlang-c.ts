/**
 * Erlang C (the M/M/N delay model): how long callers wait for one of N agents when calls
 * arrive at random (Poisson) and handling times are exponential, nobody abandons and nobody
 * is turned away. The staffing advice of the 12345 work standard (80 % answered within 15 s)
 * comes from here. No maintained npm package does this, so it is ours.
 *
 * The textbook formula has A^N / N! in it, which overflows a double by N = 171 and loses
 * precision well before. Erlang B has a recursion that stays in [0, 1],
 *
 *   B(0, A) = 1,   B(n, A) = A·B(n−1, A) / (n + A·B(n−1, A)),
 *
 * and Erlang C follows from B exactly (for A < N):
 *
 *   C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A))).
 *
 * With W the wait of a random caller, P(W > t) = C·exp(−(N − A)·t / AHT) and
 * E[W] = C·AHT / (N − A).
 */

/** The traffic offered to a group of agents. */
export interface Traffic {
  /** Calls arriving per hour (λ). */
  callsPerHour: number;
  /** Mean handling time per call, in seconds (talk plus any wrap-up the agent is held for). */
  meanHandleSeconds: number;
}

export interface Staffed extends Traffic {
  /** Agents answering (N), a whole number. */
  agents: number;
}

/** Offered load in erlangs: A = λ · AHT, both per second. */
export function offeredErlangs(traffic: Traffic): number {
  checkTraffic(traffic);
  return (traffic.callsPerHour * traffic.meanHandleSeconds) / 3600;
}

/** Erlang B: the probability that all `agents` are busy in a loss system offered `erlangs`. */
export function erlangB(agents: number, erlangs: number): number {
  checkAgents(agents);
  if (!(erlangs >= 0) || !Number.isFinite(erlangs)) throw new RangeError(`offered load ${erlangs} erlangs: give a finite number, 0 or more`);
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (erlangs * b) / (n + erlangs * b);
  return b;
}

/**
 * Erlang C: the probability that a caller has to wait at all. 1 when the agents cannot keep
 * up (A >= N): the queue then grows without end.
 */
export function probabilityOfWaiting(s: Staffed): number {
  const a = offeredErlangs(s);
  checkAgents(s.agents);
  return cFromB(s.agents, a, erlangB(s.agents, a));
}

/** P(wait <= t): the service level for answering within `seconds` (0 when A >= N). */
export function serviceLevel(s: Staffed, seconds: number): number {
  if (!(seconds >= 0)) throw new RangeError(`answer within ${seconds} s: give a time of 0 s or more`);
  const a = offeredErlangs(s);
  if (a >= s.agents) return 0;
  const c = probabilityOfWaiting(s);
  return 1 - c * Math.exp((-(s.agents - a) * seconds) / s.meanHandleSeconds);
}

/** Mean wait of all callers (ASA over every call, those answered at once counting 0 s); Infinity when A >= N. */
export function averageSpeedOfAnswer(s: Staffed): number {
  const a = offeredErlangs(s);
  if (a >= s.agents) return Infinity;
  return (probabilityOfWaiting(s) * s.meanHandleSeconds) / (s.agents - a);
}

export interface ServiceTarget {
  /** The share to answer in time, e.g. 0.8. */
  serviceLevel: number;
  /** Within this many seconds, e.g. 15. */
  answerWithinSeconds: number;
}

/**
 * The fewest agents that meet `target` for `traffic` (0 when no call is offered). B is carried
 * up from N = 1 once, so the search costs O(N) whatever the answer.
 */
export function agentsNeeded(traffic: Traffic, target: ServiceTarget, maxAgents = 10_000): number {
  if (!(target.serviceLevel > 0 && target.serviceLevel < 1)) throw new RangeError(`service level ${target.serviceLevel}: give a share between 0 and 1, e.g. 0.8`);
  if (!(target.answerWithinSeconds >= 0)) throw new RangeError(`answer within ${target.answerWithinSeconds} s: give a time of 0 s or more`);
  const a = offeredErlangs(traffic);
  if (a === 0) return 0;
  let b = 1;
  for (let n = 1; n <= maxAgents; n++) {
    b = (a * b) / (n + a * b);
    if (n <= a) continue;
    const c = cFromB(n, a, b);
    const sl = 1 - c * Math.exp((-(n - a) * target.answerWithinSeconds) / traffic.meanHandleSeconds);
    if (sl >= target.serviceLevel) return n;
  }
  throw new RangeError(`more than ${maxAgents} agents would be needed for ${a.toFixed(1)} erlangs`);
}

function cFromB(n: number, a: number, b: number): number {
  if (a >= n) return 1;
  return (n * b) / (n - a * (1 - b));
}

function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 1) throw new RangeError(`${agents} agents: give a whole number of agents, 1 or more`);
}

function checkTraffic(t: Traffic): void {
  if (!(t.callsPerHour >= 0) || !Number.isFinite(t.callsPerHour)) throw new RangeError(`${t.callsPerHour} calls per hour: give a finite number, 0 or more`);
  if (!(t.meanHandleSeconds > 0) || !Number.isFinite(t.meanHandleSeconds)) throw new RangeError(`mean handling time ${t.meanHandleSeconds} s: give a finite time above 0 s`);
}
