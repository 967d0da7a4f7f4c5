import t from 'tap';
import { ISUP_CONFIG, inProcessFirmware } from '../../../test-support/in-process-firmware.js';
import { formatAlarms } from '../../cli/format-alarms.js';
import { formatStatus } from '../../cli/format-status.js';

// The whole firmware: a link whose tests stop being answered raises an alarm the operator
// sees, `countyline status` says why, and both clear once the tests pass again.

const LINK_TEST = { timeoutMs: 4000, periodMs: 30_000 };

t.test('failed link tests: a critical alarm on link/0 and the status line say so; a passed test clears it', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: { ...ISUP_CONFIG, linkTest: LINK_TEST } } });
  const { fw, rig } = r;
  const now = () => rig.clock.now();
  const statusLine = (lang: 'en' | 'zh') => formatStatus(fw.status(), lang, now()).split('\n').find((l) => /^ {2}(signalling link test|信令链路测试):/.test(l));
  t.match(fw.status().isup, { linkUp: true, ready: true, linkTest: { state: 'passed', lastResult: 'passed', restarts: 0 } });
  t.match(statusLine('en'), /^ {2}signalling link test: passed, last test \d\d:\d\d:\d\d$/);

  rig.tap.answerLinkTests = false; // the exchange stops answering
  t.ok(await rig.until(() => fw.alarms.get('link/0', 'link-test-failed') !== null, LINK_TEST.periodMs + 3 * LINK_TEST.timeoutMs), 'raised after the next test and its repeat');
  t.match(fw.alarms.get('link/0', 'link-test-failed'), {
    severity: 'critical',
    state: 'active',
    cause: 'no SLTA from the exchange within 4 s, twice in a row',
    causeCode: 'link-test-failed',
    causeArgs: ['no-answer', 4],
  });
  t.match(fw.status().isup, { linkUp: false, ready: false, linkTest: { state: 'failed', lastResult: 'failed', lastFailure: 'no-answer', restarts: 1 } });
  t.match(statusLine('en'), /^ {2}signalling link test: FAILED \(no SLTA from the exchange\), last test \d\d:\d\d:\d\d, link restarted 1x$/);
  t.match(statusLine('zh'), /^ {2}信令链路测试: 失败 \(交换机未回 SLTA\), 上次测试 \d\d:\d\d:\d\d, 链路已重启 1 次$/);
  t.match(formatAlarms(fw.alarms.active(), 'zh', now()), /紧急.*信令链路 0.*信令链路测试失败, 链路已重启.*交换机 4 秒内未回 SLTA, 连续两次/);

  rig.tap.answerLinkTests = true;
  t.ok(await rig.until(() => fw.alarms.get('link/0', 'link-test-failed') === null && fw.isup!.maintenance.ready, 3 * LINK_TEST.timeoutMs), 'cleared once a test passes, and the circuits are reset again');
  t.match(fw.alarms.cleared().find((a) => a.type === 'link-test-failed'), { source: 'link/0', state: 'cleared' });
  t.match(statusLine('en'), /^ {2}signalling link test: passed, last test \d\d:\d\d:\d\d, link restarted \dx$/);
});
