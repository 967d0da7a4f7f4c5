import t from 'tap';
import { CAUSE_INDICATORS } from './isup-cause.js';
import { CONTINUITY_INDICATORS, FORWARD_CALL_INDICATORS, NATURE_OF_CONNECTION, SUPERVISION_TYPE } from './isup-indicators.js';
import { CALLED_PARTY_NUMBER, CALLING_PARTY_NUMBER } from './isup-numbers.js';
import { RANGE_AND_STATUS, RANGE_ONLY } from './isup-range-status.js';
import type { ParamCodec } from './param-codec.js';

/** Parameter contents as they sit in a message; offsets in errors count from octet 0 here. */
function decode<T>(codec: ParamCodec<T>, bytes: number[]): T {
  return codec.decode(Uint8Array.from(bytes), 0, bytes.length);
}

const called = { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1 } as const;
const calling = { natureOfAddress: 3, numberIncomplete: false, numberingPlan: 1, presentation: 'allowed', screening: 'network-provided' } as const;

t.test('address signals: odd/even indicator, filler, ST', async (t) => {
  t.same(CALLED_PARTY_NUMBER.encode({ ...called, digits: '12345', endOfPulsing: false }, 'x'), [0x83, 0x10, 0x21, 0x43, 0x05], 'odd: filler 0000 in the last high nibble');
  t.same(CALLED_PARTY_NUMBER.encode({ ...called, digits: '1234', endOfPulsing: true }, 'x'), [0x83, 0x10, 0x21, 0x43, 0x0f], 'ST counts as a signal: 5, odd');
  t.same(CALLED_PARTY_NUMBER.encode({ ...called, digits: '', endOfPulsing: true }, 'x'), [0x83, 0x10, 0x0f], 'ST alone');
  t.same(CALLED_PARTY_NUMBER.encode({ ...called, digits: '', endOfPulsing: false }, 'x'), [0x03, 0x10], 'no signals at all');
  t.same(decode(CALLED_PARTY_NUMBER, [0x83, 0x10, 0x21, 0x43, 0xf5]), { ...called, digits: '12345', endOfPulsing: false }, 'a filler of 1111 is not looked at');
  t.same(decode(CALLED_PARTY_NUMBER, [0x83, 0x10, 0xcb, 0x09]), { ...called, digits: 'BC9', endOfPulsing: false }, 'codes 11 and 12 are B and C');
  t.same(decode(CALLED_PARTY_NUMBER, [0x03, 0x10, 0xcb, 0x09]), { ...called, digits: 'BC90', endOfPulsing: false }, 'even: the high nibble is digit 0, not filler');
});

t.test('address signals that are not allowed', async (t) => {
  t.throws(() => decode(CALLED_PARTY_NUMBER, [0x03, 0x10, 0xf1, 0x32]), { code: 'bad-value', offset: 2, message: /ST before the last/ });
  t.throws(() => decode(CALLED_PARTY_NUMBER, [0x03, 0x10, 0x21, 0x3a]), { code: 'bad-value', offset: 3, message: /code 10 is spare/ });
  t.throws(() => decode(CALLED_PARTY_NUMBER, [0x03, 0x10, 0xe1]), { code: 'bad-value', offset: 2, message: /code 14 is spare/ });
  t.throws(() => decode(CALLING_PARTY_NUMBER, [0x03, 0x13, 0xf1]), { code: 'bad-value', offset: 2, message: /code 15 is spare/ }, 'no ST in a calling number');
  t.throws(() => decode(CALLED_PARTY_NUMBER, [0x83, 0x10]), { code: 'bad-value', offset: 0, message: /odd indicator set but no address signals/ });
  t.throws(() => decode(CALLED_PARTY_NUMBER, [0x03]), { code: 'bad-length', offset: 0 });
  t.throws(() => CALLED_PARTY_NUMBER.encode({ ...called, digits: '12*', endOfPulsing: false }, 'IAM.calledPartyNumber'), /IAM.calledPartyNumber.digits: '\*' is not an address signal/);
  t.throws(() => CALLED_PARTY_NUMBER.encode({ ...called, digits: '1b', endOfPulsing: false }, 'x'), RangeError, 'lower-case b');
  t.throws(() => CALLING_PARTY_NUMBER.encode({ ...calling, digits: 'F' }, 'x'), RangeError, 'ST cannot be written as a digit');
  t.throws(() => CALLED_PARTY_NUMBER.encode({ ...called, natureOfAddress: 128, digits: '1', endOfPulsing: false }, 'x'), RangeError, 'NAI is 7 bits');
  t.throws(() => CALLED_PARTY_NUMBER.encode({ ...called, numberingPlan: 8, digits: '1', endOfPulsing: false }, 'x'), RangeError, 'NPI is 3 bits');
});

t.test('calling party number: presentation, screening, incomplete', async (t) => {
  const none = { ...calling, natureOfAddress: 0, numberingPlan: 0, presentation: 'not-available', digits: '' } as const;
  t.same(CALLING_PARTY_NUMBER.encode(none, 'x'), [0x00, 0x0b], 'address not available (10), network provided (11), no digits');
  t.same(decode(CALLING_PARTY_NUMBER, [0x00, 0x0b]), none);
  const incomplete = { ...calling, numberIncomplete: true, screening: 'user-provided-not-verified', digits: '12' } as const;
  t.same(CALLING_PARTY_NUMBER.encode(incomplete, 'x'), [0x03, 0x90, 0x21]);
  t.same(decode(CALLING_PARTY_NUMBER, [0x03, 0x90, 0x21]), incomplete);
  t.match(decode(CALLING_PARTY_NUMBER, [0x03, 0x1c]), { presentation: 'restricted' }, 'presentation code 11 (reserved for restriction by the network) reads as restricted');
});

