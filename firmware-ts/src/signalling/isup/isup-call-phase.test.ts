import t from 'tap';
import { CALL_PHASES, IllegalPhaseError, nextPhase, PHASE_EVENTS, type CallPhase, type PhaseEvent } from './isup-call-phase.js';

// The call phase table: every legal move, and every other one refused.

const LEGAL: [CallPhase, PhaseEvent, CallPhase][] = [
  ['iam-sent', 'acm', 'alerting'],
  ['iam-sent', 'answer', 'answered'],
  ['iam-sent', 'release', 'releasing'],
  ['iam-sent', 'progress', 'alerting'],
  ['alerting', 'progress', 'alerting'],
  ['alerting', 'answer', 'answered'],
  ['alerting', 'release', 'releasing'],
  ['continuity-wait', 'digits', 'collecting'],
  ['continuity-wait', 'complete', 'incoming'],
  ['continuity-wait', 'release', 'releasing'],
  ['collecting', 'complete', 'incoming'],
  ['collecting', 'release', 'releasing'],
  ['answered', 'suspend', 'suspended'],
  ['suspended', 'resume', 'answered'],
  ['suspended', 'release', 'releasing'],
  ['incoming', 'answer', 'answered'],
  ['incoming', 'release', 'releasing'],
  ['continuity', 'release', 'releasing'],
  ['answered', 'release', 'releasing'],
];

t.test('the legal moves', async (t) => {
  for (const [from, event, to] of LEGAL) t.equal(nextPhase(1, from, event), to, `${from} --${event}--> ${to}`);
});

t.test('every other move throws, naming the circuit, the phase and the event', async (t) => {
  const events = PHASE_EVENTS;
  let refused = 0;
  for (const from of CALL_PHASES) {
    for (const event of events) {
      if (LEGAL.some(([f, e]) => f === from && e === event)) continue;
      const err = t.throws(() => nextPhase(7, from, event)) as IllegalPhaseError;
      t.type(err, IllegalPhaseError);
      t.match(err, { cic: 7, from, event, message: `CIC 7: a call in phase ${from} cannot take ${event}` });
      refused++;
    }
  }
  t.equal(refused, CALL_PHASES.length * events.length - LEGAL.length);
  t.throws(() => nextPhase(1, 'releasing', 'release'), IllegalPhaseError, 'a second REL is no move (T1 repeats it)');
  t.throws(() => nextPhase(1, 'answered', 'acm'), IllegalPhaseError, 'an ACM after answer is no move');
  t.throws(() => nextPhase(1, 'continuity', 'answer'), IllegalPhaseError, 'a continuity test is never answered');
  t.throws(() => nextPhase(1, 'alerting', 'suspend'), IllegalPhaseError, 'only an answered call is suspended');
  t.throws(() => nextPhase(1, 'continuity-wait', 'answer'), IllegalPhaseError, 'no answer before the continuity check passed');
});
