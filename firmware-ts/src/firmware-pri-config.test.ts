import { FakeClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import { parseConfig } from './config/load-config.js';
import { Firmware } from './firmware.js';

// A `pri` section names a card link in hdlc mode, on a span that carries no ISUP: anything
// else is refused when the firmware is built, naming the key, before any card is opened.

const build = (config: Record<string, unknown>) => () =>
  new Firmware(parseConfig({ card: { path: '/dev/null' }, dataDir: '/tmp/unused', control: { socket: 'control.sock' }, ...config }, 'config.json'), pino({ level: 'silent' }), {
    clock: new FakeClock(0),
    openTransport: () => {
      throw new Error('no card in this test');
    },
    controlSocket: false,
  });

const hdlc = { span: 0, timeslot: 16, mode: 'hdlc' };
const mtp2 = { span: 1, timeslot: 16, mode: 'mtp2' };

t.test('a PRI on an hdlc link of its own span is built; its status starts down', async (t) => {
  const fw = build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0 } })();
  t.match(fw.pri?.status(), { linkInService: false, dChannelUp: false, q921: 'tei-assigned', establishments: 0, failures: 0 });
  const both = build({ card: { path: '/dev/null', links: [hdlc, mtp2] }, pri: { link: 0 }, isup: { ownPointCode: 1, peerPointCode: 2, link: 1, cics: [{ firstCic: 1, span: 1, timeslots: '1-15,17-31' }] } })();
  t.ok(both.pri && both.isup, 'SS7 on span 1 and PRI on span 0 side by side');
});

t.test('a PRI link that is missing, not hdlc, or shared with ISUP is refused, naming pri.link', async (t) => {
  t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 2 } }), { name: 'ConfigError', problems: ['pri.link: card.links has no link 2 (it has 1)'] });
  t.throws(build({ card: { path: '/dev/null', links: [{ ...hdlc, mode: 'mtp2' }] }, pri: { link: 0 } }), { name: 'ConfigError', problems: [/card\.links\[0\] is in mtp2 mode; a PRI D-channel needs "mode": "hdlc"/] });
  const isupOnSpan0 = { ownPointCode: 1, peerPointCode: 2, link: 1, cics: [{ firstCic: 1, span: 0, timeslots: '1-15' }] };
  t.throws(build({ card: { path: '/dev/null', links: [hdlc, mtp2] }, pri: { link: 0 }, isup: isupOnSpan0 }), { name: 'ConfigError', problems: [/span 0 carries ISUP circuits \(isup\.cics\); a span is SS7 or PRI, not both/] });
  t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0 }, isup: { ownPointCode: 1, peerPointCode: 2, link: 0, cics: [{ firstCic: 1, span: 1, timeslots: '1-15' }] } }), { name: 'ConfigError', problems: [/link 0 is isup\.link too/] });
});

t.test('pri.channels: a fractional PRI has only the channels named; a bad list is refused, naming the fault', async (t) => {
  const fw = build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, channels: '1-10,17' } })();
  t.same(fw.pri!.circuits().map((c) => c.cic), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17], 'countyline circuits lists the 11 channels');
  t.equal(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0 } })().pri!.circuits().length, 30, 'all 30 by default');
  const refused = (channels: string, problem: RegExp) => t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, channels } }), { name: 'ConfigError', problems: [problem] }, channels);
  refused('1-16', /^pri\.channels: 16 carries the D-channel, never a call$/);
  refused('0-3', /^pri\.channels: 0 is no E1 B-channel \(1-31\)$/);
  refused('9-3', /^pri\.channels: 9-3: the range runs backwards$/);
  refused('1-5,5', /^pri\.channels: channel 5 is given twice$/);
  t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, channels: 'all' } }), /pri\.channels/, 'not a list at all: the schema names the key');
});

t.test('pri.switchType: euroisdn is spoken; a T1 variant is refused saying why', async (t) => {
  t.ok(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, switchType: 'euroisdn' } })().pri);
  t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, switchType: 'ni2' } }), { name: 'ConfigError', problems: [/^pri\.switchType: "ni2" is a North American \(T1\) variant; .*"euroisdn"$/] });
  t.throws(build({ card: { path: '/dev/null', links: [hdlc] }, pri: { link: 0, switchType: 'qsig' } }), { name: 'ConfigError', problems: [/^pri\.switchType: "qsig" is not a variant the box speaks/] });
});
