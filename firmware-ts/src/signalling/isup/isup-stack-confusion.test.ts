import { Registry } from 'prom-client';
import t from 'tap';
import { buildCfn } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { encodeIsupMsu } from './isup-msu.js';
import { BOX_PC, EXCHANGE_PC } from '../../../test-support/exchange-tap.js';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

// Q.764 2.9.5.1: messages of a type the box does not know, and CFN both ways.

const FROM_EXCHANGE = { variant: 'itu', ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC } as const;

/** An MSU from the exchange with message type `code` and `rest` after it (a BLO rewritten: label, CIC, type). */
function unknownMsu(cic: number, code: number, rest: number[] = []): Uint8Array {
  const blo = encodeIsupMsu(FROM_EXCHANGE, { type: 'BLO', cic });
  return Uint8Array.from([...blo.subarray(0, 7), code, ...rest]);
}

/**
 * The layout of a message added after 1992 (Q.763): type, pointer to the optional part,
 * then the message compatibility information (0x38) with `instructions` as its octet.
 */
const withCompatibility = (instructions: number) => [0x01, 0x38, 0x01, 0x80 | instructions, 0x00];
const RELEASE_CALL = 0x02; // B
const DISCARD = 0x08 | 0x10; // D, and E: discard rather than release
const NOTIFY = 0x04; // C

t.test('a message of unknown type is answered with CFN cause 97, the type code as diagnostic; not malformed', async (t) => {
  const r = rig(t);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  const mark = r.tap.mark();
  t.ok(r.tap.inject(unknownMsu(2, 0xee)));
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['CFN 2'], 'CFN on the CIC of the message');
  const [cfn] = r.tap.of('box', 'CFN', mark);
  t.equal(cfn?.causeIndicators.causeValue, 97, 'cause 97: message type non-existent or not implemented');
  t.same([...(cfn?.causeIndicators.diagnostics ?? [])], [0xee], 'diagnostic: the message type code');
  t.same(r.tap.trace('exchange', mark), [], 'the exchange does not answer the CFN');
  t.match(r.exchange.summary().counters, { confusionReceived: 1 });
  t.equal(r.stack.transport.stats.malformed, 0, 'not malformed');
  t.equal(r.stack.transport.stats.unrecognised, 1);
  t.match(await metrics.metrics(), /^countyline_isup_unrecognised_total\{code="0xee",action="confusion"\} 1$/m);
  t.match(await metrics.metrics(), /^countyline_isup_messages_total\{direction="out",type="CFN"\} 1$/m);
  t.match(r.circuit(2), { call: 'idle', block: 'none' }, 'the circuit is as it was');
});

t.test('message compatibility information: release the call (REL cause 97)', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 60_000);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'answered'));
  const mark = r.tap.mark();
  t.ok(r.tap.inject(unknownMsu(1, 0xee, withCompatibility(RELEASE_CALL))));
  const outcome = await r.settle(placed);
  t.same(r.tap.trace('box', mark), ['REL 1'], 'REL, no CFN');
  t.equal(r.tap.of('box', 'REL', mark)[0]?.causeIndicators.causeValue, CAUSE.messageTypeNonExistent);
  t.match(outcome, { result: 'failed', reasonCode: 'unrecognised-message', reasonArgs: ['0xee'], cause: 97 });
  t.match(r.circuit(1), { call: 'idle' });
});

t.test('message compatibility information: discard, with and without notification', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.inject(unknownMsu(2, 0xee, withCompatibility(DISCARD))));
  await r.run(100);
  t.same(r.tap.trace('box', mark), [], 'discarded silently: no notification asked for');
  t.ok(r.tap.inject(unknownMsu(2, 0xef, withCompatibility(DISCARD | NOTIFY))));
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['CFN 2'], 'notification asked for: CFN');
  t.same([...(r.tap.of('box', 'CFN', mark)[0]?.causeIndicators.diagnostics ?? [])], [0xef]);
});

t.test('a release asked for on an idle circuit discards the message', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.inject(unknownMsu(2, 0xee, withCompatibility(RELEASE_CALL))));
  await r.run(100);
  t.same(r.tap.trace('box', mark), [], 'no call to release: no REL, no CFN');
});

t.test('a CFN from the exchange is logged and counted, never answered; calls go on', async (t) => {
  const r = rig(t);
  await r.up();
  const metrics = new Registry();
  r.stack.registerMetrics(metrics);
  const mark = r.tap.mark();
  t.ok(r.tap.injectMessage(buildCfn(3, CAUSE.messageTypeNonExistent, 0x2c)));
  await r.run(100);
  t.same(r.tap.trace('box', mark), [], 'no answer');
  t.match(await metrics.metrics(), /^countyline_isup_messages_total\{direction="in",type="CFN"\} 1$/m);
  t.equal(r.stack.transport.stats.malformed, 0);
  t.match(await r.settle(r.stack.calls.placeCall('95598', '', 100)), { result: 'completed' });
});
