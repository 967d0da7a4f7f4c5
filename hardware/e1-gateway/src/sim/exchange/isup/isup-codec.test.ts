import t from 'tap';
import { decodeIsup, encodeIsup } from './isup-codec.js';
import { ISUP_MESSAGE_TYPES, type IsupMessage, type IsupMessageType, type UnrecognisedMessage } from './isup-messages.js';
import type { BackwardCallIndicators, CalledPartyNumber, CallingPartyNumber, ForwardCallIndicators } from './isup-parameters.js';
import { Ss7CodecError } from './ss7-codec-error.js';

// One hand-written SIF per message type, from the formats of Q.763 clauses 1, 3 and 4: CIC
// (low octet first), message type, fixed part, pointers, variable part, optional part. Each
// vector is decoded and compared with its message, and the message is encoded and compared
// with the bytes. Values differ between fields, so that two swapped fields show.

const fci: ForwardCallIndicators = {
  international: false,
  endToEndMethod: 0,
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  isupPreference: 'preferred',
  isdnAccess: true,
  sccpMethod: 0,
  national: 0,
};
const bci: BackwardCallIndicators = {
  charge: 'charge',
  calledPartysStatus: 'subscriber-free',
  calledPartysCategory: 'ordinary',
  endToEndMethod: 0,
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  holdingRequested: false,
  isdnAccess: false,
  echoControlDevice: false,
  sccpMethod: 0,
};
const called: CalledPartyNumber = { natureOfAddress: 3, internalNetworkNumber: 'allowed', numberingPlan: 1, digits: '95598', endOfPulsing: true };
const calling: CallingPartyNumber = { natureOfAddress: 3, numberIncomplete: false, numberingPlan: 1, presentation: 'allowed', screening: 'network-provided', digits: '13800138000' };
const cause = (causeValue: number, diagnostics: number[] = []) => ({ codingStandard: 'itu-t' as const, location: 2, causeValue, diagnostics: Uint8Array.from(diagnostics) });
const bits = (s: string) => [...s].map((c) => c === '1');

