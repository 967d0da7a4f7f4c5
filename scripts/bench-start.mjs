#!/usr/bin/env node
// `npm start`: the main job, the whole product on this machine, each part its own process on
// loopback: central (embedded MQTT broker, SQLite store under the bench folder, HTTP API and
// ops page) and two simulated county offices, each with its socat pty pair, card simulator,
// box firmware and agents' phones (SIPp):
//   - Qingshui, an E1 county: 30 SS7 circuits toward the simulator's exchange, 3 agents;
//   - Baishi, a five-line analog (FXO) county, 2 agents.
// Both boxes are enrolled with central as a technician does it (`countyline provision` with a
// one-time token). Then Poisson traffic into both boxes for as long as the job runs, and now
// and then a fault (LOS on the E1 span, an unplugged FXO line, a glare burst). Prints the ops
// page's URL and an admin token, then a line per box whenever its status changes. Ctrl-C
// (SIGINT) or SIGTERM stops everything and exits 0; the bench folder keeps the logs.
//
// Options: --dir <folder> (bench folder; default a new one under the temp folder), --lang
// en|zh (default from LANG), --e1-per-minute <n> (default 10), --fxo-per-minute <n> (default
// 10), --fault-every <s> (mean gap between faults, default 90; 0: none), --status-every <s>
// (default 5), --seed <n>.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createJob } from './lib/bench-job.mjs';
import { clock, startStatusLines } from './lib/bench-status.mjs';
import { benchFaults, E1_HOLD_S, randomSource, startFaults, startJobTraffic } from './lib/bench-traffic.mjs';

const OPTIONS = {
  dir: { type: 'string' },
  lang: { type: 'string' },
  'e1-per-minute': { type: 'string', default: '10' },
  'fxo-per-minute': { type: 'string', default: '10' },
  'fault-every': { type: 'string', default: '90' },
  'status-every': { type: 'string', default: '5' },
  seed: { type: 'string' },
};
let opts;
try {
  opts = parseArgs({ options: OPTIONS }).values;
} catch (err) {
  console.error(`${err.message}\nusage: node scripts/bench-start.mjs [--dir <folder>] [--lang en|zh] [--e1-per-minute <n>] [--fxo-per-minute <n>] [--fault-every <s>] [--status-every <s>] [--seed <n>]`);
  process.exit(2);
}
const zh = (opts.lang ?? process.env.LANG ?? '').toLowerCase().startsWith('zh');
const t = (en, cn) => (zh ? cn : en);
const say = (en, cn) => console.log(t(en, cn));
const number = (name, min) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n < min) {
    console.error(t(`--${name} must be a number of at least ${min}, not "${opts[name]}"`, `--${name} 须为不小于 ${min} 的数, 而不是 "${opts[name]}"`));
    process.exit(2);
  }
  return n;
};
const e1PerMinute = number('e1-per-minute', 0);
const fxoPerMinute = number('fxo-per-minute', 0);
const faultEveryS = number('fault-every', 0);
const statusEveryS = number('status-every', 1);
const seed = opts.seed === undefined ? Date.now() % 1_000_000 : Math.floor(number('seed', 0));
const random = randomSource(seed);

const dir = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'countyline-bench-'));
await mkdir(dir, { recursive: true });

const job = createJob({ dir, seed });
/** What else runs, for stop(): filled in as it starts. */
const extra = { traffic: null, faults: null, status: null };
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('\nStopping the bench ...', '\n正在停止测试台 ...');
  extra.status?.stop();
  await extra.faults?.stop();
  await extra.traffic?.stop();
  await job.stop();
  say(`Stopped. Logs and data kept in ${dir}`, `已停止。日志和数据保存在 ${dir}`);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  // bench-rig's own handler has already told the children to stop, and raises the signal
  // once more: that one (and a second Ctrl-C) finds the job stopping, and stop() is bounded
  // (each process gets a few seconds, then SIGKILL).
  process.on(signal, () => void stop(0));
}
const failed = (err) => {
  if (stopping) return;
  console.error(t(`The bench failed: ${err.stack ?? err}`, `测试台出错: ${err.stack ?? err}`));
  void stop(1);
};

