import t from 'tap';
import { averageSpeedOfAnswer, serviceLevel } from './erlang-c.js';
import { simulateQueue } from './queue-simulation.js';

// Five agents, three-minute calls, 60 calls an hour: 3 erlangs, where Erlang C predicts
// 80.0 % answered within 15 s. The engine decides every offer; Erlang C is the yardstick.
const OFFICE = { agents: 5, callsPerHour: 60, meanHandleSeconds: 180 };
const CALLS = 100_000;
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

t.test('100,000 callers who never abandon: the measured 15-second service level is within 2 points of Erlang C', async (t) => {
  const predicted = serviceLevel(OFFICE, 15);
  t.ok(predicted > 0.78 && predicted < 0.82, `the load is where Erlang C predicts about 80 % (${pct(predicted)})`);
  const r = simulateQueue({ seed: 20261201, calls: CALLS, ...OFFICE });
  t.equal(r.offered, CALLS);
  t.equal(r.answered, CALLS, 'every caller is answered: nobody abandons and there is no max wait');
  t.equal(r.abandoned, 0);
  t.ok(Math.abs(r.serviceLevel - predicted) <= 0.02, `measured ${pct(r.serviceLevel)} against ${pct(predicted)} predicted`);
  const asa = averageSpeedOfAnswer(OFFICE);
  t.ok(Math.abs(r.meanWaitSeconds - asa) / asa < 0.1, `mean wait ${r.meanWaitSeconds.toFixed(1)} s against ${asa.toFixed(1)} s predicted`);
  t.equal(r.casRefused, 0, 'no decision was refused');
  t.equal(r.swept, 0, 'the sweep found nobody stuck');
  t.comment(`${CALLS} calls over ${r.simulatedHours.toFixed(0)} simulated hours: SL15 ${pct(r.serviceLevel)} (Erlang C ${pct(predicted)}), ASA ${r.meanWaitSeconds.toFixed(1)} s (Erlang C ${asa.toFixed(1)} s)`);
});

t.test('the same office with callers who give up (patience 60 s on average): fewer answered, but sooner', async (t) => {
  const patient = simulateQueue({ seed: 7, calls: CALLS, ...OFFICE });
  const impatient = simulateQueue({ seed: 7, calls: CALLS, ...OFFICE, meanPatienceSeconds: 60 });
  t.equal(impatient.answered + impatient.abandoned, impatient.offered, 'every caller has exactly one outcome');
  t.ok(impatient.abandoned > 0.01 * CALLS, `callers abandon (${impatient.abandoned})`);
  t.ok(impatient.answerRate < patient.answerRate - 0.01, `answer rate falls: ${pct(patient.answerRate)} -> ${pct(impatient.answerRate)}`);
  t.ok(impatient.serviceLevel > patient.serviceLevel + 0.05, `the service level of those answered rises: ${pct(patient.serviceLevel)} -> ${pct(impatient.serviceLevel)}`);
  t.comment(
    `abandonment with mean patience 60 s: answer rate ${pct(patient.answerRate)} -> ${pct(impatient.answerRate)} (${((impatient.answerRate - patient.answerRate) * 100).toFixed(1)} points), ` +
      `SL15 ${pct(patient.serviceLevel)} -> ${pct(impatient.serviceLevel)} (+${((impatient.serviceLevel - patient.serviceLevel) * 100).toFixed(1)} points), ` +
      `mean wait ${patient.meanWaitSeconds.toFixed(1)} s -> ${impatient.meanWaitSeconds.toFixed(1)} s; the work standard wants an answer rate of 95 % or more`,
  );
});
