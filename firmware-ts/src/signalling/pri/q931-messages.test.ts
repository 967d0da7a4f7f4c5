import t from 'tap';
import { decodeQ931 } from './q931-codec.js';
import { mandatoryIes, q931Verdict, Q931_MESSAGES, Q931_TYPE_BY_CODE } from './q931-messages.js';

// What Q.931 5.8 tells the box to do with each kind of faulty message it receives.

const from = (bytes: number[], side: 'network' | 'user' = 'network') => decodeQ931(Uint8Array.from(bytes), side);
const head = (type: number, flag = true) => [0x08, 0x02, flag ? 0x80 : 0x00, 0x01, type];
const bc = [0x04, 0x03, 0x80, 0x90, 0xa3];
const chan = [0x18, 0x03, 0xa9, 0x83, 0x81];
const cause16 = [0x08, 0x02, 0x82, 0x90];

t.test('the table: codes and mandatory IEs per direction (clause 3)', async (t) => {
  t.equal(Q931_TYPE_BY_CODE.get(0x05), 'SETUP');
  t.equal(Q931_TYPE_BY_CODE.size, Object.keys(Q931_MESSAGES).length, 'no two messages share a code');
  t.same(mandatoryIes('SETUP', 'network'), [0x04, 0x18], 'SETUP from the network: bearer capability and channel');
  t.same(mandatoryIes('SETUP', 'user'), [0x04], 'from a user: bearer capability only');
  t.same(mandatoryIes('RELEASE', 'network', false), [], 'a RELEASE answering DISCONNECT needs no cause');
  t.same(mandatoryIes('STATUS', 'user'), [0x08, 0x14]);
});

t.test('no message at all: ignored without an answer (5.8.1-5.8.3.1)', async (t) => {
  t.match(q931Verdict(from([0x41, 0x02, 0x00, 0x01, 0x05])), { act: false, clause: '5.8.1', reply: undefined });
  t.match(q931Verdict(from([0x08, 0x02])), { act: false, clause: '5.8.2', reply: undefined });
  t.match(q931Verdict(from([0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x09, 0x80])), { act: false, clause: '5.8.2', reply: undefined }, 'an IE cut short');
  t.match(q931Verdict(from([0x08, 0x03, 0x00, 0x00, 0x01, 0x05])), { act: false, clause: '5.8.3.1', reply: undefined });
});

t.test('an unknown message type: STATUS with cause 97 (5.8.4)', async (t) => {
  t.same(q931Verdict(from([...head(0x62), 0x1c, 0x01, 0x91])), { act: false, reply: { message: 'STATUS', cause: 97, diagnostics: [0x62] }, clause: '5.8.4', reason: 'message type 0x62 is not implemented' });
});

t.test('a SETUP with call reference flag 1 is ignored (5.8.3.2)', async (t) => {
  t.match(q931Verdict(from([...head(0x05, true), ...bc, ...chan])), { act: false, reply: undefined, clause: '5.8.3.2' });
});

t.test('missing mandatory IE (5.8.6.1)', async (t) => {
  t.match(q931Verdict(from([...head(0x05, false), ...bc])), { act: false, reply: { message: 'RELEASE COMPLETE', cause: 96, diagnostics: [0x18] } }, 'SETUP without a channel: refused');
  t.match(q931Verdict(from([...head(0x05, false), ...bc], 'user')), { act: true, reply: undefined }, '...unless a user sent it');
  t.match(q931Verdict(from([...head(0x7d), 0x08, 0x02, 0x80, 0x9e])), { act: false, reply: { message: 'STATUS', cause: 96, diagnostics: [0x14] } }, 'STATUS without call state: no action, STATUS back');
  t.match(q931Verdict(from(head(0x03))), { act: false, reply: { message: 'STATUS', cause: 96, diagnostics: [0x1e] } }, 'PROGRESS without progress indicator');
  t.match(q931Verdict(from(head(0x45))), { act: true, assumeCause: 31, reply: { message: 'RELEASE', cause: 96, diagnostics: [0x08] } }, 'DISCONNECT without cause: cleared as cause 31, RELEASE says 96');
  t.match(q931Verdict(from(head(0x4d))), { act: true, assumeCause: 31, reply: { message: 'RELEASE COMPLETE', cause: 96 } }, 'RELEASE without cause: RELEASE COMPLETE says 96');
  t.same(q931Verdict(from(head(0x4d)), { firstClearing: false }), { act: true, reason: 'valid' }, 'a RELEASE answering our DISCONNECT may omit the cause');
  t.same(q931Verdict(from(head(0x5a))), { act: true, assumeCause: 31, clause: '5.8.6.1', reason: 'mandatory IE(s) 0x08 missing' }, 'RELEASE COMPLETE without cause: read as 31, nothing sent');
});

t.test('unrecognised IE that needs comprehension counts as missing (5.8.7.1)', async (t) => {
  t.match(q931Verdict(from([...head(0x05, false), 0x0f, 0x01, 0x00, ...bc, ...chan])), { act: false, reply: { message: 'RELEASE COMPLETE', cause: 96, diagnostics: [0x0f] } }, 'SETUP');
  t.match(q931Verdict(from([...head(0x01), 0x0f, 0x01, 0x00])), { act: false, reply: { message: 'STATUS', cause: 96, diagnostics: [0x0f] } }, 'ALERTING');
  t.match(q931Verdict(from([...head(0x45), 0x0f, 0x01, 0x00, ...cause16])), { act: true, assumeCause: undefined, reply: { message: 'RELEASE', cause: 96 } }, 'DISCONNECT keeps its own cause');
});

