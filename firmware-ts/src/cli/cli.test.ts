import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { inProcessFirmware, ISUP_CONFIG } from '../../test-support/in-process-firmware.js';
import type { FirmwareConnection } from '../control/control-client.js';
import { socketConnection } from '../control/control-client.js';
import { main, type CliIo } from './cli.js';

// `countyline` as a user runs it, through main(argv, io): its output, its errors and its exit
// codes, against the in-process firmware (or no firmware at all).

function cli(configDir: string, connection?: FirmwareConnection, env: NodeJS.ProcessEnv = { LANG: 'C' }) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
    connect: (socket, config) => connection ?? socketConnection(socket, config),
    runFirmware: async () => {
      throw new Error('not in this test');
    },
    now: () => Date.UTC(2025, 2, 10, 1, 0, 0),
    sleep: async () => {},
  };
  const config = join(configDir, 'config.json');
  return { out, run: (...argv: string[]) => main(['--config', config, ...argv], io) };
}

/** The firmware in-process, with its config file where `cli()` looks for it. */
function withConfig(t: Test) {
  return inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
}

t.test('help and usage, in both languages', async (t) => {
  const r = await withConfig(t);
  const en = cli(r.dir);
  t.equal(await en.run('--help'), 0);
  t.match(en.out.stdout, /^usage: countyline <command>/);
  t.match(en.out.stdout, /exit codes: 0 ok, 1 the firmware reported a problem, 2 bad usage or config, 3 firmware not running/);
  for (const command of [/\n {2}queue \[--live\] /, /\n {2}agent login\|logout\|break <user>\n/, /\n {2}kpi \[--day YYYY-MM-DD\]\n/]) t.match(en.out.stdout, command, 'the queue commands are listed');
  const zh = cli(r.dir, undefined, { LANG: 'zh_CN.UTF-8' });
  t.equal(await zh.run('-h'), 0);
  t.match(zh.out.stdout, /^用法: countyline <命令>/);
  t.match(zh.out.stdout, /\n {2}agent login\|logout\|break <用户>\n +坐席/);
  const none = cli(r.dir);
  t.equal(await none.run(), 2, 'no command is bad usage');
  t.match(none.out.stdout, /^usage:/);
});

t.test('bad usage: exit 2 with the reason, in the chosen language', async (t) => {
  const r = await withConfig(t);
  const cases: [string[], RegExp][] = [
    [['reboot'], /^countyline: unknown command reboot\n\nusage:/],
    [['status', '--colour'], /^countyline: unknown option --colour\n/],
    [['block'], /^countyline: block needs a CIC\n/],
    [['status', 'now'], /^countyline: unexpected argument now after status\n/],
    [['block', 'seven'], /^countyline: CIC seven: use a whole number from 0 to 4095\n$/],
    [['call', '12345', '--count', 'many'], /^countyline: --count many: use a number\n$/],
    [['status', '--lang', 'fr'], /^countyline: --lang fr: use en or zh\n$/],
    [['status', '--watch=-1'], /^countyline: --watch -1: use seconds \(0 or more\)\n$/],
    [['status', '--watch'], /^countyline: --watch needs a value\n/],
  ];
  for (const [argv, message] of cases) {
    const c = cli(r.dir);
    t.equal(await c.run(...argv), 2, argv.join(' '));
    t.match(c.out.stderr, message);
    t.equal(c.out.stdout, '', 'nothing on stdout');
  }
  const zh = cli(r.dir);
  t.equal(await zh.run('block', 'seven', '--lang', 'zh'), 2);
  t.equal(zh.out.stderr, 'countyline: CIC seven: 应为 0 到 4095 之间的整数\n');
});

t.test('a config that cannot be used: exit 2 naming the file and the problem', async (t) => {
  const r = await withConfig(t);
  const path = join(r.dir, 'config.json');
  await writeFile(path, JSON.stringify({ card: { path: '/dev/ttyS1' }, dataDir: 'data', control: { socket: 's' }, colour: 'blue' }));
  const c = cli(r.dir);
  t.equal(await c.run('status'), 2);
  t.equal(c.out.stderr, `countyline: config ${path}: colour: unknown key\n`);
  const zh = cli(r.dir, undefined, { LANG: 'zh_CN.UTF-8' });
  t.equal(await zh.run('status'), 2);
  t.equal(zh.out.stderr, `countyline: 配置文件 ${path} 有误: colour: unknown key\n`);
});

t.test('no firmware running: exit 3 and how to start it', async (t) => {
  const r = await withConfig(t);
  const c = cli(r.dir);
  t.equal(await c.run('status'), 3);
  t.match(c.out.stderr, /^countyline: countyline firmware is not running \(no answer on .*control\.sock\)\. Start it with: countyline run --config .*config\.json\n$/);
});

