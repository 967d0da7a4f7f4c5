#!/usr/bin/env node
/* global AbortController */
// A bench scenario: `node scripts/bench-scenario.mjs <file> [--dir <folder>] [--lang en|zh]
// [--status-every <s>]`. Starts the bench job's processes (central and the two county
// offices of `npm start`) with no faults of its own, runs the file's timed steps (traffic,
// faults, bulletins pushed from central), lets the calls in progress end, then checks the
// file's expectations through central's API and prints each: exit 0 when all are met, 1
// when one is not, 2 for a file or option that is wrong. The file format is described in
// scripts/lib/scenario-file.mjs; the scenarios shipped are in scripts/scenarios/.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { waitFor } from './lib/bench-rig.mjs';
import { createJob } from './lib/bench-job.mjs';
import { askBox, clock, startStatusLines } from './lib/bench-status.mjs';
import { describeFault, FAULT_RUNS, randomSource, startJobTraffic } from './lib/bench-traffic.mjs';
import { readScenario } from './lib/scenario-file.mjs';
import { checkExpectations } from './lib/scenario-checks.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string' }, lang: { type: 'string' }, 'status-every': { type: 'string', default: '5' } },
});
const zh = (opts.lang ?? process.env.LANG ?? '').toLowerCase().startsWith('zh');
const t = (en, cn) => (zh ? cn : en);
const say = (en, cn) => console.log(t(en, cn));
const usage = t('usage: node scripts/bench-scenario.mjs <scenario.json> [--dir <folder>] [--lang en|zh] [--status-every <s>]', '用法: node scripts/bench-scenario.mjs <场景.json> [--dir <目录>] [--lang en|zh] [--status-every <秒>]');
if (positionals.length !== 1) {
  console.error(usage);
  process.exit(2);
}
let scenario;
try {
  scenario = await readScenario(positionals[0]);
} catch (err) {
  console.error(t(`The scenario file is wrong: ${err.message}`, `场景文件有误: ${err.message}`));
  process.exit(2);
}
const statusEveryS = Number(opts['status-every']);
if (!(statusEveryS >= 1)) {
  console.error(usage);
  process.exit(2);
}
const seed = scenario.seed ?? 1;
const dir = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'countyline-scenario-'));
await mkdir(dir, { recursive: true });

const talk = scenario.talkSeconds ?? {};
const job = createJob({ dir, seed, talkMs: Object.fromEntries(Object.entries(talk).map(([kind, s]) => [kind, s * 1000])) });
const extra = { traffic: null, status: null, steps: new AbortController(), timers: [] };
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  extra.status?.stop();
  for (const timer of extra.timers) clearTimeout(timer);
  extra.steps.abort();
  await extra.traffic?.stop();
  await job.stop();
  say(`Logs and data kept in ${dir}`, `日志和数据保存在 ${dir}`);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop(130));
const failed = (err) => {
  if (stopping) return;
  console.error(t(`The bench failed: ${err.stack ?? err}`, `测试台出错: ${err.stack ?? err}`));
  void stop(1);
};

say(`Scenario: ${scenario.name.en} (${positionals[0]}), ${scenario.seconds} s, in ${dir}`, `场景: ${scenario.name.zh} (${positionals[0]}), ${scenario.seconds} 秒, 目录 ${dir}`);
try {
  await job.start({ progress: (county) => say(`  ${county.label.en}: starting ...`, `  ${county.label.zh}: 正在启动 ...`), onFailure: failed });
} catch (err) {
  failed(err);
}
if (stopping) await new Promise(() => {}); // stop() exits

const { central, e1, fxo } = job;
say(`Ops page: ${central.httpUrl}/\nAdmin token: ${central.adminToken}`, `运维页面: ${central.httpUrl}/\n管理员令牌: ${central.adminToken}`);
const onError = (err) => {
  if (!stopping) console.error(`${clock()}  ${t('traffic', '话务')}: ${err.message}`);
};
const random = randomSource(seed);
const startedAt = Date.now();
extra.traffic = await startJobTraffic(job, { e1PerMinute: scenario.traffic?.e1PerMinute ?? 0, fxoPerMinute: scenario.traffic?.fxoPerMinute ?? 0, random, onError });
extra.status = startStatusLines(job, { zh, everyMs: statusEveryS * 1000 });
const rates = () => t(`E1 ${extra.traffic.rates.e1PerMinute}/min, FXO ${extra.traffic.rates.fxoPerMinute}/min`, `E1 每分钟 ${extra.traffic.rates.e1PerMinute} 次, FXO 每分钟 ${extra.traffic.rates.fxoPerMinute} 次`);
say(`${clock()}  0 s: traffic ${rates()}`, `${clock()}  0 秒: 话务 ${rates()}`);