const VECTORS: { [T in IsupMessageType]: { message: IsupMessage & { type: T }; bytes: number[] }[] } = {
  IAM: [
    {
      message: { type: 'IAM', cic: 7, natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false }, forwardCallIndicators: fci, callingPartysCategory: 0x0a, transmissionMediumRequirement: 3, calledPartyNumber: called, callingPartyNumber: calling },
      bytes: [
        0x07, 0x00, //             CIC 7
        0x01, //                   IAM
        0x00, //                   nature of connection: no satellite, no continuity check, no echo device
        0x20, 0x01, //             forward call indicators: national, ISUP all the way, preferred | ISDN access
        0x0a, //                   calling party's category: ordinary subscriber
        0x03, //                   transmission medium requirement: 3.1 kHz audio
        0x02, //                   pointer to the called party number (2 octets on)
        0x07, //                   pointer to the optional part
        0x05, 0x03, 0x10, //       called party number, 5 octets: even, national | INN allowed, E.164
        0x59, 0x95, 0xf8, //       "95598" then ST, two signals an octet, the first in bits 4-1
        0x0a, 0x08, 0x83, 0x13, // calling party number, 8 octets: odd, national | E.164, allowed, network provided
        0x31, 0x08, 0x10, 0x83, 0x00, 0x00, // "13800138000", filler 0
        0x00, //                   end of optional parameters
      ],
    },
    {
      // With a continuity check, a test call category, no calling party number.
      message: { type: 'IAM', cic: 4095, natureOfConnection: { satellite: 1, continuityCheck: 'required', echoControlDevice: true }, forwardCallIndicators: { ...fci, international: true, isupPreference: 'required', isdnAccess: false, national: 0xa }, callingPartysCategory: 0x0d, transmissionMediumRequirement: 0, calledPartyNumber: { natureOfAddress: 4, internalNetworkNumber: 'not-allowed', numberingPlan: 1, digits: '110', endOfPulsing: false } },
      bytes: [
        0xff, 0x0f, //       CIC 4095
        0x01, //             IAM
        0x15, //             one satellite (01), continuity check required (01 << 2), echo device (1 << 4)
        0xa1, 0xa0, //       international, ISUP all the way, required (10 << 6) | national use bits 1010
        0x0d, //             test call
        0x00, //             speech
        0x02, 0x00, //       pointer to called party number; no optional parameters
        0x04, 0x84, 0x90, // 4 octets: odd, international | INN not allowed, E.164
        0x11, 0x00, //       "110", filler
      ],
    },
  ],
  SAM: [
    {
      message: { type: 'SAM', cic: 7, subsequentNumber: { digits: '67', endOfPulsing: true } },
      bytes: [0x07, 0x00, 0x02, 0x02, 0x00, 0x03, 0x80, 0x76, 0x0f], // pointer, no optional; odd, "67", ST, filler
    },
  ],
  COT: [
    { message: { type: 'COT', cic: 2, continuityIndicators: 'successful' }, bytes: [0x02, 0x00, 0x05, 0x01] },
    { message: { type: 'COT', cic: 3, continuityIndicators: 'failed' }, bytes: [0x03, 0x00, 0x05, 0x00] },
  ],
  ACM: [
    {
      message: { type: 'ACM', cic: 1, backwardCallIndicators: bci, causeIndicators: cause(17), optionalBackwardCallIndicators: { inBandInformation: true, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false } },
      bytes: [
        0x01, 0x00, 0x06, // CIC 1, ACM
        0x16, 0x04, //       charge (10), subscriber free (01 << 2), ordinary (01 << 4) | ISUP all the way (bit K)
        0x01, //             pointer to the optional part: the next octet
        0x12, 0x02, 0x82, 0x91, // cause indicators: ITU-T, public network serving the local user | cause 17
        0x29, 0x01, 0x01, //       optional backward call indicators: in-band information available
        0x00,
      ],
    },
  ],
  CON: [{ message: { type: 'CON', cic: 3, backwardCallIndicators: { ...bci, charge: 'no-charge' } }, bytes: [0x03, 0x00, 0x07, 0x15, 0x04, 0x00] }],
  ANM: [
    { message: { type: 'ANM', cic: 4 }, bytes: [0x04, 0x00, 0x09, 0x00] },
    { message: { type: 'ANM', cic: 4, backwardCallIndicators: { ...bci, isdnAccess: true } }, bytes: [0x04, 0x00, 0x09, 0x01, 0x11, 0x02, 0x16, 0x14, 0x00] },
  ],
  REL: [
    { message: { type: 'REL', cic: 5, causeIndicators: cause(16) }, bytes: [0x05, 0x00, 0x0c, 0x02, 0x00, 0x02, 0x82, 0x90] },
    {
      message: { type: 'REL', cic: 6, causeIndicators: { codingStandard: 'national', location: 0, recommendation: 0, causeValue: 31, diagnostics: Uint8Array.of(1) }, otherParameters: [{ code: 0xfe, data: Uint8Array.of(0xab) }] },
      bytes: [
        0x06, 0x00, 0x0c, // CIC 6, REL
        0x02, 0x06, //       pointer to the cause, pointer to the optional part
        0x04, 0x40, 0x80, 0x9f, 0x01, // 4 octets: ext 0, national (10 << 5), user | recommendation 0 | cause 31 | diagnostic
        0xfe, 0x01, 0xab, // a parameter the exchange does not know, kept
        0x00,
      ],
    },
  ],
  SUS: [{ message: { type: 'SUS', cic: 8, suspendResumeIndicators: 'network' }, bytes: [0x08, 0x00, 0x0d, 0x01, 0x00] }],
  RES: [{ message: { type: 'RES', cic: 8, suspendResumeIndicators: 'subscriber' }, bytes: [0x08, 0x00, 0x0e, 0x00, 0x00] }],
  RLC: [
    { message: { type: 'RLC', cic: 9 }, bytes: [0x09, 0x00, 0x10, 0x00] },
    { message: { type: 'RLC', cic: 9, causeIndicators: cause(31) }, bytes: [0x09, 0x00, 0x10, 0x01, 0x12, 0x02, 0x82, 0x9f, 0x00] },
  ],
  CCR: [{ message: { type: 'CCR', cic: 10 }, bytes: [0x0a, 0x00, 0x11] }],
  RSC: [{ message: { type: 'RSC', cic: 0xabc }, bytes: [0xbc, 0x0a, 0x12] }],
  BLO: [{ message: { type: 'BLO', cic: 17 }, bytes: [0x11, 0x00, 0x13] }],
  UBL: [{ message: { type: 'UBL', cic: 17 }, bytes: [0x11, 0x00, 0x14] }],
  BLA: [{ message: { type: 'BLA', cic: 17 }, bytes: [0x11, 0x00, 0x15] }],
  UBA: [{ message: { type: 'UBA', cic: 17 }, bytes: [0x11, 0x00, 0x16] }],
  GRS: [{ message: { type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } }, bytes: [0x01, 0x00, 0x17, 0x01, 0x01, 0x1d] }], // pointer 1, 1 octet: range 29 (30 circuits)
  CGB: [
    {
      message: { type: 'CGB', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: bits('11000001') } },
      bytes: [0x21, 0x00, 0x18, 0x00, 0x01, 0x02, 0x07, 0x83], // maintenance, pointer, 2 octets: range 7 | CIC 33, 34, 40
    },
  ],
  CGU: [
    {
      message: { type: 'CGU', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: bits('1111111111') } },
      bytes: [0x21, 0x00, 0x19, 0x01, 0x01, 0x03, 0x09, 0xff, 0x03], // hardware failure, range 9: 10 bits over 2 octets
    },
  ],
  CGBA: [{ message: { type: 'CGBA', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: bits('11000001') } }, bytes: [0x21, 0x00, 0x1a, 0x00, 0x01, 0x02, 0x07, 0x83] }],
  CGUA: [{ message: { type: 'CGUA', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: bits('1111111111') } }, bytes: [0x21, 0x00, 0x1b, 0x01, 0x01, 0x03, 0x09, 0xff, 0x03] }],
  GRA: [
    {
      message: { type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: bits('001000000000000000000000000001') } },
      bytes: [0x01, 0x00, 0x29, 0x01, 0x05, 0x1d, 0x04, 0x00, 0x00, 0x20], // CIC 3 (bit 2) and CIC 30 (bit 29) blocked
    },
  ],
  CQM: [{ message: { type: 'CQM', cic: 1, rangeAndStatus: { range: 3 } }, bytes: [0x01, 0x00, 0x2a, 0x01, 0x01, 0x03] }],
  CQR: [
    {
      message: {
        type: 'CQR',
        cic: 1,
        rangeAndStatus: { range: 3 },
        circuitStateIndicators: [
          { state: 'idle', maintenance: 'none', hardware: 'none' },
          { state: 'incoming-busy', maintenance: 'local', hardware: 'none' },
          { state: 'idle', maintenance: 'none', hardware: 'remote' },
          { state: 'unequipped' },
        ],
      },
      bytes: [
        0x01, 0x00, 0x2b, // CIC 1, CQR
        0x02, 0x03, //       pointers: range, circuit state indicator
        0x01, 0x03, //       range 3
        0x04, 0x0c, 0x05, 0x2c, 0x03, // idle (11 << 2); incoming busy (01 << 2), locally blocked; idle, hardware remotely blocked (10 << 4); unequipped
      ],
    },
  ],
  CPG: [
    {
      message: { type: 'CPG', cic: 12, eventInformation: { event: 1, presentationRestricted: false }, optionalBackwardCallIndicators: { inBandInformation: true, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false } },
      bytes: [0x0c, 0x00, 0x2c, 0x01, 0x01, 0x29, 0x01, 0x01, 0x00], // alerting; optional part: in-band information
    },
  ],
  UCIC: [{ message: { type: 'UCIC', cic: 99 }, bytes: [0x63, 0x00, 0x2e] }],
  CFN: [{ message: { type: 'CFN', cic: 3, causeIndicators: cause(97, [0xfe]) }, bytes: [0x03, 0x00, 0x2f, 0x02, 0x00, 0x03, 0x82, 0xe1, 0xfe] }], // cause 97, diagnostic: the message type
};

