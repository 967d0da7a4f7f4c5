// Issue 12, the ops page in a real browser: Debian chromium driven by playwright-core against a
// real central and one real box on the bench (socat, card simulator, firmware), the box
// enrolled as a technician does it. The page loads in Chinese and shows the box online; an
// LOS pulled on the simulated span shows as an alarm without a reload; the operator
// acknowledges it with a comment; a bulletin sent from the page reaches the box; a test call
// and a block/unblock come back with their answers; English is one click and stays after a
// reload. A screenshot of each view is kept in test/browser/artefacts/ (git-ignored).
import Database from 'better-sqlite3';
import t from 'tap';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { requireTool, startRig, waitFor } from '../../scripts/lib/bench-rig.mjs';
import { startCentral } from '../../scripts/lib/central-rig.mjs';
import { agentsNeeded } from '../../firmware-ts/src/queue/erlang-c.js';
import { freeUdpPort } from '../peers/sipp-agent.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artefacts');
const BOX = 'county-a-01';
const BULLETIN = '今天下午自来水厂检修，停水至晚上八点。';
const COMMENT = '已通知电信局，正在抢修';
/** Generous: two cores shared with other tests; every wait ends as soon as its condition holds. */
const SLOW_MS = 30_000;
const QUARTER_MS = 15 * 60_000;
/** Eight past quarter hours as a box would have reported them: calls offered, answered, answered within 15 s. */
const PAST_INTERVALS: [offered: number, answered: number, in15s: number][] = [
  [12, 12, 11],
  [20, 19, 15],
  [8, 8, 8],
  [30, 26, 18],
  [16, 16, 14],
  [24, 23, 19],
  [10, 10, 9],
  [18, 17, 15],
];

/**
 * The box sends a KPI interval only when its quarter hour ends, so a test minutes long would
 * see none: the past two hours are written into central's store (as central-outage.test.ts
 * reads it), and the page reads them through the API like any others.
 */
function seedKpis(dataDir: string, now: number): { intervalStart: number; offered: number }[] {
  const db = new Database(join(dataDir, 'data', 'central.sqlite'), { fileMustExist: true, timeout: 10_000 });
  try {
    const insert = db.prepare('INSERT INTO kpis (box_id, interval_start, interval_ms, offered, answered, answered_in_15s, abandoned, no_agent, failed) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)');
    // Not the quarter that ended last: the box itself reports that one (with no calls) if the test spans its end.
    const last = Math.floor(now / QUARTER_MS) * QUARTER_MS - 2 * QUARTER_MS;
    return PAST_INTERVALS.map(([offered, answered, in15s], i) => {
      const intervalStart = last - (PAST_INTERVALS.length - 1 - i) * QUARTER_MS;
      insert.run(BOX, intervalStart, QUARTER_MS, offered, answered, in15s, offered - answered);
      return { intervalStart, offered };
    });
  } finally {
    db.close();
  }
}

