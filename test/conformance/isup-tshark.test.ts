// Conformance: Wireshark's MTP3 and ISUP dissectors read what our codec writes. Every ISUP
// message type is encoded behind an ITU and a China (24-bit) routing label, written to a
// pcap with link type 141 (MTP3), and decoded by tshark; each row must say what we meant.
// tshark is required: a missing tshark fails this test with an install hint, never skips.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { PI_WARN, tsharkDir, tsharkFields, worstSeverity } from '../peers/tshark.js';
import {
  encodeIsupMsu,
  LINKTYPE_MTP3,
  writePcap,
  type IsupMessage,
  type IsupRoute,
  type Mtp3Variant,
} from '../../firmware-ts/src/signalling/isup/index.js';

const FIELDS = [
  'mtp3.network_indicator',
  'mtp3.opc',
  'mtp3.dpc',
  'mtp3.sls',
  'isup.cic',
  'isup.message_type',
  'isup.called',
  'isup.calling',
  'isup.cause_indicator',
  'isup.range_indicator', // Wireshark shows the number of circuits: range + 1
  'isup.cgs_message_type',
  'isup.event_ind',
  'isup.suspend_resume_indicator',
  'isup.subsequent_number',
  'isup.call_processing_state',
  'isup.mtc_blocking_state',
  '_ws.expert.severity',
  '_ws.malformed',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

const fci = { international: false, endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: true, isupPreference: 'preferred', isdnAccess: true, sccpMethod: 'none', national: 0 } as const;
const bci = { charge: 'charge', calledPartysStatus: 'subscriber-free', calledPartysCategory: 'ordinary', endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: true, holdingRequested: false, isdnAccess: false, echoControlDevice: false, sccpMethod: 'none' } as const;
const cause = (causeValue: number) => ({ codingStandard: 'itu-t', location: 2, causeValue, diagnostics: new Uint8Array() }) as const;
const iam = (cic: number, called: string, endOfPulsing: boolean, calling?: string): IsupMessage => ({
  type: 'IAM',
  cic,
  natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
  forwardCallIndicators: fci,
  callingPartysCategory: 10,
  transmissionMediumRequirement: 3,
  calledPartyNumber: { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1, digits: called, endOfPulsing },
  ...(calling === undefined
    ? {}
    : { callingPartyNumber: { natureOfAddress: 3, numberIncomplete: false, numberingPlan: 1, presentation: 'allowed', screening: 'network-provided', digits: calling } }),
});

/** What we send, and what tshark must show for it (message type as a decimal code). */
const CASES: { message: IsupMessage; type: number; show?: Partial<Row> }[] = [
  { message: iam(1, '12345', true, '13912345678'), type: 1, show: { 'isup.called': '12345F', 'isup.calling': '13912345678' } },
  { message: iam(2, '075512345678', false, '02088886666'), type: 1, show: { 'isup.called': '075512345678', 'isup.calling': '02088886666' } },
  { message: iam(4095, '110', false), type: 1, show: { 'isup.called': '110' } },
  { message: { type: 'COT', cic: 2, continuity: 'successful' }, type: 5 },
  { message: { type: 'ACM', cic: 1, backwardCallIndicators: bci, causeIndicators: cause(17) }, type: 6, show: { 'isup.cause_indicator': '17' } },
  { message: { type: 'CON', cic: 3, backwardCallIndicators: bci }, type: 7 },
  { message: { type: 'ANM', cic: 1, backwardCallIndicators: bci }, type: 9 },
  { message: { type: 'REL', cic: 1, causeIndicators: cause(16) }, type: 12, show: { 'isup.cause_indicator': '16' } },
  { message: { type: 'RLC', cic: 1, causeIndicators: cause(31) }, type: 16, show: { 'isup.cause_indicator': '31' } },
  { message: { type: 'CCR', cic: 2 }, type: 17 },
  { message: { type: 'RSC', cic: 0xabc }, type: 18 },
  { message: { type: 'BLO', cic: 17 }, type: 19 },
  { message: { type: 'UBL', cic: 17 }, type: 20 },
  { message: { type: 'BLA', cic: 17 }, type: 21 },
  { message: { type: 'UBA', cic: 17 }, type: 22 },
  { message: { type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } }, type: 23, show: { 'isup.range_indicator': '30' } },
  {
    message: { type: 'CGB', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: [true, true, false, false, false, false, false, true] } },
    type: 24,
    show: { 'isup.range_indicator': '8', 'isup.cgs_message_type': '0' },
  },
  {
    message: { type: 'CGU', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: Array<boolean>(10).fill(true) } },
    type: 25,
    show: { 'isup.range_indicator': '10', 'isup.cgs_message_type': '1' },
  },
  {
    message: { type: 'CGBA', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: [true, true, false, false, false, false, false, true] } },
    type: 26,
    show: { 'isup.range_indicator': '8', 'isup.cgs_message_type': '0' },
  },
  {
    message: { type: 'CGUA', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: Array<boolean>(10).fill(true) } },
    type: 27,
    show: { 'isup.range_indicator': '10', 'isup.cgs_message_type': '1' },
  },
  { message: { type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: Array<boolean>(30).fill(false) } }, type: 41, show: { 'isup.range_indicator': '30' } },
  { message: { type: 'SAM', cic: 2, subsequentNumber: { digits: '678', endOfPulsing: true } }, type: 2, show: { 'isup.subsequent_number': '678F' } },
  { message: { type: 'SUS', cic: 5, suspendResume: 'network-initiated' }, type: 13, show: { 'isup.suspend_resume_indicator': '1' } },
  { message: { type: 'RES', cic: 5, suspendResume: 'subscriber-initiated' }, type: 14, show: { 'isup.suspend_resume_indicator': '0' } },
  { message: { type: 'CQM', cic: 1, rangeAndStatus: { range: 2 } }, type: 42, show: { 'isup.range_indicator': '3' } },
  {
    message: {
      type: 'CQR',
      cic: 1,
      rangeAndStatus: { range: 2 },
      circuitStates: [{ call: 'idle', maintenance: 'none', hardware: 'none' }, { call: 'outgoing-busy', maintenance: 'local', hardware: 'none' }, { call: 'unequipped' }],
    },
    type: 43,
    // Wireshark lists the maintenance blocking state (BA) of each circuit, and the call
    // processing state (3 idle, 2 outgoing busy) only where it is not 0: for the unequipped
    // circuit (DC 00, BA 11) there is none.
    show: { 'isup.range_indicator': '3', 'isup.call_processing_state': '3;2', 'isup.mtc_blocking_state': '0;1;3' },
  },
  {
    message: { type: 'CPG', cic: 1, eventInformation: { event: 'alerting', presentationRestricted: false }, backwardCallIndicators: bci },
    type: 44,
    show: { 'isup.event_ind': '1' },
  },
  { message: { type: 'CPG', cic: 3, eventInformation: { event: 'inband-information', presentationRestricted: false } }, type: 44, show: { 'isup.event_ind': '3' } },
  { message: { type: 'UCIC', cic: 31 }, type: 46 },
  { message: { type: 'CFN', cic: 7, causeIndicators: { ...cause(97), diagnostics: Uint8Array.from([0xee]) } }, type: 47, show: { 'isup.cause_indicator': '97' } },
];