t.test('every message type of the table has a vector', async (t) => {
  t.same(Object.keys(VECTORS).sort(), [...ISUP_MESSAGE_TYPES].sort());
});

for (const type of ISUP_MESSAGE_TYPES) {
  t.test(type, async (t) => {
    for (const { message, bytes } of VECTORS[type]) {
      t.same(decodeIsup(Uint8Array.from(bytes)), message, `decode CIC ${message.cic}`);
      t.same([...encodeIsup(message)], bytes, `encode CIC ${message.cic}`);
    }
  });
}

t.test('an unknown message type comes back as unrecognised, and goes out as it came', async (t) => {
  const bytes = [0x05, 0x00, 0xfa, 0x01, 0x02];
  const m = decodeIsup(Uint8Array.from(bytes));
  t.same(m, { type: 'unrecognised', cic: 5, code: 0xfa, data: Uint8Array.of(1, 2) } satisfies UnrecognisedMessage);
  t.same([...encodeIsup(m)], bytes);
});

t.test('what a receiver may see but need not send', async (t) => {
  t.equal(decodeIsup(Uint8Array.of(0x11, 0xf0, 0x13)).cic, 17, 'the CIC octet 2 spare bits are ignored');
  // Optional parameters in another order, with the pointers leaving a gap: read all the same.
  const acm = decodeIsup(Uint8Array.of(0x01, 0x00, 0x06, 0x16, 0x04, 0x02, 0xee, 0x29, 0x01, 0x01, 0x12, 0x02, 0x82, 0x91, 0x00));
  t.match(acm, { type: 'ACM', causeIndicators: { causeValue: 17 }, optionalBackwardCallIndicators: { inBandInformation: true } });
  const twice = decodeIsup(Uint8Array.of(0x01, 0x00, 0x10, 0x01, 0x12, 0x02, 0x82, 0x90, 0x12, 0x02, 0x82, 0x91, 0x00));
  t.match(twice, { causeIndicators: { causeValue: 16 }, otherParameters: [{ code: 0x12 }] }, 'a second copy of a parameter is kept aside, not read over the first');
  t.match(decodeIsup(Uint8Array.of(0x02, 0x00, 0x05, 0xff)), { continuityIndicators: 'successful' }, 'spare bits set are ignored');
});

