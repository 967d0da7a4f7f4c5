import t from 'tap';
import { blockAfter, CALL_STATES, CircuitState, IllegalTransitionError, type CallEvent, type CallState } from './circuit-state.js';

const EVENTS: CallEvent[] = ['reserve', 'confirm', 'cancel', 'yield', 'seize', 'release'];
const LEGAL: Record<string, CallState> = {
  'idle reserve': 'reserved',
  'idle seize': 'incoming',
  'reserved confirm': 'outgoing',
  'reserved cancel': 'idle',
  'reserved yield': 'incoming',
  'reserved release': 'idle',
  'outgoing release': 'idle',
  'incoming release': 'idle',
};

/** A circuit driven into `call` through legal moves. */
function inState(call: CallState): CircuitState {
  const st = new CircuitState(7, 0);
  if (call === 'reserved' || call === 'outgoing') st.transition('reserve', 1);
  if (call === 'outgoing') st.transition('confirm', 2);
  if (call === 'incoming') st.transition('seize', 1);
  return st;
}

t.test('every call move: the legal ones land where the diagram says, the rest throw', async (t) => {
  for (const from of CALL_STATES) {
    for (const event of EVENTS) {
      const st = inState(from);
      const expected = LEGAL[`${from} ${event}`];
      if (expected) {
        t.equal(st.transition(event, 10, 16), expected, `${from} --${event}--> ${expected}`);
        t.equal(st.since, 10);
      } else {
        t.throws(() => st.transition(event, 10, 16), new IllegalTransitionError(7, from, event), `${from} --${event}--> refused`);
        t.equal(st.call, from, 'state unchanged after a refused move');
      }
    }
  }
});

t.test('release stamps the release time and cause; cancel keeps the old release time', async (t) => {
  const st = new CircuitState(3, 100);
  t.equal(st.releasedAt, 100, 'counts as released at start-up');
  t.equal(st.lastRelease, null);
  st.transition('reserve', 200);
  st.transition('release', 250, 16);
  t.equal(st.releasedAt, 250);
  t.same(st.lastRelease, { cause: 16, at: 250 });
  st.transition('reserve', 300);
  st.transition('cancel', 310);
  t.equal(st.releasedAt, 250, 'a reservation no IAM left for does not count as use');
  t.same(st.lastRelease, { cause: 16, at: 250 });
  st.transition('seize', 400);
  t.throws(() => st.transition('release', 500), { name: 'RangeError', message: /Q\.850 cause value 0\.\.127, got undefined/ });
  t.throws(() => st.transition('release', 500, 128), { name: 'RangeError' });
  t.equal(st.call, 'incoming', 'a release with a bad cause changes nothing');
});

t.test('block sides are independent, repeats are harmless, and offerable needs all three clear', async (t) => {
  t.equal(blockAfter('none', 'block', 'local'), 'local');
  t.equal(blockAfter('local', 'block', 'remote'), 'both');
  t.equal(blockAfter('both', 'unblock', 'local'), 'remote');
  t.equal(blockAfter('remote', 'unblock', 'remote'), 'none');
  t.equal(blockAfter('local', 'block', 'local'), 'local', 'repeat block');
  t.equal(blockAfter('none', 'unblock', 'remote'), 'none', 'unblock of a side not blocked');
  t.equal(blockAfter('remote', 'unblock', 'local'), 'remote');

  const st = new CircuitState(1, 0);
  t.ok(st.offerable);
  st.setBlock('maintenance', 'block', 'remote');
  t.notOk(st.offerable);
  t.equal(st.hardware, 'none', 'maintenance and hardware are separate');
  st.setBlock('hardware', 'block', 'local');
  st.setBlock('maintenance', 'unblock', 'remote');
  t.notOk(st.offerable, 'still hardware blocked');
  st.setBlock('hardware', 'unblock', 'local');
  t.ok(st.offerable);
  st.transition('seize', 1);
  t.notOk(st.offerable, 'busy');
  st.setBlock('maintenance', 'block', 'local');
  t.equal(st.call, 'incoming', 'blocking does not touch the call');
});