t.test('mandatory IE with bad contents (5.8.6.2)', async (t) => {
  t.match(q931Verdict(from([...head(0x05, false), 0x04, 0x02, 0x80, 0xb0, ...chan])), { act: false, reply: { message: 'RELEASE COMPLETE', cause: 100, diagnostics: [0x04] } }, 'SETUP with a bad bearer capability');
  t.match(q931Verdict(from([...head(0x45), 0x08, 0x01, 0x82])), { act: true, assumeCause: 31, reply: { message: 'RELEASE', cause: 100, diagnostics: [0x08] } }, 'DISCONNECT with a bad cause');
  t.match(q931Verdict(from([...head(0x4d), 0x08, 0x01, 0x82]), { firstClearing: false }), { act: true, reply: undefined, clause: '5.8.7.2' }, 'a bad, optional cause in a later RELEASE is just ignored');
  t.match(q931Verdict(from([0x08, 0x02, 0x00, 0x00, 0x46, 0x79, 0x01, 0x81])), { act: false, reply: { message: 'STATUS', cause: 100, diagnostics: [0x79] } }, 'RESTART with a reserved class');
});

t.test('unrecognised IE that needs no comprehension: act, then report (5.8.7.1)', async (t) => {
  t.match(q931Verdict(from([...head(0x01), 0x3a, 0x01, 0x00])), { act: true, reply: { message: 'STATUS', cause: 99, diagnostics: [0x3a], optional: true } }, 'ALERTING: STATUS 99 after acting');
  t.match(q931Verdict(from([...head(0x45), ...cause16, 0x3a, 0x01, 0x00])), { act: true, reply: { message: 'RELEASE', cause: 99, diagnostics: [0x3a] }, clause: '5.8.7.1' }, 'DISCONNECT: the RELEASE says 99');
  t.match(q931Verdict(from([...head(0x4d), ...cause16, 0x3a, 0x01, 0x00])), { act: true, reply: { message: 'RELEASE COMPLETE', cause: 99 }, clause: '5.8.7.1' }, 'RELEASE: the RELEASE COMPLETE says 99');
  t.match(q931Verdict(from([...head(0x5a), ...cause16, 0x3a, 0x01, 0x00])), { act: true, reply: undefined, clause: '5.8.7.1' }, 'RELEASE COMPLETE: nothing');
  t.match(q931Verdict(from([...head(0x01), 0x96, 0x01, 0x01, 0x00])), { act: true, reply: { cause: 99 } }, 'an IE of another codeset');
});

t.test('optional IE with bad contents: act on the rest, then STATUS 100 (5.8.7.2)', async (t) => {
  t.match(q931Verdict(from([...head(0x07), 0x28, 0x01, 0xc1])), { act: true, reply: { message: 'STATUS', cause: 100, diagnostics: [0x28], optional: true } }, 'CONNECT with a non-IA5 display');
  t.match(q931Verdict(from([...head(0x45), ...cause16, 0x28, 0x01, 0xc1])), { act: true, reply: undefined }, 'a clearing message is not answered with STATUS');
});

t.test('valid, out of order or repeated: act on it (5.8.5)', async (t) => {
  t.same(q931Verdict(from([...head(0x05, false), ...bc, ...chan])), { act: true, reason: 'valid' });
  t.match(q931Verdict(from([...head(0x05, false), ...chan, ...bc])), { act: true, reply: undefined, clause: '5.8.5' }, 'channel before bearer capability');
  t.match(q931Verdict(from([...head(0x45), ...cause16, ...cause16])), { act: true, reply: undefined, clause: '5.8.5' }, 'two causes');
});

t.test('a recognised IE the message type does not carry is handled as unrecognised (5.8.7.3)', async (t) => {
  const alerting = from([...head(0x01), 0x08, 0x02, 0x82, 0x91]);
  t.match(alerting, { ok: true, report: { unexpected: [0x08], unrecognised: [] }, message: { ies: { cause: { value: 17 } } } }, 'a cause in ALERTING is read, and flagged');
  t.match(q931Verdict(alerting), { act: true, reply: { message: 'STATUS', cause: 99, diagnostics: [0x08], optional: true }, clause: '5.8.7.3' }, 'acted on, never refused, even for a 0000 identifier');
  t.match(q931Verdict(from([...head(0x45), ...cause16, 0x6c, 0x02, 0xa1, 0x31])), { act: true, reply: { message: 'RELEASE', cause: 99, diagnostics: [0x6c] } }, 'a calling number in DISCONNECT');
  t.match(from([...head(0x05, false), ...bc, ...chan, 0x34, 0x01, 0x01]), { ok: true, report: { unexpected: [] } }, 'signal belongs in SETUP');
  t.match(from([...head(0x07), 0xa1]), { ok: true, report: { unexpected: [0xa1] } }, 'sending complete does not belong in CONNECT');
});

t.test('every message lists its mandatory IEs among those it may carry', async (t) => {
  for (const [name, def] of Object.entries(Q931_MESSAGES)) {
    const all: readonly number[] = def.permitted;
    for (const id of [...def.mandatory, ...('fromNetwork' in def ? def.fromNetwork : []), ...('firstClearing' in def ? def.firstClearing : [])]) t.ok(all.includes(id), `${name}: 0x${id.toString(16)}`);
  }
});
