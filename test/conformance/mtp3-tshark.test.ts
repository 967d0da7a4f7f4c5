// Conformance: Wireshark reads MTP3's own messages as we mean them. Every network
// management message the box sends or reads, and the link test messages, behind an ITU and
// a China label, go through tshark's mtp3 and mtp3mg dissectors; then a capture taken by the
// firmware itself (what `countyline capture` writes) must show the link tests both ways.
// tshark is required: a missing tshark fails this test with an install hint, never skips.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ISUP_CONFIG, inProcessFirmware } from '../../firmware-ts/test-support/in-process-firmware.js';
import { LINKTYPE_MTP3, writePcap } from '../../firmware-ts/src/signalling/isup/pcap-writer.js';
import { encodeLinkTest } from '../../firmware-ts/src/signalling/mtp3/link-test-codec.js';
import { encodeMsu, type Mtp3Variant } from '../../firmware-ts/src/signalling/mtp3/mtp3-label.js';
import { encodeSnm, SNM_TYPES, type SnmMessage } from '../../firmware-ts/src/signalling/mtp3/network-management-codec.js';
import { PI_WARN, tsharkDir, tsharkFields, worstSeverity } from '../peers/tshark.js';

const FIELDS = [
  'mtp3.service_indicator',
  'mtp3.sls',
  'mtp3mg.h0',
  'mtp3mg.h1',
  'mtp3mg.test.h0',
  'mtp3mg.test.h1',
  'mtp3mg.test.length',
  'mtp3mg.test_pattern',
  'mtp3mg.fsn',
  'mtp3mg.cbc',
  'mtp3mg.apc',
  'mtp3mg.apc.member',
  'mtp3mg.status',
  'mtp3mg.user',
  'mtp3mg.cause',
  'mtp3mg.link',
  '_ws.malformed',
  '_ws.expert.severity',
] as const;

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const PATTERN = Uint8Array.from(Buffer.from('CLT00001'));
/**
 * An SCCP unitdata message (Q.713): UDT, class 0, three pointers, called and calling address
 * (route on SSN 1, SCCP management), and as data an SCMG "subsystem allowed" for SSN 8 at 2000.
 */
const SCCP_UDT = Uint8Array.of(0x09, 0x00, 0x03, 0x05, 0x07, 0x02, 0x42, 0x01, 0x02, 0x42, 0x01, 0x05, 0x01, 0x08, 0xd0, 0x07, 0x00);

/** What we send, and the fields tshark must show beyond SI and heading codes. */
const CASES: { si: number; message: { test: 'SLTM' | 'SLTA' } | SnmMessage; itu?: Record<string, string>; china?: Record<string, string> }[] = [
  { si: 1, message: { test: 'SLTM' }, itu: { 'mtp3mg.test.length': '8', 'mtp3mg.test_pattern': '434c543030303031' } },
  { si: 2, message: { test: 'SLTA' }, itu: { 'mtp3mg.test.length': '8', 'mtp3mg.test_pattern': '434c543030303031' } },
  { si: 0, message: { type: 'TRA' } },
  { si: 0, message: { type: 'COO', fsn: 85 }, itu: { 'mtp3mg.fsn': '85' } },
  { si: 0, message: { type: 'CBD', code: 7 }, itu: { 'mtp3mg.cbc': '7' }, china: { 'mtp3mg.cbc': '7' } },
  { si: 0, message: { type: 'CBA', code: 7 }, itu: { 'mtp3mg.cbc': '7' }, china: { 'mtp3mg.cbc': '7' } },
  { si: 0, message: { type: 'TFP', destination: 1000 }, itu: { 'mtp3mg.apc': '1000' }, china: { 'mtp3mg.apc.member': '232' } },
  { si: 0, message: { type: 'TFA', destination: 1000 }, itu: { 'mtp3mg.apc': '1000' } },
  { si: 0, message: { type: 'RST', destination: 1000 }, itu: { 'mtp3mg.apc': '1000' } },
  { si: 0, message: { type: 'TFC', destination: 1000, status: 2 }, itu: { 'mtp3mg.apc': '1000', 'mtp3mg.status': '2' }, china: { 'mtp3mg.status': '2' } },
  {
    si: 0,
    message: { type: 'UPU', destination: 1000, userPart: 3, cause: 'unequipped' },
    itu: { 'mtp3mg.apc': '1000', 'mtp3mg.user': '0x03', 'mtp3mg.cause': '0x01' },
    china: { 'mtp3mg.user': '0x03', 'mtp3mg.cause': '0x01' },
  },
  { si: 0, message: { type: 'LIN' } },
  { si: 0, message: { type: 'LID' } },
  { si: 0, message: { type: 'LUN' } },
  { si: 0, message: { type: 'LUA' } },
  { si: 0, message: { type: 'DLC', dataLink: 0xabc }, itu: { 'mtp3mg.link': '2748' } },
];

const SETUPS: { variant: Mtp3Variant; standard: string; route: { dpc: number; opc: number } }[] = [
  { variant: 'itu', standard: 'itu', route: { dpc: 2000, opc: 1000 } },
  { variant: 'china', standard: 'chinese-itu', route: { dpc: 0x010203, opc: 0x0a141e } },
];