t.test('the ops page: live fleet and alarms, ack, bulletin, commands, both languages', async (t) => {
  requireTool(CHROMIUM, 'the ops page browser test (apt-get install chromium fonts-wqy-microhei)');
  const shots = await mkdtemp(join(tmpdir(), 'countyline-ops-page-'));
  t.teardown(() => rm(shots, { recursive: true, force: true }));
  await mkdir(ARTEFACTS, { recursive: true });
  /** A full-page screenshot into the test's folder, copied to the kept artefacts. */
  const screenshot = async (page: Page, name: string) => {
    const file = join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await copyFile(file, join(ARTEFACTS, `${name}.png`));
  };

  const central = await startCentral({ args: ['--log-level', 'warn'] });
  t.teardown(() => central.stop());
  await central.api('POST', '/api/v1/sites', { id: 'county-a', name: '甲县 12345 热线', county: '甲县' });
  const { enrolmentToken } = await central.api('POST', '/api/v1/boxes', { id: BOX, site: 'county-a', name: '甲县一号机' });
  // One agent whose phone never registers: the box reports its queue and the agent's status.
  const rig = await startRig({ isup: true, firmware: false, config: {
      agents: [{ user: 'li.wei', password: 'li-wei-secret', name: '李伟' }],
      sip: { port: await freeUdpPort(), bind: '127.0.0.1', address: '127.0.0.1' },
    },
  });
  t.teardown(() => rig.stop());
  await rig.cli(['provision', '--central', central.httpUrl, '--token', enrolmentToken]);
  await rig.startFirmware();
  const { token } = await central.api('POST', '/api/v1/tokens', { name: 'duty-desk', role: 'operator' });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(SLOW_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    // The wrong token at sign-in is refused on purpose (401).
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) pageErrors.push(msg.text());
  });

  await t.test('sign-in: a wrong token is refused with a clear message, the operator token opens the page', async (t) => {
    await page.goto(`${central.httpUrl}/`);
    t.equal(await page.locator('html').getAttribute('lang'), 'zh-CN', 'Chinese by default');
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('form.signin button[type=submit]');
    await page.locator('form.signin .failure').waitFor();
    t.equal(await page.locator('form.signin .failure').textContent(), '令牌无效或已被撤销，请重新登录。');
    await page.fill('input[name=token]', token);
    await page.click('form.signin button[type=submit]');
    await page.locator('[data-view=fleet]').waitFor();
    await page.locator('[data-live=true]').waitFor();
    t.equal(await page.locator('.user').textContent(), 'duty-desk（值班员）', 'the page knows the role from the event stream');
  });

  await t.test('fleet: the box online under its county, in Chinese', async (t) => {
    const row = page.locator(`[data-view=fleet] tr[data-box=${BOX}]`);
    await row.locator('[data-online=true]').waitFor();
    t.equal(await row.locator('[data-online=true]').textContent(), '在线');
    t.equal(await page.locator('[data-view=fleet] h2').textContent(), '各县设备');
    t.equal(await page.locator('[data-view=fleet] h3').first().textContent(), '甲县');
    t.equal(await page.locator('[data-nav=alarms]').textContent(), '告警');
    await row.locator('td[data-waiting="0"]').waitFor();
    t.match(await page.locator('[data-view=fleet] thead').textContent(), '排队来电', "a column for the callers waiting, 0 at this box");
    await screenshot(page, '1-fleet-zh');
  });

  let alarmId = 0;
  await t.test('alarms: an LOS on the bench appears live, and is acknowledged with a comment', async (t) => {
    await page.click('[data-nav=alarms]');
    await page.locator('[data-view=alarms] h2').first().waitFor();
    // Set on the document: a reload would lose it.
    await page.evaluate(() => ((globalThis as any).__notReloaded = true));
    await rig.simPost('/spans/0/defects', { los: true });
    const row = page.locator(`[data-view=alarms] tr[data-type=span-red][data-box=${BOX}]`).first();
    await row.waitFor();
    t.equal(await page.evaluate(() => (globalThis as any).__notReloaded), true, 'shown without a reload');
    t.equal(await row.locator('[data-severity]').textContent(), '紧急');
    t.match(await row.textContent(), /E1 红色告警/);
    alarmId = Number(await row.getAttribute('data-alarm'));
    await row.locator('input[name=comment]').fill(COMMENT);
    await row.locator('form.ack button').click();
    await row.locator('[data-acked=true]').waitFor();
    t.match(await row.locator('[data-acked=true]').textContent(), /duty-desk 于 .* 确认：“?已通知电信局/);
    const [stored] = (await central.api('GET', `/api/v1/alarms?state=active&box=${BOX}`)).alarms.filter((a: any) => a.id === alarmId);
    t.match(stored, { ackedBy: 'duty-desk', ackComment: COMMENT }, 'central stored the acknowledgement');
    await screenshot(page, '2-alarms-zh');
  });

  await t.test('one box: the red span with its cause, the circuit grid, FXO voltages, the KPI chart with Erlang C advice', async (t) => {
    const seeded = seedKpis(central.dir, Date.now());
    await page.click(`[data-view=alarms] tr[data-alarm="${alarmId}"] a`);
    const view = page.locator(`[data-view=box][data-box=${BOX}]`);
    await view.locator('tr[data-span="0"][data-alarm=red]').waitFor();
    t.match(await view.locator('tr[data-span="0"]').textContent(), /红色告警.*LOS/);
    // The red span's seconds are counted: G.826 this quarter hour and today, as the box reports them.
    const g826 = (await central.api('GET', `/api/v1/boxes/${BOX}/trunks`)).spans[0].g826;
    t.ok(g826?.day && g826.day.seconds > 0, `central has span 0's G.826 counts: ${JSON.stringify(g826?.day)}`);
    await view.locator('tr[data-g826="0-day"]').waitFor();
    t.match(await view.locator('table.g826 thead').textContent(), /SES 严重误码秒.*UAS 不可用秒/, 'the counters named in Chinese');
    t.equal(await view.locator('tr[data-g826="0-current15min"] td.num').count(), 7, 'seven counts for this quarter hour');
    const trunks = await central.api('GET', `/api/v1/boxes/${BOX}/trunks`);
    t.ok(trunks.circuits.total > 0, 'the bench box has SS7 circuits');
    t.equal(await view.locator('.circuit').count(), trunks.circuits.total, 'one grid cell per circuit');
    t.equal(await view.locator('tr[data-port]').count(), trunks.fxo.length, 'one row per FXO port');
    t.match(await view.locator('tr[data-port="0"]').textContent(), /已接入.*\d V/, 'FXO port 0 present with its voltage');
    await view.locator('[data-waiting="0"]').waitFor();
    t.match(await view.locator('[data-waiting="0"]').textContent(), '当前无来电排队', "the box's queue, from its live snapshot: nobody waiting");
    t.match(await view.locator('tr[data-agent="li.wei"]').textContent(), /li\.wei.*李伟.*就绪.*空闲.*否/, 'the agent: available, idle, phone not registered');
    t.match(await view.locator('[data-callbacks="0"]').textContent(), '没有待回拨的请求', 'no callback request waiting');
    await view.locator('h3', { hasText: '每 15 分钟指标' }).waitFor();
    await view.locator('.chart .uplot canvas').waitFor();
    const legend = await view.locator('.chart .u-legend').textContent();
    for (const label of ['时间', '接通率', '15 秒接通率', '95% 线', '80% 线']) t.match(legend, label, `the chart's legend says ${label}`);
    t.equal(await view.locator('.staffing tr[data-interval]').count(), seeded.length, 'a staffing row per interval with calls');
    // No CDRs on this bench: the advice uses the box's default handling time, 180 s.
    const busiest = seeded[3]!;
    const advised = agentsNeeded({ callsPerHour: busiest.offered * 4, meanHandleSeconds: 180 }, { serviceLevel: 0.8, answerWithinSeconds: 15 });
    const row = view.locator(`.staffing tr[data-interval="${busiest.intervalStart}"]`);
    t.equal(await row.locator('td.advice').textContent(), String(advised), `Erlang C advises ${advised} agents for ${busiest.offered} calls in the quarter hour`);
    t.equal(await row.locator('td').nth(4).textContent(), '60 %', 'beside the measured 15-second service level (18 of 30)');
    await screenshot(page, '3-box-zh');
  });

  await t.test('bulletins: typed, sent to the box, and the box has it', async (t) => {
    await page.click('[data-nav=bulletins]');
    const view = page.locator('[data-view=bulletins]');
    await view.locator(`input[name=box][value=${BOX}]`).check();
    await view.locator('textarea[name=text]').fill(BULLETIN);
    await view.locator('form.bulletin button[type=submit]').click();
    await view.locator('.sent').waitFor();
    t.equal(await view.locator('.sent p').textContent(), '已向 1 台设备发送。');
    const onBox = await waitFor('the bulletin on the box', async (seen) => seen(await rig.json(['bulletin'])).bulletin?.text === BULLETIN, SLOW_MS, { intervalMs: 300 });
    t.ok(onBox, 'countyline bulletin on the box shows the text sent from the page');
    await view.locator(`tr[data-box=${BOX}] .bulletin-text`, { hasText: BULLETIN }).waitFor();
    t.pass('the page shows the bulletin the box now reports');
    await screenshot(page, '4-bulletins-zh');
  });

  await t.test('commands: block and unblock a circuit, and a test call, each with the answer', async (t) => {
    await page.click('[data-nav=commands]');
    const view = page.locator('[data-view=commands]');
    await view.locator(`select[name=box] option[value=${BOX}]`).waitFor({ state: 'attached' });
    const send = async (name: string, field: string, value: string) => {
      const form = view.locator(`form[data-command=${name}]`);
      await form.locator(`input[name=${field}]`).fill(value);
      await form.locator('button').click();
    };
    await send('block', 'cic', '5');
    const blocked = view.locator('tr[data-name=block][data-state=done]');
    await blocked.waitFor();
    // The link is down (LOS on the span since the alarms step): the BLO waits for it.
    t.match(await blocked.textContent(), /闭塞CIC 5.*CIC 5: 闭塞 本端; 交换机：信令链路中断，恢复后发送/, "the box's answer in words");
    t.match((await rig.json(['circuits'])).find((c: any) => c.cic === 5), { maintenance: 'local' }, 'circuit 5 is blocked on the box');
    await send('unblock', 'cic', '5');
    await view.locator('tr[data-name=unblock][data-state=done]').waitFor();
    t.match((await rig.json(['circuits'])).find((c: any) => c.cic === 5), { maintenance: 'none' }, 'and unblocked again');
    await send('test-call', 'circuit', 'fxo/0');
    const test = view.locator('tr[data-name=test-call][data-state=done]');
    await test.waitFor();
    t.match(await test.textContent(), /测试呼叫fxo\/0成功fxo\/0: 通过/, 'the test call passed, and the page shows its outcome');
    await screenshot(page, '5-commands-zh');
  });

  await t.test('English: one click, remembered after a reload', async (t) => {
    await page.click('button.lang');
    t.equal(await page.locator('[data-nav=commands]').textContent(), 'Commands');
    t.equal(await page.locator('[data-view=commands] h2').textContent(), 'Send a command to a box');
    await page.reload();
    await page.click('[data-nav=fleet]');
    const row = page.locator(`[data-view=fleet] tr[data-box=${BOX}]`);
    await row.locator('[data-online=true]').waitFor();
    t.equal(await row.locator('[data-online=true]').textContent(), 'online');
    t.equal(await page.locator('html').getAttribute('lang'), 'en');
    await screenshot(page, '6-fleet-en');
    await page.goto(`${central.httpUrl}/#/box/${BOX}`);
    await page.locator('[data-view=box] tr[data-span="0"]').waitFor();
    t.match(await page.locator('[data-view=box] tr[data-span="0"]').textContent(), /RED/);
    await page.locator('[data-view=box] .chart .u-legend').waitFor();
    t.match(await page.locator('[data-view=box] .chart .u-legend').textContent(), /Answered in 15 s/, 'the chart legend in English too');
    await screenshot(page, '7-box-en');
    await page.click('[data-nav=alarms]');
    await rig.simPost('/spans/0/defects', { los: false });
    const cleared = page.locator(`[data-view=alarms] table[data-alarms=cleared] tr[data-alarm="${alarmId}"]`);
    await cleared.waitFor({ timeout: SLOW_MS * 2 });
    t.match(await cleared.textContent(), /E1 red alarm.*acknowledged by duty-desk/, 'the cleared LOS moves to the history by itself, its acknowledgement kept');
    t.equal(await page.locator(`[data-view=alarms] table[data-alarms=active] tr[data-alarm="${alarmId}"]`).count(), 0, 'and is no longer active');
    await screenshot(page, '8-alarms-en');
  });

  await t.test("a viewer's page: the same data, no operator's buttons", async (t) => {
    const { token: viewerToken } = await central.api('POST', '/api/v1/tokens', { name: 'county-office', role: 'viewer' });
    const viewer = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'zh-CN' })).newPage();
    viewer.setDefaultTimeout(SLOW_MS);
    viewer.on('pageerror', (err) => pageErrors.push(err.message));
    await viewer.goto(`${central.httpUrl}/#/bulletins`);
    await viewer.fill('input[name=token]', viewerToken);
    await viewer.click('form.signin button[type=submit]');
    await viewer.locator('.user', { hasText: 'county-office（只读）' }).waitFor();
    await viewer.locator(`[data-view=bulletins] tr[data-box=${BOX}]`).waitFor();
    t.equal(await viewer.locator('form.bulletin button[type=submit]').isDisabled(), true, 'no sending bulletins');
    t.equal(await viewer.locator('[data-view=bulletins] .muted', { hasText: '只读令牌' }).count(), 1, 'and the page says why');
    await viewer.close();
  });

  t.same(pageErrors, [], 'no script error on the page');
});
