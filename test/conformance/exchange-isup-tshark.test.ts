// Conformance: Wireshark's MTP3, MTP3 management and ISUP dissectors read what the simulator's
// far-end exchange writes. The exchange has its own codec (apart from the firmware's, see
// isup-tshark.test.ts beside this one); every ISUP message type it knows, and its SLTM and
// SLTA, are encoded behind an ITU and a China (24-bit) routing label, written to a pcap with
// link type 141 (MTP3), and decoded by tshark; each row must say what the exchange meant.
// tshark is required: a missing tshark fails this test with an install hint, never skips.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { PI_WARN, tsharkDir, tsharkFields, worstSeverity } from '../peers/tshark.js';
import { cause, cfn, iam } from '../../hardware/e1-gateway/src/sim/exchange/exchange-messages.js';
import { encodeIsupMsu, encodeLinkTestMsu, ISUP_MESSAGE_TYPES, type IsupMessage, type IsupMessageType, type LinkTestMessage, type Mtp3Route } from '../../hardware/e1-gateway/src/sim/exchange/isup/index.js';

const LINKTYPE_MTP3 = 141;

const FIELDS = [
  'mtp3.network_indicator',
  'mtp3.service_indicator',
  'mtp3.opc',
  'mtp3.dpc',
  'mtp3.sls',
  'isup.cic',
  'isup.message_type',
  'isup.called',
  'isup.calling',
  'isup.subsequent_number',
  'isup.continuity_indicator',
  'isup.charge_indicator',
  'isup.cause_indicator',
  'isup.event_ind',
  'isup.suspend_resume_indicator',
  'isup.range_indicator', // Wireshark shows the number of circuits: range + 1
  'isup.cgs_message_type',
  'isup.call_processing_state',
  'mtp3mg.test.h0',
  'mtp3mg.test.h1',
  'mtp3mg.test.length',
  'mtp3mg.test_pattern',
  '_ws.expert.severity',
  '_ws.malformed',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

const bci = { charge: 'charge', calledPartysStatus: 'subscriber-free', calledPartysCategory: 'ordinary', endToEndMethod: 0, interworking: false, endToEndInformation: false, isupAllTheWay: true, holdingRequested: false, isdnAccess: false, echoControlDevice: false, sccpMethod: 0 } as const;
const status = (bits: string) => [...bits].map((b) => b === '1');
const withCheck = (): IsupMessage => {
  const m = iam(4095, '110', '');
  m.natureOfConnection = { ...m.natureOfConnection, continuityCheck: 'required' };
  return m;
};

/** What the exchange sends, and what tshark must show for it beyond the label, CIC and type. */
const ISUP: { message: IsupMessage; code: number; show?: Partial<Row> }[] = [
  { message: iam(1, '12345', '13912345678'), code: 1, show: { 'isup.called': '12345F', 'isup.calling': '13912345678' } },
  { message: withCheck(), code: 1, show: { 'isup.called': '110F' } },
  { message: { type: 'SAM', cic: 1, subsequentNumber: { digits: '678', endOfPulsing: true } }, code: 2, show: { 'isup.subsequent_number': '678F' } },
  { message: { type: 'COT', cic: 2, continuityIndicators: 'successful' }, code: 5, show: { 'isup.continuity_indicator': '1' } },
  { message: { type: 'COT', cic: 3, continuityIndicators: 'failed' }, code: 5, show: { 'isup.continuity_indicator': '0' } },
  { message: { type: 'ACM', cic: 1, backwardCallIndicators: bci, causeIndicators: cause(17) }, code: 6, show: { 'isup.charge_indicator': '0x0002', 'isup.cause_indicator': '17' } },
  { message: { type: 'CON', cic: 3, backwardCallIndicators: { ...bci, charge: 'no-charge' } }, code: 7, show: { 'isup.charge_indicator': '0x0001' } },
  { message: { type: 'ANM', cic: 1 }, code: 9 },
  { message: { type: 'REL', cic: 1, causeIndicators: cause(16) }, code: 12, show: { 'isup.cause_indicator': '16' } },
  { message: { type: 'SUS', cic: 8, suspendResumeIndicators: 'network' }, code: 13, show: { 'isup.suspend_resume_indicator': '1' } },
  { message: { type: 'RES', cic: 8, suspendResumeIndicators: 'subscriber' }, code: 14, show: { 'isup.suspend_resume_indicator': '0' } },
  { message: { type: 'RLC', cic: 1, causeIndicators: cause(31) }, code: 16, show: { 'isup.cause_indicator': '31' } },
  { message: { type: 'CCR', cic: 2 }, code: 17 },
  { message: { type: 'RSC', cic: 0xabc }, code: 18 },
  { message: { type: 'BLO', cic: 17 }, code: 19 },
  { message: { type: 'UBL', cic: 17 }, code: 20 },
  { message: { type: 'BLA', cic: 17 }, code: 21 },
  { message: { type: 'UBA', cic: 17 }, code: 22 },
  { message: { type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } }, code: 23, show: { 'isup.range_indicator': '30' } },
  { message: { type: 'CGB', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: status('11000001') } }, code: 24, show: { 'isup.range_indicator': '8', 'isup.cgs_message_type': '0' } },
  { message: { type: 'CGU', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: status('1111111111') } }, code: 25, show: { 'isup.range_indicator': '10', 'isup.cgs_message_type': '1' } },
  { message: { type: 'CGBA', cic: 33, supervisionType: 'maintenance', rangeAndStatus: { range: 7, status: status('11000001') } }, code: 26, show: { 'isup.range_indicator': '8', 'isup.cgs_message_type': '0' } },
  { message: { type: 'CGUA', cic: 33, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: status('1111111111') } }, code: 27, show: { 'isup.range_indicator': '10', 'isup.cgs_message_type': '1' } },
  { message: { type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: status('0'.repeat(30)) } }, code: 41, show: { 'isup.range_indicator': '30' } },
  { message: { type: 'CQM', cic: 1, rangeAndStatus: { range: 2 } }, code: 42, show: { 'isup.range_indicator': '3' } },
  {
    message: {
      type: 'CQR',
      cic: 1,
      rangeAndStatus: { range: 2 },
      circuitStateIndicators: [
        { state: 'idle', maintenance: 'none', hardware: 'none' },
        { state: 'incoming-busy', maintenance: 'local', hardware: 'none' },
        { state: 'outgoing-busy', maintenance: 'none', hardware: 'none' },
      ],
    },
    code: 43,
    show: { 'isup.range_indicator': '3', 'isup.call_processing_state': '3;1;2' },
  },
  { message: { type: 'CPG', cic: 12, eventInformation: { event: 3, presentationRestricted: false } }, code: 44, show: { 'isup.event_ind': '3' } },
  { message: { type: 'UCIC', cic: 99 }, code: 46 },
  { message: cfn(3, 97, [0xe0]), code: 47, show: { 'isup.cause_indicator': '97' } },
];