t.test('malformed messages throw Ss7CodecError naming the offset', async (t) => {
  const bad = (bytes: number[], message: RegExp) => t.throws(() => decodeIsup(Uint8Array.from(bytes), 8), { name: 'Ss7CodecError', message }, message.source);
  bad([0x01, 0x00], /needs CIC and message type \(3 octets\), got 2 \(at byte 10\)/);
  bad([0x01, 0x00, 0x01, 0x00, 0x20], /IAM: the message ends inside its forward call indicators/);
  bad([0x01, 0x00, 0x0c], /REL: the message ends inside its pointers/);
  bad([0x05, 0x00, 0x0c, 0x00, 0x00], /REL: pointer 0 to the cause indicators points into the pointers \(at byte 11\)/);
  bad([0x05, 0x00, 0x0c, 0x09, 0x00, 0x02, 0x82, 0x90], /REL: pointer 9 to the cause indicators points past the end/);
  bad([0x05, 0x00, 0x0c, 0x02, 0x00, 0x05, 0x82, 0x90], /REL: the cause indicators of 5 octets runs past the end \(at byte 13\)/);
  bad([0x05, 0x00, 0x0c, 0x02, 0x00, 0x01, 0x82], /REL: the cause indicators has 1 octets; Q.763 allows 2 to 255/);
  bad([0x05, 0x00, 0x0c, 0x02, 0x00, 0x02, 0x02, 0x90], /cause indicators: octet 1a is announced/);
  bad([0x01, 0x00, 0x17, 0x01, 0x02, 0x1d, 0x00], /GRS: the range and status \(range only\) has 2 octets; Q.763 allows 1/);
  bad([0x01, 0x00, 0x29, 0x01, 0x02, 0x1d, 0x00], /range and status: range 29 needs 4 status octets, got 1 \(at byte 13\)/);
  bad([0x09, 0x00, 0x10, 0x01, 0x12, 0x02, 0x82, 0x90], /RLC: the optional part has no end of optional parameters/);
  bad([0x09, 0x00, 0x10, 0x01, 0x12], /RLC: optional parameter 0x12 has no length indicator/);
  bad([0x09, 0x00, 0x10, 0x01, 0x12, 0x03, 0x82, 0x90], /RLC: optional parameter 0x12 of 3 octets runs past the end/);
  bad([0x09, 0x00, 0x10, 0x01, 0x12, 0x01, 0x82, 0x00], /RLC: the optional cause indicators has 1 octets/);
  bad([0x07, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0a, 0x03, 0x02, 0x00, 0x02, 0x03, 0x10], /IAM: the called party number has 2 octets; Q.763 allows 3 to 255/);
});

t.test('encoding refuses what the format cannot carry', async (t) => {
  const bad = (m: unknown, error: RegExp) => t.throws(() => encodeIsup(m as IsupMessage), error, error.source);
  bad({ type: 'BLO', cic: 4096 }, /CIC 4096 must be a whole number from 0 to 4095/);
  bad({ type: 'REL', cic: 1 }, /REL: mandatory parameter causeIndicators \(cause indicators\) is missing/);
  bad({ type: 'REL', cic: 1, causeIndicators: { ...cause(16), causeValue: 128 } }, /cause value 128 must be a whole number from 0 to 127/);
  bad({ type: 'GRA', cic: 1, rangeAndStatus: { range: 2, status: [true] } }, /range 2 needs 3 status bits, got 1/);
  bad({ type: 'CGB', cic: 1, supervisionType: 'both', rangeAndStatus: { range: 1, status: [true, true] } }, /circuit group supervision message type "both" is not one of maintenance/);
  bad({ ...VECTORS.IAM[0]!.message, calledPartyNumber: { ...called, digits: '12#' } }, /may hold only the address signals 0-9 and A-F/);
  bad({ ...VECTORS.IAM[0]!.message, calledPartyNumber: { ...called, digits: '', endOfPulsing: false } }, /needs at least one address signal/);
  bad({ type: 'RLC', cic: 1, otherParameters: [{ code: 0, data: new Uint8Array() }] }, /optional parameter code 0 must be 1 to 255/);
  t.ok(new Ss7CodecError('x', 3) instanceof RangeError, 'the decode error is a RangeError too');
});