/** What the steps did, for the checks: the bulletin commands sent, per box. */
const done = { bulletins: new Map() };
const rigs = { e1: e1.rig, fxo: fxo.rig };
async function runStep(step) {
  const at = `${clock()}  ${step.at} ${t('s', '秒')}:`;
  if (step.traffic) {
    await extra.traffic.set(step.traffic);
    say(`${at} traffic ${rates()}`, `${at} 话务 ${rates()}`);
  } else if (step.fault) {
    const what = describeFault(step.fault, step);
    say(`${at} fault: ${what.en}`, `${at} 故障: ${what.zh}`);
    await FAULT_RUNS[step.fault](rigs, step, extra.steps.signal);
    if (!stopping) say(`${clock()}  repaired: ${what.en}`, `${clock()}  恢复: ${what.zh}`);
  } else if (step.bulletin) {
    // Always with an end: central's API turns `until: null` into 0 today (the schema coerces
    // null to the integer of its union), which the box refuses as an end in the past.
    const until = Date.now() + (step.minutes ?? 60) * 60_000;
    const { commands } = await central.api('POST', '/api/v1/bulletins', { text: step.bulletin, until, boxes: step.boxes });
    for (const c of commands) done.bulletins.set(c.boxId, [...(done.bulletins.get(c.boxId) ?? []), c]);
    say(`${at} bulletin pushed from central to ${step.boxes.join(', ')}: ${step.bulletin}`, `${at} 中心推送公告到 ${step.boxes.join(', ')}: ${step.bulletin}`);
  }
}
const running = scenario.steps.map(
  (step) =>
    new Promise((resolve) => {
      extra.timers.push(setTimeout(() => runStep(step).catch(onError).finally(resolve), Math.max(0, startedAt + step.at * 1000 - Date.now())));
    }),
);
await new Promise((resolve) => extra.timers.push(setTimeout(resolve, scenario.seconds * 1000)));
await Promise.all(running);
await extra.traffic.set({ e1PerMinute: 0, fxoPerMinute: 0 });
const endedAt = Date.now();
say(`${clock()}  ${scenario.seconds} s: traffic stopped; waiting for the calls in progress to end ...`, `${clock()}  ${scenario.seconds} 秒: 话务停止; 等待进行中的呼叫结束 ...`);

// Every call over at both boxes, and each box's CDRs of the run in central.
try {
  await waitFor('no call in progress at either box', async (seen) => {
    const active = await Promise.all(job.offices.map(async (o) => (await askBox(o, 'calls', { recent: 0 })).active.length));
    return seen(active).every((n) => n === 0);
  }, 120_000, { intervalMs: 1000 });
  for (const o of job.offices) {
    const local = (await askBox(o, 'calls', { recent: 10_000 })).recent.filter((c) => c.arrivedAt >= startedAt).length;
    await waitFor(`central to have ${o.county.box.id}'s ${local} calls`, async (seen) => {
      const { cdrs } = await central.api('GET', `/api/v1/cdrs?box=${o.county.box.id}&from=${startedAt}&limit=1000`);
      return seen(cdrs.length) >= local;
    }, 30_000, { intervalMs: 1000 });
  }
} catch (err) {
  say(`Note: ${err.message}`, `注意: ${err.message}`);
}
extra.status.stop();

const results = await checkExpectations(scenario.expect, { central, startedAt, endedAt, bulletins: done.bulletins, fxoStats: extra.traffic.fxoStats, zh });
say(`\nExpectations of "${scenario.name.en}":`, `\n"${scenario.name.zh}" 的预期:`);
for (const r of results) console.log(`  ${r.ok ? t('PASS', '通过') : t('FAIL', '未通过')}  ${r.text}`);
const failedCount = results.filter((r) => !r.ok).length;
say(
  failedCount === 0 ? `All ${results.length} expectations met.` : `${failedCount} of ${results.length} expectations not met.`,
  failedCount === 0 ? `全部 ${results.length} 项预期均满足。` : `${results.length} 项预期中 ${failedCount} 项未满足。`,
);
await stop(failedCount === 0 ? 0 : 1);