const LINK_TESTS: { test: LinkTestMessage; h1: string }[] = [
  { test: { type: 'SLTM', slc: 5, pattern: Uint8Array.of(0x43, 0x4c, 0x00, 0x01) }, h1: '0x01' },
  { test: { type: 'SLTA', slc: 5, pattern: Uint8Array.of(0x43, 0x4c, 0x00, 0x01) }, h1: '0x02' },
  { test: { type: 'SLTM', slc: 0, pattern: Uint8Array.from({ length: 15 }, (_, i) => i) }, h1: '0x01' },
];

const SETUPS: { standard: string; route: Mtp3Route; ni: string; opc: string; dpc: string }[] = [
  // ITU: 14-bit point codes 3-200-1 -> 2-100-5; NI international (SIO bits 8-7 = 00)
  { standard: 'itu', route: { variant: 'itu', ni: 'international', dpc: 4901, opc: 7745 }, ni: '0x00', opc: '7745', dpc: '4901' },
  // China: 24-bit point codes 10-20-30 -> 1-2-3, too large for ITU; NI national (10)
  { standard: 'chinese-itu', route: { variant: 'china', ni: 'national', dpc: 0x010203, opc: 0x0a141e }, ni: '0x02', opc: '660510', dpc: '66051' },
];

/** A pcap file (microsecond timestamps) of one MSU per record. */
function pcap(msus: Uint8Array[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(LINKTYPE_MTP3, 20);
  const start = Date.UTC(2026, 0, 5, 2, 0, 0) / 1000;
  const records = msus.map((data, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(start + i, 0);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, ...records]);
}

t.test('the cases cover every message type of the exchange codec', async (t) => {
  t.same([...new Set(ISUP.map((c) => c.message.type))].sort(), [...ISUP_MESSAGE_TYPES].sort() as IsupMessageType[]);
});

t.test('tshark decodes every message the exchange can send, behind both routing labels', async (t) => {
  const { dir, env } = await tsharkDir(t, 'exchange');

  for (const setup of SETUPS) {
    t.test(setup.route.variant, async (t) => {
      const msus = [...ISUP.map(({ message }) => encodeIsupMsu(setup.route, message)), ...LINK_TESTS.map(({ test }) => encodeLinkTestMsu(setup.route, test))];
      const file = join(dir, `exchange-${setup.route.variant}.pcap`);
      await writeFile(file, pcap(msus));

      const rows = (await tsharkFields(file, FIELDS, [`mtp3.standard:${setup.standard}`, 'isup.variant:ITU Standard'], env)) as Row[];
      t.equal(rows.length, msus.length, 'one row per MSU');

      const label = { 'mtp3.network_indicator': setup.ni, 'mtp3.opc': setup.opc, 'mtp3.dpc': setup.dpc };
      const blank = Object.fromEntries(FIELDS.filter((f) => f.startsWith('isup.') || f.startsWith('mtp3mg.')).map((f) => [f, '']));
      const check = (row: Row | undefined, wanted: Partial<Row>, what: string) => {
        if (row === undefined) return;
        const { '_ws.expert.severity': _severity, '_ws.malformed': malformed, ...seen } = row;
        t.same(seen, { ...blank, ...wanted }, what);
        t.equal(malformed, '', `${what}: not malformed`);
        const worst = worstSeverity(row);
        t.ok(worst < PI_WARN, `${what}: no expert warning or error (worst 0x${worst.toString(16)})`);
      };
      ISUP.forEach(({ message, code, show }, i) =>
        check(rows[i], { ...label, 'mtp3.service_indicator': '0x05', 'mtp3.sls': String(message.cic & 0x0f), 'isup.cic': String(message.cic), 'isup.message_type': String(code), ...show }, `${message.type} CIC ${message.cic}`),
      );
      LINK_TESTS.forEach(({ test, h1 }, i) =>
        check(
          rows[ISUP.length + i],
          {
            ...label,
            'mtp3.service_indicator': '0x01',
            // The SLC of the link under test rides in the label's SLS field (Q.707).
            'mtp3.sls': String(test.slc),
            'mtp3mg.test.h0': '0x01',
            'mtp3mg.test.h1': h1,
            'mtp3mg.test.length': String(test.pattern.length),
            'mtp3mg.test_pattern': Buffer.from(test.pattern).toString('hex'),
          },
          `${test.type} SLC ${test.slc}, ${test.pattern.length}-octet pattern`,
        ),
      );
    });
  }
});
