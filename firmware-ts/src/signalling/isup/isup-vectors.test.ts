import t from 'tap';
import { decodeIsup, encodeIsup } from './isup-codec.js';
import type { BackwardCallIndicators, ForwardCallIndicators } from './isup-indicators.js';
import { ISUP_MESSAGES, type IsupMessage } from './isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu, type IsupRoute } from './isup-msu.js';

/**
 * One or more hand-written messages per ISUP message type, from the layouts of Q.763:
 * CIC (2 octets, LSB first), message type, mandatory fixed part, pointers, mandatory
 * variable part (length + contents), optional part (name, length, contents... 00).
 * Each is checked bare and behind both routing labels, written out below by hand.
 */
const FRAMES: readonly { route: IsupRoute & { sls: number }; head: readonly number[] }[] = [
  {
    route: { variant: 'itu', ni: 'international', dpc: 4901, opc: 7745, sls: 10 },
    // SIO: NI international, SI 5 | label 0xa7905325: SLS 10, OPC 3-200-1, DPC 2-100-5, LSB first
    head: [0x05, 0x25, 0x53, 0x90, 0xa7],
  },
  {
    route: { variant: 'china', ni: 'national', dpc: 0x010203, opc: 0x0a141e, sls: 10 },
    // SIO: NI national, SI 5 | DPC 1-2-3 | OPC 10-20-30 | SLS 10
    head: [0x85, 0x03, 0x02, 0x01, 0x1e, 0x14, 0x0a, 0x0a],
  },
];

interface Vector {
  name: string;
  message: IsupMessage;
  bytes: number[];
}

const FCI_PLAIN: ForwardCallIndicators = {
  international: false,
  endToEndMethod: 'none',
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: false,
  isupPreference: 'preferred',
  isdnAccess: false,
  sccpMethod: 'none',
  national: 0,
};
const BCI_FREE: BackwardCallIndicators = {
  charge: 'charge',
  calledPartysStatus: 'subscriber-free',
  calledPartysCategory: 'ordinary',
  endToEndMethod: 'none',
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  holdingRequested: false,
  isdnAccess: false,
  echoControlDevice: false,
  sccpMethod: 'none',
};
const OBCI_NONE = { inbandInformation: false, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false, national: 0 };
const CAUSE_16 = { codingStandard: 'itu-t', location: 2, causeValue: 16, diagnostics: new Uint8Array() } as const;
const CAUSE_16_BYTES = [0x82, 0x90]; // ext 1, ITU-T, location 2 (public network, local user) | ext 1, cause 16 normal clearing

