import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main, parseCliArgs, USAGE } from './cli.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => void (out.stderr += s) } } };
}

t.test('arguments: defaults and every option', async (t) => {
  t.same(parseCliArgs(['--port', '/tmp/card']), { help: false, options: { port: '/tmp/card', control: 0, logLevel: 'info' } });
  const dir = mkdtempSync(join(tmpdir(), 'cl-sim-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const card = join(dir, 'card.json');
  writeFileSync(card, JSON.stringify({ spans: 2, serial: 'BENCH-7' }));
  const parsed = parseCliArgs(['--port=/dev/pts/9', '--control', '8123', '--card', card, '--proving-ms', '50', '--reset-ms', '200', '--protocol-version', '3', '--log-level', 'debug']);
  t.same(parsed, {
    help: false,
    options: {
      port: '/dev/pts/9',
      control: 8123,
      logLevel: 'debug',
      provingMs: 50,
      resetMs: 200,
      protocolVersion: 3,
      card: { model: 'CL-E1F-108', serial: 'BENCH-7', firmware: 'sim-1.0', spans: 2, fxoPorts: 5, links: 2 },
    },
  });
  t.same(parseCliArgs(['-h']), { help: true });
});

t.test('--mtp2-peer hands link 0 to an outside process: no exchange; --mtp2-timers shortens its timers', async (t) => {
  t.same(parseCliArgs(['--port', 'p', '--mtp2-peer', '/tmp/ss7']), { help: false, options: { port: 'p', control: 0, logLevel: 'info', exchange: null, mtp2Peer: '/tmp/ss7' } });
  t.same(parseCliArgs(['--port', 'p', '--mtp2-peer', '/tmp/ss7', '--mtp2-timers', 'T4n=2000, t7=800,t17=200']), {
    help: false,
    options: { port: 'p', control: 0, logLevel: 'info', exchange: null, mtp2Peer: '/tmp/ss7', mtp2Timers: { t4n: 2000, t7: 800 }, mtp2RestartMs: 200 },
  });
  const bad = (argv: string[], message: RegExp) => t.throws(() => parseCliArgs(['--port', 'p', ...argv]), { name: 'UsageError', message }, argv.join(' '));
  bad(['--mtp2-peer', ''], /--mtp2-peer <dir>: give the folder/);
  bad(['--mtp2-peer', 'd', '--exchange', 'x.json'], /--mtp2-peer and --exchange exclude each other/);
  bad(['--mtp2-timers', 't1=5'], /--mtp2-timers needs --mtp2-peer/);
  bad(['--mtp2-peer', 'd', '--mtp2-timers', 't9=5'], /"t9=5" is not <timer>=<ms>; timers: t1, t2, t3, t4n, t4e, t6, t7, t17/);
  bad(['--mtp2-peer', 'd', '--mtp2-timers', 't1'], /"t1" is not <timer>=<ms>/);
  bad(['--mtp2-peer', 'd', '--mtp2-timers', 't7=0'], /--mtp2-timers t7 0: use a whole number from 1 to 600000/);
});

t.test('bad arguments are explained', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-sim-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.json'), '{"spans": "two"}');
  writeFileSync(join(dir, 'garbage.json'), 'not json');
  const bad = (argv: string[], message: RegExp) => t.throws(() => parseCliArgs(argv), { name: 'UsageError', message }, argv.join(' '));
  bad([], /--port <path> is required/);
  bad(['--port', 'p', '--control', '70000'], /--control 70000: use a whole number from 0 to 65535/);
  bad(['--port', 'p', '--proving-ms=-5'], /--proving-ms -5: use a whole number/);
  bad(['--port', 'p', '--protocol-version', '1.5'], /--protocol-version 1.5/);
  bad(['--port', 'p', '--log-level', 'loud'], /--log-level loud: use one of fatal, error/);
  bad(['--port', 'p', '--colour'], /--colour/);
  bad(['--port', 'p', 'extra'], /extra/);
  bad(['--port', 'p', '--card', join(dir, 'missing.json')], /cannot read card file .*missing.json/);
  bad(['--port', 'p', '--card', join(dir, 'bad.json')], /card file .*bad.json: card spans must be a whole number/);
  bad(['--port', 'p', '--card', join(dir, 'garbage.json')], /card file .*garbage.json: /);
});

t.test('main: --help prints usage and exits 0', async (t) => {
  const { out, io: cliIo } = io();
  t.equal(await main(['--help'], cliIo), 0);
  t.equal(out.stdout, USAGE);
});

t.test('main: bad arguments exit 2 with the reason on stderr', async (t) => {
  const { out, io: cliIo } = io();
  t.equal(await main(['--control', '1'], cliIo), 2);
  t.match(out.stderr, /^countyline-sim: --port <path> is required/);
  t.match(out.stderr, /countyline-sim --help/);
  t.equal(out.stdout, '', 'no ready line');
});

t.test('main: a port that cannot be opened exits 2 and points at socat', async (t) => {
  const { out, io: cliIo } = io();
  t.equal(await main(['--port', '/nonexistent/cl-card', '--log-level', 'silent'], cliIo), 2);
  t.match(out.stderr, /^countyline-sim: cannot open \/nonexistent\/cl-card: .+; is socat running\?\n$/);
  t.equal(out.stdout, '');
});

t.test('--hdlc-peer hands link 0 as an hdlc link to an outside process: no exchange, not with --mtp2-peer', async (t) => {
  t.same(parseCliArgs(['--port', 'p', '--hdlc-peer', '/tmp/pri']), { help: false, options: { port: 'p', control: 0, logLevel: 'info', exchange: null, hdlcPeer: '/tmp/pri' } });
  const bad = (argv: string[], message: RegExp) => t.throws(() => parseCliArgs(['--port', 'p', ...argv]), { name: 'UsageError', message }, argv.join(' '));
  bad(['--hdlc-peer', ''], /--hdlc-peer <dir>: give the folder/);
  bad(['--hdlc-peer', 'd', '--exchange', 'x.json'], /--hdlc-peer and --exchange exclude each other/);
  bad(['--hdlc-peer', 'd', '--mtp2-peer', 'e'], /--hdlc-peer and --mtp2-peer exclude each other: both take link 0/);
  bad(['--hdlc-peer', 'd', '--mtp2-timers', 't7=500'], /--mtp2-timers needs --mtp2-peer/);
  t.match(USAGE, /--hdlc-peer <dir>/);
});
