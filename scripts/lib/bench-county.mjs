// One simulated county office for the bench job: its own socat pty pair and card simulator,
// its box enrolled with central the way a field technician does it (a site and a box made
// through the API, then `countyline provision` with the one-time token), the firmware, and
// the agents' phones (SIPp) registered with the box.
//
// Two kinds: an E1 county on 30 SS7 circuits toward the simulator's exchange, and a county
// on five analog (FXO) lines with no E1 span.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRig, stopProcess } from './bench-rig.mjs';
import { freeUdpPort, REGISTRATION_S, startPhones } from './sipp-phones.mjs';

/** The two offices of `npm start`. Names in both languages: the ops page shows either. */
export const COUNTIES = [
  {
    kind: 'e1',
    site: { id: 'qingshui', name: '清水县 12345 热线 (Qingshui County hotline)', county: '清水县 Qingshui' },
    box: { id: 'qingshui-e1-01', name: '清水县 E1 主机 (Qingshui E1 box)' },
    label: { en: 'Qingshui E1', zh: '清水县 E1' },
    card: { serial: 'SIM-QS-0001', spans: 1, fxoPorts: 0, links: 1 },
    agents: [
      { user: 'wangfang', password: 'wangfang-secret-1', name: '王芳', talkMs: 3000 },
      { user: 'lina', password: 'lina-secret-22', name: '李娜', talkMs: 4000 },
      { user: 'zhangwei', password: 'zhangwei-secret-333', name: 'Zhang Wei', talkMs: 5000 },
    ],
  },
  {
    kind: 'fxo',
    site: { id: 'baishi', name: '白石县 12345 热线 (Baishi County hotline)', county: '白石县 Baishi' },
    box: { id: 'baishi-fxo-01', name: '白石县模拟线主机 (Baishi FXO box)' },
    label: { en: 'Baishi FXO', zh: '白石县 FXO' },
    card: { serial: 'SIM-BS-0002', spans: 0, fxoPorts: 5, links: 0 },
    agents: [
      { user: 'liuyang', password: 'liuyang-secret-1', name: '刘洋', talkMs: 3500 },
      { user: 'chenjing', password: 'chenjing-secret-22', name: 'Chen Jing', talkMs: 4500 },
    ],
  },
];

function fail({ status, body }) {
  throw new Error(`POST /api/v1/boxes -> ${status}: ${JSON.stringify(body)}`);
}

/** The box's config besides the card: agents, SIP on loopback, and the line side. */
function boxConfig(county, sipPort) {
  return {
    agents: county.agents.map(({ user, password, name }) => ({ user, password, name })),
    sip: {
      port: sipPort,
      bind: '127.0.0.1',
      address: '127.0.0.1',
      // SIPp answers only an MD5 challenge, and only the first one; it registers once for the
      // whole run, and an OPTIONS keep-alive would reach its scenario as an unexpected call.
      digestAlgorithms: ['MD5'],
      maxExpiresS: REGISTRATION_S,
      keepAliveMs: REGISTRATION_S * 1000,
    },
    calls: { ringTimeoutMs: 4000 },
    // A trunk snapshot every 10 s rather than every minute: the box's birth can go out before
    // the card has told its spans, and the ops page should show them within seconds.
    // `countyline provision` keeps this key and adds the rest of the section.
    central: { trunksIntervalMs: 10_000 },
  };
}

/**
 * Starts the county's rig under `dir`, enrols its box with `central`, starts the firmware and
 * the phones. `seed` seeds the E1 exchange's random numbers; `talkMs`, when given, is every
 * agent's talk time instead of their own. Resolves with { county, rig, phones, sipPort, stop }.
 */
export async function startCounty(county, { dir, central, seed = 1, talkMs, logLevel = 'info' }) {
  await mkdir(dir, { recursive: true });
  const cardFile = join(dir, 'card.json');
  await writeFile(cardFile, JSON.stringify({ model: 'CL-E1F-108', firmware: 'sim-1.0', ...county.card }));
  // The exchange's arrivals, hold times and numbers from the job's seed (its other settings: the bench defaults).
  const exchangeFile = join(dir, 'exchange.json');
  await writeFile(exchangeFile, JSON.stringify({ seed }));
  const sipPort = await freeUdpPort();
  const rig = await startRig({
    dir,
    logLevel,
    firmware: false,
    simArgs: ['--card', cardFile, ...(county.kind === 'e1' ? ['--exchange', exchangeFile] : ['--no-exchange'])],
    isup: county.kind === 'e1',
    config: boxConfig(county, sipPort),
  });
  let phones = [];
  const stop = async () => {
    await Promise.all(phones.map((p) => stopProcess(p)));
    await rig.stop();
  };
  try {
    // A bench folder used before (`--dir` again) has the site and the box: a new one-time
    // token for the box then, as for a replaced box.
    await central.api('POST', '/api/v1/sites', county.site, { expect: [201, 409] });
    const created = await central.request('POST', '/api/v1/boxes', { ...county.box, site: county.site.id });
    const { enrolmentToken } = created.status === 409 ? await central.api('POST', `/api/v1/boxes/${county.box.id}/enrolment`) : created.status === 201 ? created.body : fail(created);
    await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
    await rig.startFirmware();
    phones = await startPhones({ dir, box: { host: '127.0.0.1', port: sipPort }, agents: await Promise.all(county.agents.map(async (a) => ({ ...a, talkMs: talkMs ?? a.talkMs, port: await freeUdpPort() }))) });
  } catch (err) {
    await stop();
    throw err;
  }
  return { county, rig, sipPort, get phones() { return phones; }, stop };
}
