// Conformance: Wireshark's LAPD and Q.931 dissectors read what our Q.931 codec and D-channel
// pcap writer produce. A PRI call each way, a STATUS ENQUIRY, clearing and restarts are
// encoded, each message wrapped here in a hand-built LAPD I-frame, written as a link type 177
// capture, and decoded by tshark; each row must say what we meant, with no expert warning.
// The LAPD frames are built by this test, not by project code: tshark checks our bytes
// against its own reading. A missing tshark fails this test with an install hint.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { PI_WARN, tsharkDir, tsharkFields, worstSeverity } from '../peers/tshark.js';
import { encodeQ931, type Q931AnyMessage } from '../../firmware-ts/src/signalling/pri/q931-codec.js';
import type { ChannelIdentification } from '../../firmware-ts/src/signalling/pri/q931-ies.js';
import { writeLapdPcap, type LapdRecord } from '../../firmware-ts/src/signalling/pri/pri-pcap.js';

const FIELDS = [
  'lapd.direction', // 0 user to network, 1 network to user
  'lapd.cr',
  'lapd.control.n_s',
  'lapd.control.p',
  'lapd.control.f',
  'q931.call_ref_len',
  'q931.call_ref_flag',
  'q931.call_ref',
  'q931.message_type',
  'q931.information_transfer_capability',
  'q931.uil1',
  'q931.channel.exclusive',
  'q931.channel.number',
  'q931.calling_party_number.digits',
  'q931.presentation_ind',
  'q931.called_party_number.digits',
  'q931.cause_location',
  'q931.cause_value',
  'q931.progress_indicator.description',
  'q931.call_state',
  'q931.restart_indicator',
  'q931.display_information',
  '_ws.expert.severity',
  '_ws.malformed',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string>;

const b = (channel: number): ChannelIdentification => ({ interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', channels: [channel] } });
const cause = (value: number, location: number) => ({ codingStandard: 'itu-t', location, value, diagnostics: new Uint8Array() }) as const;
const progress = (description: number) => [{ codingStandard: 'itu-t', location: 2, description }] as const;
const speech = { codingStandard: 'itu-t', capability: 'speech', transferMode: 'circuit', rate: '64k', layer1: 3 } as const;
const out = (value: number) => ({ value, flag: false }); // a call reference the sender chose
const back = (value: number) => ({ value, flag: true }); // a call reference the receiver chose

/** Who sent it (the box is the user side), the message, and what tshark must show beyond the header. */
const CASES: { sent: boolean; message: Q931AnyMessage; type: string; show?: Partial<Row> }[] = [
  // A call the box makes: call reference 1, chosen by the box.
  {
    sent: true,
    message: {
      type: 'SETUP',
      callReference: out(1),
      ies: {
        sendingComplete: true,
        bearerCapability: speech,
        channelIdentification: b(1),
        callingPartyNumber: { typeOfNumber: 'national', numberingPlan: 'isdn', presentation: 'allowed', screening: 'user-not-screened', digits: '13912345678' },
        calledPartyNumber: { typeOfNumber: 'unknown', numberingPlan: 'isdn', digits: '12345' },
      },
    },
    type: '0x05',
    show: { 'q931.information_transfer_capability': '0x00', 'q931.uil1': '0x03', 'q931.channel.exclusive': '1', 'q931.channel.number': '1', 'q931.calling_party_number.digits': '13912345678', 'q931.presentation_ind': '0x00', 'q931.called_party_number.digits': '12345' },
  },
  { sent: false, message: { type: 'CALL PROCEEDING', callReference: back(1), ies: { channelIdentification: b(1) } }, type: '0x02', show: { 'q931.channel.exclusive': '1', 'q931.channel.number': '1' } },
  { sent: false, message: { type: 'ALERTING', callReference: back(1), ies: { progressIndicator: [...progress(8)] } }, type: '0x01', show: { 'q931.progress_indicator.description': '0x08' } },
  { sent: false, message: { type: 'PROGRESS', callReference: back(1), ies: { progressIndicator: [...progress(1)] } }, type: '0x03', show: { 'q931.progress_indicator.description': '0x01' } },
  { sent: false, message: { type: 'CONNECT', callReference: back(1), ies: { display: 'Hotline 12345' } }, type: '0x07', show: { 'q931.display_information': 'Hotline 12345' } },
  { sent: true, message: { type: 'CONNECT ACKNOWLEDGE', callReference: out(1), ies: {} }, type: '0x0f' },
  { sent: true, message: { type: 'STATUS ENQUIRY', callReference: out(1), ies: {} }, type: '0x75' },
  {
    sent: false,
    message: { type: 'STATUS', callReference: back(1), ies: { cause: cause(30, 2), callState: { codingStandard: 'itu-t', state: 10 } } },
    type: '0x7d',
    show: { 'q931.cause_location': '2', 'q931.cause_value': '30', 'q931.call_state': '0x0a' },
  },
  {
    sent: false,
    message: { type: 'DISCONNECT', callReference: back(1), ies: { cause: cause(16, 4), progressIndicator: [...progress(8)] } },
    type: '0x45',
    show: { 'q931.cause_location': '4', 'q931.cause_value': '16', 'q931.progress_indicator.description': '0x08' },
  },
  { sent: true, message: { type: 'RELEASE', callReference: out(1), ies: { cause: cause(16, 0) } }, type: '0x4d', show: { 'q931.cause_location': '0', 'q931.cause_value': '16' } },
  { sent: false, message: { type: 'RELEASE COMPLETE', callReference: back(1), ies: {} }, type: '0x5a' },

  // A call the network offers: call reference 0x1234, chosen by the network.
  {
    sent: false,
    message: {
      type: 'SETUP',
      callReference: out(0x1234),
      ies: {
        bearerCapability: { ...speech, capability: 'audio-3.1khz' },
        channelIdentification: b(17),
        callingPartyNumber: { typeOfNumber: 'national', numberingPlan: 'isdn', presentation: 'restricted', screening: 'network', digits: '02088886666' },
        calledPartyNumber: { typeOfNumber: 'subscriber', numberingPlan: 'isdn', digits: '075512345678' },
      },
    },
    type: '0x05',
    show: { 'q931.information_transfer_capability': '0x10', 'q931.uil1': '0x03', 'q931.channel.exclusive': '1', 'q931.channel.number': '17', 'q931.calling_party_number.digits': '02088886666', 'q931.presentation_ind': '0x01', 'q931.called_party_number.digits': '075512345678' },
  },
  { sent: true, message: { type: 'CALL PROCEEDING', callReference: back(0x1234), ies: { channelIdentification: b(17) } }, type: '0x02', show: { 'q931.channel.exclusive': '1', 'q931.channel.number': '17' } },
  { sent: true, message: { type: 'INFORMATION', callReference: back(0x1234), ies: { display: 'queue 2' } }, type: '0x7b', show: { 'q931.display_information': 'queue 2' } },
  { sent: true, message: { type: 'ALERTING', callReference: back(0x1234), ies: {} }, type: '0x01' },
  { sent: true, message: { type: 'CONNECT', callReference: back(0x1234), ies: {} }, type: '0x07' },
  { sent: false, message: { type: 'CONNECT ACKNOWLEDGE', callReference: out(0x1234), ies: {} }, type: '0x0f' },

  // Restarts on the global call reference.
  { sent: false, message: { type: 'RESTART', callReference: out(0), ies: { channelIdentification: b(5), restartIndicator: 'indicated-channels' } }, type: '0x46', show: { 'q931.channel.exclusive': '1', 'q931.channel.number': '5', 'q931.restart_indicator': '0x00' } },
  { sent: true, message: { type: 'RESTART ACKNOWLEDGE', callReference: back(0), ies: { channelIdentification: b(5), restartIndicator: 'indicated-channels' } }, type: '0x4e', show: { 'q931.channel.exclusive': '1', 'q931.channel.number': '5', 'q931.restart_indicator': '0x00' } },
  { sent: true, message: { type: 'RESTART', callReference: out(0), ies: { restartIndicator: 'all-interfaces' } }, type: '0x46', show: { 'q931.restart_indicator': '0x07' } },
  { sent: false, message: { type: 'RESTART ACKNOWLEDGE', callReference: back(0), ies: { restartIndicator: 'all-interfaces' } }, type: '0x4e', show: { 'q931.restart_indicator': '0x07' } },

  // A type the codec does not type, sent as bytes: NOTIFY with "user suspended".
  { sent: false, message: { type: 'unknown', code: 0x6e, callReference: back(1), body: Uint8Array.from([0x27, 0x01, 0x80]) }, type: '0x6e' },
];

/**
 * Q.921 address (SAPI 0, TEI 0): C/R is 0 on a user's commands and 1 on the network's
 * (Q.921 3.3.2), so an I-frame from the box starts 00 01 and one from the network 02 01.
 */
const ADDRESS = { user: [0x00, 0x01], network: [0x02, 0x01] };

t.test('tshark reads every Q.931 message type in a LAPD capture', async (t) => {
  const { dir, env } = await tsharkDir(t, 'q931');
  const start = Date.UTC(2026, 0, 5, 2, 0, 0);
  const ns = { sent: 0, received: 0 };
  const records: LapdRecord[] = CASES.map(({ sent, message }, i) => {
    const mine = sent ? 'sent' : 'received';
    const theirs = sent ? 'received' : 'sent';
    // I-frame control, two octets: N(S) << 1 (bit 1 = 0: I-frame), then N(R) << 1 with P = 0.
    const control = [(ns[mine] << 1) & 0xfe, (ns[theirs] << 1) & 0xfe];
    ns[mine] = (ns[mine] + 1) % 128;
    return { time: start + i * 100, direction: mine, frame: Uint8Array.from([...(sent ? ADDRESS.user : ADDRESS.network), ...control, ...encodeQ931(message)]) };
  });
  // Two S-frames whose P/F bit tshark can only name rightly if it reads C/R as the user
  // side's: the box's RR response (C/R 1 from a user) with F, the network's RR command with P.
  records.push({ time: start + 10_000, direction: 'sent', frame: Uint8Array.from([...ADDRESS.network, 0x01, 0x01]) });
  records.push({ time: start + 10_100, direction: 'received', frame: Uint8Array.from([...ADDRESS.network, 0x01, 0x01]) });

  const file = join(dir, 'q931.pcap');
  await writeFile(file, writeLapdPcap(records));
  const rows = (await tsharkFields(file, FIELDS, [], env)) as Row[];
  t.equal(rows.length, records.length, 'one row per frame');

  const blank: Partial<Row> = Object.fromEntries(FIELDS.filter((f) => f.startsWith('q931.') && !f.startsWith('q931.call_ref') && f !== 'q931.message_type').map((f) => [f, '']));
  const nsSeen = { sent: 0, received: 0 };
  CASES.forEach(({ sent, message, type, show }, i) => {
    const row = rows[i];
    if (row === undefined) return;
    const mine = sent ? 'sent' : 'received';
    const cr = message.callReference;
    const wanted: Partial<Row> = {
      'lapd.direction': sent ? '0' : '1',
      'lapd.cr': sent ? '0' : '1',
      'lapd.control.n_s': String(nsSeen[mine]++),
      'q931.call_ref_len': '2',
      'q931.call_ref_flag': cr.flag ? '1' : '0',
      'q931.call_ref': cr.value.toString(16).padStart(4, '0'),
      'q931.message_type': type,
      ...blank,
      ...show,
    };
    const seen = Object.fromEntries(Object.keys(wanted).map((k) => [k, row[k as Field]]));
    const label = `${i + 1}: ${message.type === 'unknown' ? `type 0x${message.code.toString(16)}` : message.type} ${sent ? 'from the box' : 'from the network'}`;
    t.same(seen, wanted, label);
    t.equal(row['_ws.malformed'], '', `${label}: not malformed`);
    const worst = worstSeverity(row);
    t.ok(worst < PI_WARN, `${label}: no expert warning or error (worst severity 0x${worst.toString(16)})`);
  });

  const [rrFromBox, rrFromNetwork] = rows.slice(CASES.length);
  t.match(rrFromBox, { 'lapd.direction': '0', 'lapd.cr': '1', 'lapd.control.f': '1', 'lapd.control.p': '', 'q931.message_type': '' }, "the box's RR is a response (F bit)");
  t.match(rrFromNetwork, { 'lapd.direction': '1', 'lapd.cr': '1', 'lapd.control.p': '1', 'lapd.control.f': '' }, "the network's RR is a command (P bit)");
});