say(`Starting the bench in ${dir}: central, then two county offices (socat, card simulator, firmware, agents' phones) ...`, `正在启动测试台 (${dir}): 中心, 然后两个县的热线 (socat、板卡模拟器、固件、坐席话机) ...`);
try {
  await job.start({ progress: (county) => say(`  ${county.label.en}: starting ...`, `  ${county.label.zh}: 正在启动 ...`), onFailure: failed });
} catch (err) {
  failed(err);
}
if (stopping) await new Promise(() => {}); // stop() exits

const { central, e1, fxo } = job;
const onError = (err) => {
  if (!stopping) console.error(`${clock()}  ${t('traffic', '话务')}: ${err.message}`);
};
extra.traffic = await startJobTraffic(job, { e1PerMinute, fxoPerMinute, random, onError });
if (faultEveryS > 0) {
  extra.faults = startFaults(benchFaults({ e1: e1.rig, fxo: fxo.rig }, { random }), {
    meanGapMs: faultEveryS * 1000,
    random,
    onError,
    onFault: (fault, phase) => {
      if (stopping) return;
      const what = fault.what[zh ? 'zh' : 'en'];
      console.log(`${clock()}  ${phase === 'start' ? t('fault:', '故障:') : t('repaired:', '恢复:')} ${what}`);
    },
  });
}

const api = `${central.httpUrl}/api/v1`;
const office = (o, en, cn) => {
  const c = o.county;
  console.log(`  ${t(c.label.en, c.label.zh)} (${c.box.id}): ${t(en, cn)}
    ${t('card simulator', '板卡模拟器')} ${o.rig.simControl}   ${t('box CLI', '主机命令行')}: npx countyline status --config ${o.rig.configPath}`);
};
say(
  `
Ops page: ${central.httpUrl}/
Admin token: ${central.adminToken}
Central API: ${api} (OpenAPI ${central.httpUrl}/api/docs)
  curl -H 'Authorization: Bearer ${central.adminToken}' ${api}/boxes
Offices:`,
  `
运维页面: ${central.httpUrl}/
管理员令牌: ${central.adminToken}
中心接口: ${api} (OpenAPI ${central.httpUrl}/api/docs)
  curl -H 'Authorization: Bearer ${central.adminToken}' ${api}/boxes
各县热线:`,
);
office(e1, `30 SS7 circuits, ${e1.county.agents.length} agents; the exchange calls ${e1PerMinute} times a minute, held ${E1_HOLD_S} s on average`, `30 条七号信令电路, ${e1.county.agents.length} 个坐席; 交换机每分钟呼入 ${e1PerMinute} 次, 平均保持 ${E1_HOLD_S} 秒`);
office(fxo, `5 analog lines, ${fxo.county.agents.length} agents; callers ring ${fxoPerMinute} times a minute`, `5 路模拟线, ${fxo.county.agents.length} 个坐席; 每分钟振铃 ${fxoPerMinute} 次`);
say(
  `${faultEveryS > 0 ? `A fault about every ${faultEveryS} s (LOS, an unplugged line, a glare burst).` : 'No faults (--fault-every 0).'} Traffic seed ${seed}.
Live status follows, a line per box when it changes (Ctrl-C to stop):`,
  `${faultEveryS > 0 ? `大约每 ${faultEveryS} 秒一次故障 (LOS、模拟线拔出、同抢突发)。` : '不注入故障 (--fault-every 0)。'} 话务种子 ${seed}。
实时状态如下, 每台主机状态变化时打印一行 (Ctrl-C 停止):`,
);

extra.status = startStatusLines(job, { zh, everyMs: statusEveryS * 1000 });