const VECTORS: Vector[] = [
  {
    name: 'IAM en-bloc with calling party number and a parameter we do not type',
    message: {
      type: 'IAM',
      cic: 1,
      natureOfConnection: { satellite: 0, continuityCheck: 'required', echoControlDevice: true },
      forwardCallIndicators: { ...FCI_PLAIN, isupAllTheWay: true, isupPreference: 'required', isdnAccess: true },
      callingPartysCategory: 0x0a,
      transmissionMediumRequirement: 3,
      calledPartyNumber: { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1, digits: '12345', endOfPulsing: true },
      callingPartyNumber: { natureOfAddress: 3, numberIncomplete: false, numberingPlan: 1, presentation: 'allowed', screening: 'network-provided', digits: '13912345678' },
      otherParameters: [{ code: 0x31, data: Uint8Array.from([0x00, 0x05]) }],
    },
    bytes: [
      0x01, 0x00, //       CIC 1
      0x01, //             IAM
      0x14, //             nature of connection: echo device (E), continuity check required (DC 01), no satellite
      0xa0, 0x01, //       forward call: ISUP preference required (HG 10), ISUP all the way (F) | ISDN access (I)
      0x0a, //             calling party's category: ordinary subscriber
      0x03, //             transmission medium requirement: 3.1 kHz audio
      0x02, 0x07, //       pointers: called party number at +2, optional part at +7
      0x05, 0x03, 0x10, 0x21, 0x43, 0xf5, // called: 5 octets, even, national | INN allowed, ISDN plan | 1 2 3 4 5 ST
      0x0a, 0x08, 0x83, 0x13, 0x31, 0x19, 0x32, 0x54, 0x76, 0x08, // calling: odd, national | ISDN, allowed, network provided | 13912345678, filler
      0x31, 0x02, 0x00, 0x05, // propagation delay counter, 5 ms: not typed, kept as it is
      0x00, //             end of optional parameters
    ],
  },
  {
    name: 'IAM overlap: odd number without ST, no optional part, highest CIC',
    message: {
      type: 'IAM',
      cic: 4095,
      natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
      forwardCallIndicators: FCI_PLAIN,
      callingPartysCategory: 0x0a,
      transmissionMediumRequirement: 0,
      calledPartyNumber: { natureOfAddress: 1, inn: 'not-allowed', numberingPlan: 1, digits: '110', endOfPulsing: false },
    },
    bytes: [
      0xff, 0x0f, //   CIC 4095 (spare bits 8-5 of octet 2 zero)
      0x01, //         IAM
      0x00, //         nature of connection: nothing
      0x00, 0x00, //   forward call: national, no ISUP all the way, ISUP preferred
      0x0a, //         ordinary subscriber
      0x00, //         speech
      0x02, 0x00, //   pointers: called party number at +2, no optional part
      0x04, 0x81, 0x90, 0x11, 0x00, // called: 4 octets, odd, subscriber number | INN not allowed, ISDN | 1 1, 0 + filler
    ],
  },
  {
    name: 'IAM of a forwarded call: restricted calling number, original called and redirecting numbers',
    message: {
      type: 'IAM',
      cic: 3,
      natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
      forwardCallIndicators: { ...FCI_PLAIN, isupAllTheWay: true, isupPreference: 'not-required', isdnAccess: true },
      callingPartysCategory: 0x0a,
      transmissionMediumRequirement: 3,
      calledPartyNumber: { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1, digits: '123', endOfPulsing: true },
      callingPartyNumber: { natureOfAddress: 3, numberIncomplete: false, numberingPlan: 1, presentation: 'restricted', screening: 'user-provided-verified-passed', digits: '8888' },
      originalCalledNumber: { natureOfAddress: 3, numberingPlan: 1, presentation: 'allowed', digits: '5551' },
      redirectingNumber: { natureOfAddress: 3, numberingPlan: 1, presentation: 'restricted', digits: '5552' },
    },
    bytes: [
      0x03, 0x00, 0x01, //            CIC 3, IAM
      0x00, //                        nature of connection: nothing
      0x60, 0x01, //                  forward call: ISUP not required (HG 01), ISUP all the way | ISDN access
      0x0a, 0x03, //                  ordinary subscriber, 3.1 kHz audio
      0x02, 0x06, //                  pointers: called at +2, optional part at +6
      0x04, 0x03, 0x10, 0x21, 0xf3, // called: even (3 digits + ST), national | ISDN | 1 2 3 ST
      0x0a, 0x04, 0x03, 0x15, 0x88, 0x88, // calling: even, national | ISDN, restricted (01), user verified passed (01) | 8888
      0x28, 0x04, 0x03, 0x10, 0x55, 0x15, // original called: national | ISDN, allowed | 5551
      0x0b, 0x04, 0x03, 0x14, 0x55, 0x25, // redirecting: national | ISDN, restricted | 5552
      0x00, //                        end of optional parameters
    ],
  },
  {
    name: 'COT: continuity check successful',
    message: { type: 'COT', cic: 5, continuity: 'successful' },
    bytes: [0x05, 0x00, 0x05, /* continuity indicators: bit A 1 */ 0x01],
  },
  {
    name: 'ACM: subscriber free, in-band information',
    message: { type: 'ACM', cic: 1, backwardCallIndicators: BCI_FREE, optionalBackwardCallIndicators: { ...OBCI_NONE, inbandInformation: true } },
    bytes: [
      0x01, 0x00, 0x06, // CIC 1, ACM
      0x16, 0x04, //       backward call: ordinary (FE 01), subscriber free (DC 01), charge (BA 10) | ISUP all the way (K)
      0x01, //             optional part at +1
      0x29, 0x01, 0x01, // optional backward call indicators: in-band information
      0x00,
    ],
  },
  {
    name: 'ACM of a busy subscriber: cause 17 with in-band tone',
    message: {
      type: 'ACM',
      cic: 2,
      backwardCallIndicators: { ...BCI_FREE, charge: 'no-charge', calledPartysStatus: 'no-indication', calledPartysCategory: 'no-indication' },
      causeIndicators: { codingStandard: 'itu-t', location: 2, causeValue: 17, diagnostics: new Uint8Array() },
      optionalBackwardCallIndicators: { ...OBCI_NONE, inbandInformation: true },
    },
    bytes: [0x02, 0x00, 0x06, 0x01, 0x04, /* optional at +1 */ 0x01, /* cause: loc 2 | 17 user busy */ 0x12, 0x02, 0x82, 0x91, 0x29, 0x01, 0x01, 0x00],
  },
  {
    name: 'CON: every backward call indicator field away from its default',
    message: {
      type: 'CON',
      cic: 1,
      backwardCallIndicators: {
        charge: 'no-charge',
        calledPartysStatus: 'no-indication',
        calledPartysCategory: 'payphone',
        endToEndMethod: 'pass-along',
        interworking: true,
        endToEndInformation: false,
        isupAllTheWay: false,
        holdingRequested: false,
        isdnAccess: true,
        echoControlDevice: true,
        sccpMethod: 'connection-oriented',
      },
      optionalBackwardCallIndicators: { ...OBCI_NONE, callDiversionMayOccur: true, national: 5 },
    },
    bytes: [
      0x01, 0x00, 0x07, // CIC 1, CON
      0x61, //             e2e pass along (HG 01), payphone (FE 10), no charge (BA 01)
      0xb1, //             SCCP connection oriented (PO 10), echo device (N), ISDN access (M), interworking (I)
      0x01, //             optional part at +1
      0x29, 0x01, 0x52, // optional backward call: national bits 0101, call diversion may occur (B)
      0x00,
    ],
  },
  { name: 'ANM without parameters', message: { type: 'ANM', cic: 1 }, bytes: [0x01, 0x00, 0x09, /* no optional part */ 0x00] },
  {
    name: 'ANM with backward call indicators',
    message: { type: 'ANM', cic: 7, backwardCallIndicators: BCI_FREE },
    bytes: [0x07, 0x00, 0x09, 0x01, /* backward call indicators */ 0x11, 0x02, 0x16, 0x04, 0x00],
  },
  {
    name: 'REL: normal clearing',
    message: { type: 'REL', cic: 1, causeIndicators: CAUSE_16 },
    bytes: [0x01, 0x00, 0x0c, /* pointers: cause at +2, no optional part */ 0x02, 0x00, 0x02, ...CAUSE_16_BYTES],
  },
  {
    name: 'REL: no circuit, with automatic congestion level kept raw',
    message: {
      type: 'REL',
      cic: 0x123,
      causeIndicators: { codingStandard: 'itu-t', location: 3, causeValue: 34, diagnostics: new Uint8Array() },
      otherParameters: [{ code: 0x27, data: Uint8Array.from([0x01]) }],
    },
    bytes: [
      0x23, 0x01, 0x0c, // CIC 0x123, REL
      0x02, 0x04, //       pointers: cause at +2, optional part at +4
      0x02, 0x83, 0xa2, // cause: transit network (3) | 34 no circuit available
      0x27, 0x01, 0x01, // automatic congestion level 1
      0x00,
    ],
  },
  { name: 'RLC without parameters', message: { type: 'RLC', cic: 1 }, bytes: [0x01, 0x00, 0x10, 0x00] },
  {
    name: 'RLC with cause indicators',
    message: { type: 'RLC', cic: 1, causeIndicators: CAUSE_16 },
    bytes: [0x01, 0x00, 0x10, 0x01, 0x12, 0x02, ...CAUSE_16_BYTES, 0x00],
  },
  { name: 'CCR', message: { type: 'CCR', cic: 5 }, bytes: [0x05, 0x00, 0x11] },
  { name: 'RSC on a CIC using all 12 bits', message: { type: 'RSC', cic: 0xabc }, bytes: [/* CIC bits 8-1 */ 0xbc, /* CIC bits 12-9 */ 0x0a, 0x12] },
  { name: 'BLO', message: { type: 'BLO', cic: 17 }, bytes: [0x11, 0x00, 0x13] },
  { name: 'UBL', message: { type: 'UBL', cic: 17 }, bytes: [0x11, 0x00, 0x14] },
  { name: 'BLA', message: { type: 'BLA', cic: 17 }, bytes: [0x11, 0x00, 0x15] },
  { name: 'UBA', message: { type: 'UBA', cic: 17 }, bytes: [0x11, 0x00, 0x16] },
  {
    name: 'GRS over 30 circuits: range only',
    message: { type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } },
    bytes: [0x01, 0x00, 0x17, /* pointer +1 */ 0x01, /* length 1, range 29 = 30 circuits */ 0x01, 0x1d],
  },
  {
    name: 'CGB maintenance blocking of CIC 1, 2 and 8',
    message: { type: 'CGB', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: [true, true, false, false, false, false, false, true] } },
    bytes: [0x01, 0x00, 0x18, /* maintenance */ 0x00, /* pointer +1 */ 0x01, /* length 2, range 7 */ 0x02, 0x07, /* status bits 7..0 */ 0x83],
  },
  {
    name: 'CGU hardware unblocking of 10 circuits from CIC 33',
    message: { type: 'CGU', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: Array<boolean>(10).fill(true) } },
    bytes: [0x21, 0x00, 0x19, /* hardware failure */ 0x01, 0x01, /* length 3, range 9 */ 0x03, 0x09, /* bits 7..0 */ 0xff, /* bits 9..8 */ 0x03],
  },
  {
    name: 'CGBA acknowledges the CGB',
    message: { type: 'CGBA', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: [true, true, false, false, false, false, false, true] } },
    bytes: [0x01, 0x00, 0x1a, 0x00, 0x01, 0x02, 0x07, 0x83],
  },
  {
    name: 'CGUA acknowledges the CGU',
    message: { type: 'CGUA', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: Array<boolean>(10).fill(true) } },
    bytes: [0x21, 0x00, 0x1b, 0x01, 0x01, 0x03, 0x09, 0xff, 0x03],
  },
  {
    name: 'GRA over 30 circuits: CIC 3 and 17 blocked for maintenance',
    message: { type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: Array.from({ length: 30 }, (_, i) => i === 2 || i === 16) } },
    bytes: [0x01, 0x00, 0x29, 0x01, /* length 5, range 29 */ 0x05, 0x1d, /* bit 2 */ 0x04, 0x00, /* bit 16 */ 0x01, /* bits 29..24, 30-31 unused */ 0x00],
  },
  {
    name: 'SAM: the last digits and ST, odd count',
    message: { type: 'SAM', cic: 2, subsequentNumber: { digits: '78', endOfPulsing: true } },
    bytes: [0x02, 0x00, 0x02, /* pointers: number +2, no optional part */ 0x02, 0x00, /* length 3, odd */ 0x03, 0x80, /* 7 8 */ 0x87, /* ST, filler */ 0x0f],
  },
  {
    name: 'SUS network initiated',
    message: { type: 'SUS', cic: 5, suspendResume: 'network-initiated' },
    bytes: [0x05, 0x00, 0x0d, /* network initiated (A) */ 0x01, /* no optional part */ 0x00],
  },
  {
    name: 'RES subscriber initiated',
    message: { type: 'RES', cic: 5, suspendResume: 'subscriber-initiated' },
    bytes: [0x05, 0x00, 0x0e, 0x00, 0x00],
  },
  {
    name: 'CQM over 3 circuits',
    message: { type: 'CQM', cic: 1, rangeAndStatus: { range: 2 } },
    bytes: [0x01, 0x00, 0x2a, /* pointer +1 */ 0x01, /* length 1, range 2 */ 0x01, 0x02],
  },
  {
    name: 'CQR: idle, outgoing busy and locally blocked, unequipped',
    message: {
      type: 'CQR',
      cic: 1,
      rangeAndStatus: { range: 2 },
      circuitStates: [{ call: 'idle', maintenance: 'none', hardware: 'remote' }, { call: 'outgoing-busy', maintenance: 'local', hardware: 'none' }, { call: 'unequipped' }],
    },
    bytes: [
      0x01, 0x00, 0x2b, //   CIC 1, CQR
      0x02, 0x03, //         pointers: range at +2, states at +3
      0x01, 0x02, //         range 2
      0x03, //               3 circuit states:
      0x2c, //               idle (DC 11), hardware remotely blocked (FE 10)
      0x09, //               outgoing busy (DC 10), maintenance locally blocked (BA 01)
      0x03, //               unequipped (DC 00, BA 11)
    ],
  },
  {
    name: 'CPG alerting with optional backward call indicators (in-band information)',
    message: { type: 'CPG', cic: 1, eventInformation: { event: 'alerting', presentationRestricted: false }, optionalBackwardCallIndicators: { ...OBCI_NONE, inbandInformation: true } },
    bytes: [0x01, 0x00, 0x2c, /* event 1 alerting */ 0x01, /* optional part at +1 */ 0x01, 0x29, 0x01, 0x01, 0x00],
  },
  {
    name: 'CPG progress, presentation restricted, with a cause',
    message: { type: 'CPG', cic: 3, eventInformation: { event: 'progress', presentationRestricted: true }, causeIndicators: CAUSE_16 },
    bytes: [0x03, 0x00, 0x2c, /* H set, event 2 */ 0x82, 0x01, 0x12, 0x02, ...CAUSE_16_BYTES, 0x00],
  },
  { name: 'UCIC', message: { type: 'UCIC', cic: 31 }, bytes: [0x1f, 0x00, 0x2e] },
  {
    name: 'CFN: cause 97 with the unknown message type as diagnostic',
    message: { type: 'CFN', cic: 7, causeIndicators: { codingStandard: 'itu-t', location: 2, causeValue: 97, diagnostics: Uint8Array.from([0xee]) } },
    bytes: [0x07, 0x00, 0x2f, /* pointers: cause +2, no optional part */ 0x02, 0x00, /* length 3 */ 0x03, 0x82, /* ext, cause 97 */ 0xe1, /* diagnostic: type 0xee */ 0xee],
  },
];

for (const v of VECTORS) {
  t.test(v.name, async (t) => {
    const bytes = Uint8Array.from(v.bytes);
    t.same(decodeIsup(bytes), v.message, 'decodes to the fields');
    t.same([...encodeIsup(v.message)], v.bytes, 're-encodes to the same bytes');
    for (const { route, head } of FRAMES) {
      const msu = [...head, ...v.bytes];
      t.same(decodeIsupMsu(Uint8Array.from(msu), route.variant), { label: { ...route, si: 5 }, message: v.message }, `${route.variant} MSU decodes`);
      t.same([...encodeIsupMsu(route, v.message)], msu, `${route.variant} MSU re-encodes`);
    }
  });
}

t.test('every message type in the catalogue has a vector', async (t) => {
  const covered = new Set(VECTORS.map((v) => v.message.type));
  t.same(Object.keys(ISUP_MESSAGES).filter((type) => !covered.has(type as IsupMessage['type'])), []);
});
