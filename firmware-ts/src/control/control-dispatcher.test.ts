import { pino } from 'pino';
import t from 'tap';
import { CountylineError, type ErrorCode } from '../errors.js';
import { ControlDispatcher, type ControlHandlers } from './control-dispatcher.js';
import { CONTROL_METHODS, METHOD_NAMES } from './control-methods.js';
import { refusal } from '../../test-support/refusal.js';

// The dispatcher's checks against the method table, with handlers that only say they ran:
// what is tested here is what reaches a handler and what is refused before.

function dispatcher() {
  const ran: string[] = [];
  const refused: ErrorCode[] = [];
  const record =
    <R>(name: string, result: R) =>
    () => {
      ran.push(name);
      return result;
    };
  const handlers = {
    status: record('status', {}),
    trunks: record('trunks', {}),
    alarms: record('alarms', { alarms: [] }),
    'test-call': record('test-call', { outcomes: [] }),
    metrics: () => {
      throw new Error('registry exploded');
    },
    circuits: () => {
      throw new CountylineError('no-isup', {});
    },
    block: record('block', {}),
    unblock: record('unblock', {}),
    call: record('call', { completed: 0, failed: 0, outcomes: [] }),
    capture: record('capture', { frames: 0 }),
  } as unknown as ControlHandlers; // results are not under test here
  return { d: new ControlDispatcher(handlers, pino({ level: 'silent' }), (code) => refused.push(code)), ran, refused };
}


t.test('every method of the table takes an object of named parameters and nothing else', async (t) => {
  for (const method of METHOD_NAMES) {
    const schema = CONTROL_METHODS[method].params as { type?: string; additionalProperties?: boolean };
    t.equal(schema.type, 'object', `${method}: parameters are an object`);
    t.equal(schema.additionalProperties, false, `${method}: unknown parameters are refused`);
  }
});

t.test('good parameters reach the handler', async (t) => {
  const { d, ran } = dispatcher();
  await d.dispatch('call', { number: '12345', count: 3, perMinute: 30, holdSeconds: 0 });
  await d.dispatch('test-call', { circuit: 'e1/0/5' });
  await d.dispatch('test-call', { circuit: 'all' });
  await d.dispatch('block', { cic: 4095 });
  t.same(ran, ['call', 'test-call', 'test-call', 'block']);
});

t.test('bad parameters are refused with one coded error naming the field, before any handler runs', async (t) => {
  const { d, ran, refused } = dispatcher();
  const cases: [string, unknown, string, string][] = [
    ['call', { number: '12345', count: 0, perMinute: 60, holdSeconds: 5 }, 'count', 'count is 0; it must be a whole number from 1 to 100000'],
    ['call', { number: '12345', count: 2.5, perMinute: 60, holdSeconds: 5 }, 'count', 'count is 2.5; it must be a whole number from 1 to 100000'],
    ['call', { number: '12 345', count: 1, perMinute: 60, holdSeconds: 5 }, 'number', 'number is "12 345"; it must be 1 to 20 digits'],
    ['call', { number: '12345', count: 1, perMinute: 0, holdSeconds: 5 }, 'perMinute', 'perMinute is 0; it must be a number above 0, at most 6000'],
    ['call', { count: 1, perMinute: 60, holdSeconds: 5 }, 'number', 'number is missing; give 1 to 20 digits'],
    ['test-call', { circuit: 'fxo/one' }, 'circuit', 'circuit is "fxo/one"; it must be fxo/N, e1/S/T or all'],
    ['block', { cic: 4096 }, 'cic', 'cic is 4096; it must be a whole number from 0 to 4095'],
    ['block', { cic: '7' }, 'cic', 'cic is "7"; it must be a whole number from 0 to 4095'],
    ['alarms', { all: 'yes' }, 'all', 'all is "yes"; it must be true or false'],
    ['status', { verbose: true }, 'verbose', 'verbose is not a parameter of this command; accepted: none'],
    ['capture', { seconds: 10, file: 'x.pcap' }, 'file', 'file is not a parameter of this command; accepted: seconds'],
    ['status', [], 'params', 'params is []; it must be a JSON object'],
    ['kpi', { day: '1.12.2026' }, 'day', 'day is "1.12.2026"; it must be a date as YYYY-MM-DD, e.g. 2026-12-01'],
  ];
  for (const [method, params, field, message] of cases) {
    const err = await refusal(d.dispatch(method, params));
    t.equal(err.code, 'bad-params', `${method} ${JSON.stringify(params)}`);
    t.match(err.args, { field }, 'names the field');
    t.equal(err.message, message);
    const zh = err.text('zh');
    t.match(zh, /\p{Script=Han}/u, `in Chinese: ${zh}`);
    t.notMatch(zh, /\b(is|must|missing|give|accepted|whole|digits|above|most)\b/, 'no English words left in it');
  }
  t.same(ran, [], 'no handler ran');
  t.equal(refused.length, cases.length, 'every refusal counted');
});

t.test('unknown methods and handler failures are coded too', async (t) => {
  const { d, refused } = dispatcher();
  const unknown = await refusal(d.dispatch('reboot', {}));
  t.equal(unknown.code, 'unknown-method');
  t.match(unknown.message, /no method "reboot" \(known: status, trunks, alarms, test-call, metrics, circuits, block, unblock, call, capture, agents, bulletin, bulletin-set, bulletin-clear, queue, agent-status, calls, kpi, callbacks, callback-done, dial, debug-hang\)/);
  t.equal((await refusal(d.dispatch(42, {}))).code, 'unknown-method', 'a method name that is not even a string');
  t.equal((await refusal(d.dispatch('constructor', {}))).code, 'unknown-method', 'no prototype names');
  const own = await refusal(d.dispatch('circuits', {}));
  t.equal(own.code, 'no-isup', "a handler's own coded error passes through");
  const crash = await refusal(d.dispatch('metrics', {}));
  t.equal(crash.code, 'internal');
  t.match(crash.message, /registry exploded/);
  t.same(refused, ['unknown-method', 'unknown-method', 'unknown-method', 'no-isup', 'internal']);
});
