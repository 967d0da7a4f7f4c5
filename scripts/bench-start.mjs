#!/usr/bin/env node
// `npm start`: the whole bench on this machine, each part its own process: central (broker,
// store under the bench folder, HTTP API), the card simulator and the box firmware joined by
// socat's pseudo-terminal pair. The box is enrolled with central as a technician does it
// (`countyline provision` with a one-time token) before it starts. Prints the card inventory,
// central's address and admin token, then a line whenever the live status of the span, the
// signalling link or an FXO line changes. Ctrl-C stops everything.
import { startRig } from './lib/bench-rig.mjs';
import { startCentral } from './lib/central-rig.mjs';

const lang = process.argv.includes('--lang') ? process.argv[process.argv.indexOf('--lang') + 1] : undefined;
const zh = (lang ?? process.env.LANG ?? '').toLowerCase().startsWith('zh');
const say = (en, cn) => console.log(zh ? cn : en);

say('Starting the bench: central, socat pty pair, card simulator, firmware ...', '正在启动测试台: 中心、socat 虚拟串口、板卡模拟器、固件 ...');
const central = await startCentral({ keepDir: true, args: ['--log-level', 'warn'] });
const rig = await startRig({ logLevel: 'info', isup: true, keepDir: true, firmware: false });
await central.api('POST', '/api/v1/sites', { id: 'bench-county', name: 'Bench county hotline office', county: 'Bench county' });
const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: 'bench-box-1', site: 'bench-county', name: 'Bench box 1' });
await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
await rig.startFirmware();
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('\nStopping the bench ...', '\n正在停止测试台 ...');
  await rig.stop();
  await central.stop();
  say(`Logs kept in ${rig.dir} (firmware.log, sim.log) and ${central.dir} (central.log, data/)`, `日志保存在 ${rig.dir} (firmware.log, sim.log) 和 ${central.dir} (central.log, data/)`);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
for (const proc of [central.proc, rig.sim, rig.firmware, rig.socat]) {
  proc.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`${proc.name} exited (${signal ?? code}); last output:\n${proc.output.join('').slice(-2000)}`);
    void stop(1);
  });
}

const human = await rig.cli(['status', ...(lang ? ['--lang', lang] : [])]);
console.log(`\n${human.stdout}`);
say(
  `Bench folder ${rig.dir}
Card simulator control API: ${rig.simControl}
  curl -X POST ${rig.simControl}/spans/0/defects -d '{"los":true}'     # pull the E1 cable
  curl -X POST ${rig.simControl}/fxo/2/line -d '{"plugged":false}'     # unplug FXO line 2
  curl -X POST ${rig.simControl}/fxo/0/ring -d '{"callerId":"13800138000"}'
  curl -X POST ${rig.simControl}/traffic -d '{"callsPerMinute":30,"holdSeconds":20}'   # calls from the exchange
Box CLI: npx countyline status --config ${rig.configPath}
Central API: ${central.httpUrl}/api/v1 (OpenAPI ${central.httpUrl}/api/docs), admin token ${central.adminToken}
  curl -H 'Authorization: Bearer ${central.adminToken}' '${central.httpUrl}/api/v1/alarms?state=active'
Live status follows (Ctrl-C to stop):`,
  `测试台目录 ${rig.dir}
板卡模拟器控制接口: ${rig.simControl}
  curl -X POST ${rig.simControl}/spans/0/defects -d '{"los":true}'     # 拔掉 E1 线
  curl -X POST ${rig.simControl}/fxo/2/line -d '{"plugged":false}'     # 拔掉 FXO 第 2 路
  curl -X POST ${rig.simControl}/fxo/0/ring -d '{"callerId":"13800138000"}'
  curl -X POST ${rig.simControl}/traffic -d '{"callsPerMinute":30,"holdSeconds":20}'   # 交换机呼入话务
主机命令行: npx countyline status --config ${rig.configPath}
中心接口: ${central.httpUrl}/api/v1 (OpenAPI ${central.httpUrl}/api/docs), 管理员令牌 ${central.adminToken}
  curl -H 'Authorization: Bearer ${central.adminToken}' '${central.httpUrl}/api/v1/alarms?state=active'
实时状态 (Ctrl-C 停止):`,
);

function summary(s) {
  const parts = [`card ${s.card.link}${s.card.error ? ` (${s.card.error.code})` : ''}`];
  for (const span of s.spans) {
    const alarm = span.alarm === 'none' ? '' : ` ${span.alarm.toUpperCase()}`;
    parts.push(`span ${span.span} ${span.causes.length ? span.causes.join('+') : 'ok'}${alarm}`);
  }
  for (const link of s.links) parts.push(`link ${link.link} ${link.state}`);
  if (s.isup) {
    const c = s.isup.circuits;
    parts.push(`ss7 ${s.isup.ready ? 'ready' : s.isup.linkUp ? 'resetting' : 'link down'} ${c.incoming + c.outgoing + c.reserved}/${c.total} busy${c.maintenanceBlocked + c.hardwareBlocked ? `, ${c.maintenanceBlocked + c.hardwareBlocked} blocked` : ''}`);
  }
  if (s.central.state !== 'disabled') parts.push(`central ${s.central.state}${s.central.outbox.messages ? `, ${s.central.outbox.messages} waiting` : ''}`);
  parts.push(`fxo ${s.fxo.map((p) => `${p.port}:${p.line === 'present' ? `${p.voltage.toFixed(0)}V` : 'unplugged'}${p.ringing ? '(ring)' : ''}`).join(' ')}`);
  return parts.join(' | ');
}

let last = '';
for (;;) {
  if (stopping) break;
  try {
    const line = summary(await rig.status());
    if (line !== last) {
      console.log(`${new Date().toISOString().slice(11, 19)}  ${line}`);
      last = line;
    }
  } catch (err) {
    if (!stopping) console.error(`status: ${err.message}`);
  }
  await new Promise((r) => setTimeout(r, 1000));
}