t.test('status: exit 0 with the card up, 1 with it down; --json is the view', async (t) => {
  const r = await withConfig(t);
  const c = cli(r.dir, r.connection);
  t.equal(await c.run('status', '--json'), 0);
  const status = JSON.parse(c.out.stdout);
  t.equal(status.card.link, 'up');
  t.equal(status.isup.circuits.total, 30);

  r.rig.sim.setSilent(true);
  t.ok(await r.rig.until(() => r.fw.card.current !== 'up', 10_000));
  const down = cli(r.dir, r.connection);
  t.equal(await down.run('status'), 1, 'a card that is down is a problem');
});

t.test('test-call: a line per circuit as it goes, a summary, exit 1 when one fails', async (t) => {
  const r = await withConfig(t);
  r.rig.sim.setLinePlugged(1, false);
  await r.rig.run(1500);
  const c = cli(r.dir, r.connection);
  const code = await r.rig.settle(c.run('test-call', 'all'), 600_000);
  t.equal(code, 1, 'the unplugged line fails its test');
  const lines = c.out.stdout.trim().split('\n');
  t.match(lines[0], /testing 35 circuit\(s\), one at a time/);
  t.equal(lines.length, 1 + 35 + 1, 'one line per circuit, then the summary');
  t.match(lines.at(-1), /^34 passed, 1 failed, 0 skipped$/);

  const json = cli(r.dir, r.connection);
  t.equal(await r.rig.settle(json.run('test-call', 'fxo/0', '--json')), 0);
  t.match(JSON.parse(json.out.stdout), { passed: 1, failed: 0, outcomes: [{ circuit: 'fxo/0', result: 'pass' }] });
});

t.test('the firmware refuses a value: exit 2 and its reason, translated', async (t) => {
  const r = await withConfig(t);
  const c = cli(r.dir, r.connection);
  t.equal(await c.run('call', '12345', '--count', '0'), 2);
  t.equal(c.out.stderr, 'countyline: count is 0; it must be a whole number from 1 to 100000\n');
  const zh = cli(r.dir, r.connection);
  t.equal(await zh.run('call', '12345', '--count', '0', '--lang', 'zh'), 2);
  t.equal(zh.out.stderr, 'countyline: count 为 0; 应为 1 到 100000 之间的整数\n');
  const cic = cli(r.dir, r.connection);
  t.equal(await cic.run('block', '99'), 2);
  t.equal(cic.out.stderr, 'countyline: CIC 99 is not in the circuit group (CICs 1 to 30); see countyline circuits\n');
});

t.test('block and unblock say whether the exchange was told', async (t) => {
  const r = await withConfig(t);
  const up = cli(r.dir, r.connection);
  t.equal(await up.run('block', '7'), 0);
  t.match(up.out.stdout, /CIC 7 blocked; BLO sent to the exchange\n$/);
  r.rig.sim.setSpanDefects(0, { los: true });
  t.ok(await r.rig.until(() => !r.fw.isup!.transport.isUp, 1000));
  const down = cli(r.dir, r.connection);
  t.equal(await down.run('block', '9', '--lang', 'zh'), 0);
  t.match(down.out.stdout, /CIC 9 已在本端闭塞; 信令链路中断, 链路恢复后再通知交换机 \(BLO\)\n$/);
  const json = cli(r.dir, r.connection);
  t.equal(await json.run('unblock', '7', '--json'), 0);
  t.match(JSON.parse(json.out.stdout), { exchange: 'pending', circuit: { cic: 7, maintenance: 'none' } });
});

t.test('capture writes a pcap of what crossed', async (t) => {
  const r = await withConfig(t);
  const file = join(r.dir, 'ss7.pcap');
  const c = cli(r.dir, r.connection);
  const running = c.run('capture', file, '--seconds', '3');
  // The CLI reads its config and opens the file (real I/O) before it asks for the capture:
  // wait in real time, with the firmware's clock standing still.
  for (const end = Date.now() + 5000; !c.out.stderr.includes('capturing') && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 5));
  t.match(c.out.stderr, /capturing/, 'the capture started');
  await r.rig.run(100);
  void r.fw.handle('block', { cic: 11 }); // BLO out, BLA in
  t.equal(await r.rig.settle(running), 0);
  t.match(c.out.stderr, /capturing E1 signalling into .*ss7\.pcap for 3 s \.\.\.\n2 messages written to .*ss7\.pcap/);
  const pcap = await readFile(file);
  t.equal(pcap.readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
  t.equal(pcap.readUInt32LE(20), 141, 'link type MTP3');
  const bad = cli(r.dir, r.connection);
  t.equal(await bad.run('capture', join(r.dir, 'no', 'such', 'dir', 'x.pcap')), 1);
  t.match(bad.out.stderr, /^countyline: cannot write .*x\.pcap: ENOENT/);
});