t.test('cause indicators: octet 1a, diagnostics, extension bits', async (t) => {
  const full = { codingStandard: 'national', location: 10, recommendation: 0, causeValue: 102, diagnostics: Uint8Array.from([0x01, 0x02]) } as const;
  const bytes = [
    0x4a, // ext 0 (octet 1a follows), coding 10 national, location 1010 beyond interworking point
    0x80, // ext 1, recommendation 0 (Q.931)
    0xe6, // ext 1, cause 102 recovery on timer expiry
    0x01, 0x02, // diagnostics
  ];
  t.same(CAUSE_INDICATORS.encode(full, 'x'), bytes);
  t.same(decode(CAUSE_INDICATORS, bytes), full);
  t.throws(() => decode(CAUSE_INDICATORS, [0x82, 0x10]), { code: 'bad-value', offset: 1, message: /extension bit 0/ });
  t.throws(() => decode(CAUSE_INDICATORS, [0x02, 0x00, 0x90]), { code: 'bad-value', offset: 1 }, 'octet 1a with ext 0');
  t.throws(() => decode(CAUSE_INDICATORS, [0x02, 0x80]), { code: 'bad-length', offset: 0 }, 'octet 1a but no cause value');
  t.throws(() => decode(CAUSE_INDICATORS, [0x82]), { code: 'bad-length', offset: 0 });
  t.throws(() => CAUSE_INDICATORS.encode({ ...full, causeValue: 128 }, 'x'), RangeError);
  t.throws(() => CAUSE_INDICATORS.encode({ ...full, codingStandard: 'ansi' as never }, 'x'), RangeError);
});

t.test('range and status', async (t) => {
  t.throws(() => decode(RANGE_ONLY, [0x1d, 0xff, 0xff, 0xff, 0x3f]), { code: 'bad-length', offset: 0 }, 'GRS carries no status');
  t.throws(() => decode(RANGE_AND_STATUS, [0x1d, 0xff, 0xff, 0xff]), { code: 'bad-length', message: /range 29 needs 4 status octet\(s\), got 3/ });
  t.throws(() => decode(RANGE_AND_STATUS, [0x07, 0xff, 0x00]), { code: 'bad-length' }, 'one status octet too many');
  t.throws(() => decode(RANGE_AND_STATUS, []), { code: 'bad-length' });
  t.same(decode(RANGE_AND_STATUS, [0x02, 0xf9]), { range: 2, status: [true, false, false] }, 'bits past range + 1 are not looked at');
  t.same(RANGE_AND_STATUS.encode({ range: 0, status: [true] }, 'x'), [0x00, 0x01], 'range 0: one circuit');
  t.same(RANGE_AND_STATUS.encode({ range: 8, status: [...Array<boolean>(8).fill(false), true] }, 'x'), [0x08, 0x00, 0x01], '9 circuits need 2 octets');
  t.throws(() => RANGE_AND_STATUS.encode({ range: 3, status: [true] }, 'CGB.rangeAndStatus'), /CGB.rangeAndStatus.status: expected 4 entries/);
  t.throws(() => RANGE_ONLY.encode({ range: 256 }, 'x'), RangeError);
});

t.test('indicator parameters: spare codes are refused, spare bits ignored', async (t) => {
  t.same(decode(NATURE_OF_CONNECTION, [0xe3]), { satellite: 3, continuityCheck: 'not-required', echoControlDevice: false }, 'bits H-F spare; satellite 3 passes as a number');
  t.throws(() => decode(NATURE_OF_CONNECTION, [0x0c]), { code: 'bad-value', offset: 0, message: /continuityCheck code 3 is spare/ });
  t.throws(() => decode(FORWARD_CALL_INDICATORS, [0xc0, 0x00]), { code: 'bad-value', offset: 0, message: /isupPreference/ });
  t.match(decode(FORWARD_CALL_INDICATORS, [0x01, 0xf8]), { international: true, national: 31 }, 'bits L-P carried');
  t.same(FORWARD_CALL_INDICATORS.encode({ ...decode(FORWARD_CALL_INDICATORS, [0x01, 0xf8]) }, 'x'), [0x01, 0xf8]);
  t.equal(decode(CONTINUITY_INDICATORS, [0xfe]), 'failed', 'bits H-B spare');
  t.equal(decode(SUPERVISION_TYPE, [0xfd]), 'hardware-failure');
  t.throws(() => decode(SUPERVISION_TYPE, [0x02]), { code: 'bad-value', message: /code 2 is spare/ }, 'national use code');
  t.throws(() => NATURE_OF_CONNECTION.encode({ satellite: 0, continuityCheck: 'yes' as never, echoControlDevice: false }, 'IAM.natureOfConnection'), /IAM.natureOfConnection.continuityCheck: yes is not one of/);
  t.throws(() => NATURE_OF_CONNECTION.encode({ satellite: 0, continuityCheck: 'required', echoControlDevice: 1 as never }, 'x'), TypeError);
  t.throws(() => NATURE_OF_CONNECTION.encode(null as never, 'x'), TypeError);
});
