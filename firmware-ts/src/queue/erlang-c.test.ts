import t from 'tap';
import { agentsNeeded, averageSpeedOfAnswer, erlangB, offeredErlangs, probabilityOfWaiting, serviceLevel } from './erlang-c.js';

/**
 * Erlang C the way the textbooks write it, summed term by term, but in logarithms (log-sum-exp)
 * so that it survives N in the hundreds. A second formulation, not the recursion under test:
 *
 *   C = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A))
 */
function erlangCBySummation(n: number, a: number): number {
  const logTerms: number[] = [];
  let logFactorial = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) logFactorial += Math.log(k);
    logTerms.push(k * Math.log(a) - logFactorial);
  }
  const logLast = n * Math.log(a) - (logFactorial + Math.log(n)) + Math.log(n / (n - a));
  logTerms.push(logLast);
  const max = Math.max(...logTerms);
  const total = logTerms.reduce((s, x) => s + Math.exp(x - max), 0);
  return Math.exp(logLast - max) / total;
}

t.test('hand-checkable cases: one agent is M/M/1, two agents at 1 erlang wait a third of the time', async (t) => {
  // M/M/1 at ρ = 0.5 (one call every 2 s, 1 s each): P(wait) = ρ, mean wait ρ/(μ − λ) = 1 s.
  const mm1 = { agents: 1, callsPerHour: 1800, meanHandleSeconds: 1 };
  t.equal(offeredErlangs(mm1), 0.5);
  t.ok(Math.abs(probabilityOfWaiting(mm1) - 0.5) < 1e-12);
  t.ok(Math.abs(averageSpeedOfAnswer(mm1) - 1) < 1e-12);
  t.ok(Math.abs(serviceLevel(mm1, 2) - (1 - 0.5 * Math.exp(-1))) < 1e-12, 'P(W <= 2 s) = 1 − ρ·e^{−(μ−λ)t}');
  // N = 2, A = 1: terms 1, 1, (1/2)·2/(2−1) = 1, so C = 1/3; Erlang B = (1/2)/(1 + 1 + 1/2) = 0.2.
  const two = { agents: 2, callsPerHour: 30, meanHandleSeconds: 120 };
  t.ok(Math.abs(probabilityOfWaiting(two) - 1 / 3) < 1e-12);
  t.ok(Math.abs(erlangB(2, 1) - 0.2) < 1e-12);
  t.ok(Math.abs(erlangB(1, 3) - 0.75) < 1e-12, 'B(1, A) = A/(1 + A)');
  t.ok(Math.abs(averageSpeedOfAnswer(two) - 40) < 1e-9, 'ASA = C·AHT/(N − A) = 120/3 s');
});

t.test('the classic example: 360 calls in half an hour, 240 s each, 80 % in 20 s', async (t) => {
  const traffic = { callsPerHour: 720, meanHandleSeconds: 240 };
  t.equal(offeredErlangs(traffic), 48);
  const n = agentsNeeded(traffic, { serviceLevel: 0.8, answerWithinSeconds: 20 });
  // Checked against the summed formula, not against this module: n meets the target, n − 1 does not.
  const slBySum = (agents: number) => 1 - erlangCBySummation(agents, 48) * Math.exp((-(agents - 48) * 20) / 240);
  t.ok(slBySum(n) >= 0.8, `${n} agents meet 80 % in 20 s (${(slBySum(n) * 100).toFixed(2)} %)`);
  t.ok(slBySum(n - 1) < 0.8, `${n - 1} agents do not (${(slBySum(n - 1) * 100).toFixed(2)} %)`);
  t.equal(n, 54, '54 agents: 81.7 % in 20 s, where 53 give 75.2 %');
  t.ok(Math.abs(serviceLevel({ ...traffic, agents: n }, 20) - slBySum(n)) < 1e-12);
  t.ok(Math.abs(probabilityOfWaiting({ ...traffic, agents: n }) - erlangCBySummation(n, 48)) < 1e-12);
});

t.test('the recursion and the summation agree from 1 to several hundred agents', async (t) => {
  let worst = 0;
  for (const agents of [1, 2, 3, 5, 8, 13, 30, 100, 170, 171, 250, 400, 600]) {
    for (const load of [0.3, 0.7, 0.9, 0.98]) {
      const a = agents * load;
      const s = { agents, callsPerHour: a * 3600, meanHandleSeconds: 1 };
      const c = probabilityOfWaiting(s);
      t.ok(c >= 0 && c <= 1, `C(${agents}, ${a.toFixed(2)}) = ${c} is a probability`);
      worst = Math.max(worst, Math.abs(c - erlangCBySummation(agents, a)));
    }
  }
  t.ok(worst < 1e-10, `largest difference ${worst.toExponential(2)}`);
});

t.test('agents needed: rises with traffic, and A >= N never counts as enough', async (t) => {
  const target = { serviceLevel: 0.8, answerWithinSeconds: 15 };
  t.equal(agentsNeeded({ callsPerHour: 0, meanHandleSeconds: 180 }, target), 0);
  // 10 calls an hour of 3 minutes is half an erlang: one agent answers 1 − 0.5·e^{−0.5·15/180} ≈ 52 % in 15 s.
  t.equal(agentsNeeded({ callsPerHour: 10, meanHandleSeconds: 180 }, target), 2);
  let last = 0;
  for (const callsPerHour of [20, 60, 120, 600, 3000, 12_000]) {
    const n = agentsNeeded({ callsPerHour, meanHandleSeconds: 180 }, target);
    const a = (callsPerHour * 180) / 3600;
    t.ok(n > a && n >= last, `${callsPerHour} calls/h (${a} erlangs): ${n} agents`);
    last = n;
  }
  t.equal(probabilityOfWaiting({ agents: 5, callsPerHour: 100, meanHandleSeconds: 180 }), 1, 'A = N: everyone waits');
  t.equal(serviceLevel({ agents: 4, callsPerHour: 100, meanHandleSeconds: 180 }, 15), 0);
  t.equal(averageSpeedOfAnswer({ agents: 4, callsPerHour: 100, meanHandleSeconds: 180 }), Infinity);
  t.throws(() => probabilityOfWaiting({ agents: 2.5, callsPerHour: 10, meanHandleSeconds: 60 }), RangeError);
  t.throws(() => offeredErlangs({ callsPerHour: 10, meanHandleSeconds: 0 }), RangeError);
  t.throws(() => agentsNeeded({ callsPerHour: 10, meanHandleSeconds: 60 }, { serviceLevel: 80, answerWithinSeconds: 15 }), RangeError);
});