const SETUPS: { variant: Mtp3Variant; standard: string; route: IsupRoute; ni: string; opc: string; dpc: string }[] = [
  // ITU: 14-bit point codes 3-200-1 -> 2-100-5; NI international (SIO bits 8-7 = 00)
  { variant: 'itu', standard: 'itu', route: { variant: 'itu', ni: 'international', dpc: 4901, opc: 7745 }, ni: '0x00', opc: '7745', dpc: '4901' },
  // China: 24-bit point codes 10-20-30 -> 1-2-3, too large for ITU; NI national (10)
  { variant: 'china', standard: 'chinese-itu', route: { variant: 'china', ni: 'national', dpc: 0x010203, opc: 0x0a141e }, ni: '0x02', opc: '660510', dpc: '66051' },
];

t.test('tshark decodes every ISUP message type behind both routing labels', async (t) => {
  const { dir, env } = await tsharkDir(t, 'isup');

  for (const setup of SETUPS) {
    t.test(setup.variant, async (t) => {
      const start = Date.UTC(2026, 0, 5, 2, 0, 0);
      const records = CASES.map(({ message }, i) => ({ time: start + i * 250, data: encodeIsupMsu(setup.route, message) }));
      const file = join(dir, `isup-${setup.variant}.pcap`);
      await writeFile(file, writePcap(records, LINKTYPE_MTP3));

      const rows = (await tsharkFields(file, FIELDS, [`mtp3.standard:${setup.standard}`, 'isup.variant:ITU Standard'], env)) as Row[];
      t.equal(rows.length, CASES.length, 'one row per MSU');

      CASES.forEach(({ message, type, show }, i) => {
        const row = rows[i];
        if (row === undefined) return;
        const blank = {
          'isup.called': '',
          'isup.calling': '',
          'isup.cause_indicator': '',
          'isup.range_indicator': '',
          'isup.cgs_message_type': '',
          'isup.event_ind': '',
          'isup.suspend_resume_indicator': '',
          'isup.subsequent_number': '',
          'isup.call_processing_state': '',
          'isup.mtc_blocking_state': '',
        };
        const wanted = {
          'mtp3.network_indicator': setup.ni,
          'mtp3.opc': setup.opc,
          'mtp3.dpc': setup.dpc,
          'mtp3.sls': String(message.cic & 0x0f),
          'isup.cic': String(message.cic),
          'isup.message_type': String(type),
          ...blank,
          ...show,
        };
        const { '_ws.expert.severity': _severity, '_ws.malformed': malformed, ...seen } = row;
        t.same(seen, wanted, `${message.type} CIC ${message.cic}`);
        t.equal(malformed, '', `${message.type}: not malformed`);
        const worst = worstSeverity(row);
        t.ok(worst < PI_WARN, `${message.type}: no expert warning or error (worst severity 0x${worst.toString(16)})`);
      });
    });
  }
});