t.test('bulletin: set (answered once spoken), shown in both languages, cleared; bad times refused', async (t) => {
  const r = await withConfig(t);
  const run = async (...argv: string[]) => {
    const c = cli(r.dir, r.connection);
    return { code: await c.run(...argv), ...c.out };
  };
  t.match(await run('bulletin'), { code: 0, stdout: 'no bulletin: callers go straight to the queue\n' });
  // The box's clock reads 09:00 (UTC+8): 18:00 is today.
  const set = await run('bulletin', 'set', '城关镇今日停水检修, 预计 18 点恢复', '--until', '18:00');
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /^bulletin: 城关镇今日停水检修, 预计 18 点恢复\nuntil 2025-03-10 18:00 \(box time\)\nspoken in Chinese, \d+\.\d s: callers hear it before the queue\n$/);
  t.match(await run('bulletin', '--lang', 'zh'), { code: 0, stdout: /^公告: 城关镇今日停水检修, 预计 18 点恢复\n结束时间 2025-03-10 18:00 \(本机时间\)\n已合成中文语音, \d+\.\d 秒/ });
  const json = JSON.parse((await run('bulletin', '--json')).stdout);
  t.match(json, { bulletin: { text: '城关镇今日停水检修, 预计 18 点恢复', until: Date.UTC(2025, 2, 10, 10, 0) }, audio: { lang: 'zh', seconds: Number } });

  t.match(await run('bulletin', 'set', 'Closed for the holiday', '--until', '2025-03-10 08:30'), { code: 2, stderr: /^countyline: the bulletin would end at 2025-03-10T00:30:00\.000Z, which is already past/ });
  t.match(await run('bulletin', 'set', 'x', '--until', 'tomorrow'), { code: 2, stderr: /^countyline: --until tomorrow: use HH:MM \(today\) or "YYYY-MM-DD HH:MM", box time\n$/ });
  t.match(await run('bulletin', 'set', 'x', '--until', '2025-02-30 10:00'), { code: 2, stderr: /--until 2025-02-30 10:00: use/ });
  t.match(await run('bulletin', 'set'), { code: 2, stderr: /^countyline: bulletin set needs the text \(in quotes\)\n/ });
  t.match(await run('bulletin', 'remove'), { code: 2, stderr: /^countyline: unexpected argument remove after bulletin\n/ });
  t.equal((await run('bulletin')).stdout.split('\n')[0], 'bulletin: 城关镇今日停水检修, 预计 18 点恢复', 'refused sets changed nothing');

  t.match(await run('bulletin', 'clear'), { code: 0, stdout: 'bulletin cleared\n' });
  t.match(await run('bulletin', 'clear', '--lang', 'zh'), { code: 0, stdout: '当前没有公告\n' });
  t.match(await run('bulletin'), { code: 0, stdout: /^no bulletin/ });
});

t.test("kpi: today's quarter hours and totals from the box; --day a past day's totals; a bad --day refused", async (t) => {
  const r = await withConfig(t);
  const run = async (...argv: string[]) => {
    const c = cli(r.dir, r.connection);
    return { code: await c.run(...argv), ...c.out };
  };
  // The box's clock reads 2025-03-10 09:00 (UTC+8); no call yet.
  const today = await run('kpi');
  t.equal(today.code, 0, today.stderr);
  t.match(today.stdout, /^quarter hours with calls: 2025-03-10 \(UTC\+8\)\nno calls\n\nday: 2025-03-10 \(UTC\+8\)\n/);
  t.match(today.stdout, /no call asked for a person/);
  const zh = await run('kpi', '--lang', 'zh');
  t.match(zh.stdout, /^有呼叫的时段: 2025-03-10 \(UTC\+8\)\n无呼叫\n/);
  const json = JSON.parse((await run('kpi', '--json', '--day', '2025-03-09')).stdout);
  t.match(json, { day: { day: '2025-03-09', utcOffsetMs: 8 * 3_600_000, totals: { counts: { inbound: 0 } } }, staffing: { day: '2025-03-09' } });
  t.equal(json.day.intervals.length, 96);
  const past = await run('kpi', '--day', '2025-03-09');
  t.match(past.stdout, /^day: 2025-03-09 \(UTC\+8\)\n/, 'a past day: the totals, no quarter hours');

  t.match(await run('kpi', '--day', '2025-02-30'), { code: 2, stdout: '', stderr: 'countyline: --day 2025-02-30: use a date as YYYY-MM-DD, e.g. 2026-12-01\n' });
  t.match(await run('kpi', '--day', 'yesterday', '--lang', 'zh'), { code: 2, stderr: 'countyline: --day yesterday: 应为 YYYY-MM-DD 格式的日期, 如 2026-12-01\n' });
  t.match(await run('kpi', 'today'), { code: 2, stderr: /^countyline: unexpected argument today after kpi\n/ });
});
