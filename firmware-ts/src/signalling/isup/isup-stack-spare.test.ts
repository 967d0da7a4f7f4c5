import t from 'tap';
import { buildIam } from './isup-builders.js';
import { CAUSE } from './isup-cause.js';
import { encodeIsupMsu } from './isup-msu.js';
import { BOX_PC, EXCHANGE_PC } from '../../../test-support/exchange-tap.js';
import { isupRig as rig } from '../../../test-support/in-process-rig.js';

// Spare or unrecognised values inside parameters the box knows (Q.764 2.9.5.2, 2.9.5.3): never
// a message dropped in silence while the caller waits for T7.

const FROM_EXCHANGE = { variant: 'itu', ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC } as const;

/** The exchange's IAM on `cic` with one octet of the encoded message changed. */
function iamWith(cic: number, patch: (bytes: Uint8Array) => void): Uint8Array {
  const bytes = encodeIsupMsu(FROM_EXCHANGE, buildIam(cic, '12345', '13900000000'));
  patch(bytes);
  return bytes;
}

/** Offset of the calling party number's second octet (NI, NPI, APRI, screening) in the MSU. */
function callingOctet2(bytes: Uint8Array): number {
  // SIO + 4-octet label + CIC(2) + type + 5 fixed octets = 13; then the two pointers.
  const optional = 14 + bytes[14]!;
  for (let at = optional; bytes[at] !== 0; at += 2 + bytes[at + 1]!) if (bytes[at] === 0x0a) return at + 3;
  throw new Error('no calling party number');
}

t.test('IAM whose calling party number has presentation indicator 3 (spare): the call is offered, presentation restricted', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  t.ok(r.tap.inject(iamWith(2, (b) => (b[callingOctet2(b)]! |= 0x0c))));
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['ACM 2'], 'ACM at once: the caller is not left waiting for T7');
  t.equal(r.incoming.length, 1, 'the call is offered');
  t.equal(r.stack.transport.stats.malformed, 0);
});

t.test('IAM with a spare value in a mandatory parameter: released with cause 100 at once', async (t) => {
  const r = rig(t);
  await r.up();
  const mark = r.tap.mark();
  // Nature of connection (first fixed octet of the IAM, MSU offset 8): continuity check indicator 3 is spare.
  t.ok(r.tap.inject(iamWith(2, (b) => (b[8] = 0x0c))));
  await r.run(100);
  t.same(r.tap.trace('box', mark), ['REL 2'], 'REL within 1 s, no ACM');
  t.equal(r.tap.of('box', 'REL', mark)[0]?.causeIndicators.causeValue, CAUSE.invalidParameterContents);
  t.ok(await r.until(() => r.circuit(2).call === 'idle'), 'idle after the RLC');
  t.same(r.incoming, []);
});

t.test('an optional parameter with a spare value is discarded; the message is taken', async (t) => {
  const r = rig(t);
  await r.up();
  const placed = r.stack.calls.placeCall('95598', '', 200);
  t.ok(await r.until(() => r.circuit(1).callPhase === 'alerting'));
  // CPG alerting with backward call indicators whose charge indicator is 3 (spare).
  const cpg = encodeIsupMsu(FROM_EXCHANGE, { type: 'CPG', cic: 1, eventInformation: { event: 'progress', presentationRestricted: false }, backwardCallIndicators: { charge: 'charge', calledPartysStatus: 'subscriber-free', calledPartysCategory: 'ordinary', endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: true, holdingRequested: false, isdnAccess: false, echoControlDevice: false, sccpMethod: 'none' } });
  cpg[cpg.length - 3] = (cpg[cpg.length - 3]! & ~0x03) | 0x03;
  t.ok(r.tap.inject(cpg));
  await r.run(20);
  t.match(r.stack.calls.onCircuit(1), { progress: ['progress'] }, 'the CPG reached the call');
  t.equal(r.stack.transport.stats.malformed, 0);
  t.match(await r.settle(placed), { result: 'completed' });
});