t.test('tshark dissects every MTP3 management and link test message behind both labels', async (t) => {
  const { dir, env } = await tsharkDir(t, 'mtp3');
  for (const setup of SETUPS) {
    t.test(setup.variant, async (t) => {
      const records = CASES.map(({ si, message }, i) => {
        const payload = 'test' in message ? encodeLinkTest({ type: message.test, pattern: PATTERN }) : encodeSnm(message, setup.variant);
        return { time: Date.UTC(2026, 0, 5, 2) + i * 100, data: encodeMsu({ variant: setup.variant, ni: 'national', si, ...setup.route, sls: 3, payload }) };
      });
      const file = join(dir, `mtp3-${setup.variant}.pcap`);
      await writeFile(file, writePcap(records, LINKTYPE_MTP3));
      const rows = await tsharkFields(file, FIELDS, [`mtp3.standard:${setup.standard}`], env);
      t.equal(rows.length, CASES.length, 'one row per MSU');
      CASES.forEach(({ si, message, ...shows }, i) => {
        const row = rows[i]!;
        const name = 'test' in message ? message.test : message.type;
        const [h0, h1] = 'test' in message ? [1, message.test === 'SLTM' ? 1 : 2] : SNM_TYPES[message.type];
        const heading = 'test' in message ? { 'mtp3mg.test.h0': hex(h0), 'mtp3mg.test.h1': hex(h1) } : { 'mtp3mg.h0': hex(h0), 'mtp3mg.h1': hex(h1) };
        const wanted = { 'mtp3.service_indicator': hex(si), 'mtp3.sls': '3', ...heading, ...shows[setup.variant] };
        const seen = Object.fromEntries(Object.keys(wanted).map((k) => [k, row[k]]));
        t.same(seen, wanted, `${name}: ${JSON.stringify(wanted)}`);
        t.equal(row['_ws.malformed'], '', `${name}: not malformed`);
        const worst = worstSeverity(row);
        t.ok(worst < PI_WARN, `${name}: no expert warning or error (worst 0x${worst.toString(16)})`);
      });
    });
  }
});

t.test("the firmware's own capture holds the link tests and network management both ways", async (t) => {
  const { dir, env } = await tsharkDir(t, 'mtp3');
  const r = await inProcessFirmware(t, { config: { isup: { ...ISUP_CONFIG, linkTest: { timeoutMs: 4000, periodMs: 30_000 } } } });
  const { fw, rig } = r;
  const records: { time: number; data: Uint8Array }[] = [];
  const capture = fw.handle('capture', { seconds: 20 }, (p) => void ('data' in p && records.push({ time: p.at, data: Buffer.from(p.data, 'base64') })));
  await rig.run(100);
  // The link fails and comes back: each end tests it (SLTM, SLTA both ways), then each says
  // TRA (Q.704 9). A link flap is no restart of the box's ISUP: the exchange resets its group
  // (GRS in), the box does not.
  rig.sim.setSpanDefects(0, { los: true });
  await rig.run(500);
  rig.sim.setSpanDefects(0, { los: false });
  t.ok(await rig.until(() => fw.isup!.transport.isUp && rig.tap.exchange.summary().readyCircuits === 30, 5000), 'back and reset');
  // The exchange tests the link too, and sends an SCCP message the box has no use for.
  rig.tap.injectMtp3(1, encodeLinkTest({ type: 'SLTM', pattern: PATTERN }), 0);
  rig.tap.injectMtp3(3, SCCP_UDT);
  t.same(await rig.settle(capture), { frames: records.length, protocol: 'mtp3' });

  const file = join(dir, 'box.pcap');
  await writeFile(file, writePcap(records, LINKTYPE_MTP3));
  const fields = ['mtp3.opc', 'mtp3.service_indicator', 'mtp3mg.test.h1', 'mtp3mg.h0', 'mtp3mg.h1', 'isup.message_type', '_ws.malformed'] as const;
  const rows = await tsharkFields(file, fields, ['mtp3.standard:itu'], env);
  const names = rows.map((row) => {
    const from = row['mtp3.opc'] === '1000' ? 'out' : 'in';
    const si = Number(row['mtp3.service_indicator']);
    if (row['_ws.malformed'] !== '') return `${from} MALFORMED`;
    if (si === 1) return `${from} ${row['mtp3mg.test.h1'] === '0x01' ? 'SLTM' : 'SLTA'}`;
    if (si === 0) return `${from} SNM ${Number(row['mtp3mg.h0'])}/${Number(row['mtp3mg.h1'])}`;
    if (si === 5) return `${from} ISUP ${Number(row['isup.message_type'])}`;
    return `${from} SI ${si}`;
  });
  t.same(
    names,
    ['out SLTM', 'in SLTM', 'out SLTA', 'in SLTA', 'out SNM 7/1', 'in SNM 7/1', 'in ISUP 23', 'out ISUP 41', 'in SLTM', 'out SLTA', 'in SI 3', 'out SNM 10/1'],
    'our SLTM; their SLTM and our SLTA; their SLTA; TRA (7/1) both ways before any ISUP; their GRS and our GRA; their SLTM and our SLTA; SCCP in and UPU (10/1) out',
  );
});
