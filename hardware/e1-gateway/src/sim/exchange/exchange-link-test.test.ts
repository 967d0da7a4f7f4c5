import t from 'tap';
import { BoxDouble } from './box-double.js';
import { CAUSE, iam, rel } from './exchange-messages.js';

const T1 = 1_000;
const T2 = 5_000;
const settings = (required: boolean) => ({ linkTest: { required, periodMs: T2, timeoutMs: T1, slc: 2 } });
const pattern = (...bytes: number[]) => Uint8Array.from(bytes);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

t.test("the box's SLTM is answered at once with the same SLC and pattern, in both variants", async (t) => {
  for (const config of [{}, { variant: 'china', pointCode: '1-2-3', peerPointCode: '1-2-4' }]) {
    const box = new BoxDouble({ config });
    box.answerLinkTests = false;
    box.linkUp();
    box.linkTests.length = 0;
    box.sendLinkTest({ type: 'SLTM', slc: 7, pattern: pattern(0xde, 0xad, 0xbe, 0xef, 1) });
    t.same(
      box.linkTests.map((s) => [s.at, s.test.type, s.test.slc, hex(s.test.pattern)]),
      [[0, 'SLTA', 7, 'deadbeef01']],
      `${config.variant ?? 'itu'}: SLTA, same SLC and pattern, no delay`,
    );
    t.equal(box.exchange.summary().linkTest.sltmAnswered, 1);
  }
});

t.test('an SLTM not for us is not answered', async (t) => {
  const box = new BoxDouble();
  box.answerLinkTests = false;
  box.linkUp();
  box.linkTests.length = 0;
  box.sendLinkTest({ type: 'SLTM', slc: 0, pattern: pattern(1) }, { dpc: 2001 });
  box.sendLinkTest({ type: 'SLTM', slc: 0, pattern: pattern(1) }, { ni: 'international' });
  t.same(box.linkTests, []);
  t.equal(box.exchange.summary().counters.wrongRoute, 2);
});

t.test('its own test: SLTM when the link comes into service, then every T2 while answered', async (t) => {
  const box = new BoxDouble({ config: settings(true) });
  box.answerLinkTests = true;
  box.linkUp();
  const sltms = () => box.linkTests.filter((s) => s.test.type === 'SLTM');
  t.same(
    sltms().map((s) => [s.at, s.test.slc]),
    [[0, 2]],
    'at once, with its SLC',
  );
  t.same(box.trace(), ['GRS 1'], 'answered, so ISUP starts: the group is reset');
  box.advance(3 * T2);
  t.same(
    sltms().map((s) => s.at),
    [0, T2, 2 * T2, 3 * T2],
    'every T2',
  );
  t.equal(new Set(sltms().map((s) => hex(s.test.pattern))).size, 4, 'a new pattern each time');
  t.match(box.exchange.summary().linkTest, { required: true, state: 'passed', isupAvailable: true, sltmSent: 4, passed: 4, timedOut: 0, failures: 0, lastPassedAt: 3 * T2 });
});

t.test('required: no ISUP before the first test passes; a wrong SLTA passes nothing', async (t) => {
  const box = new BoxDouble({ config: settings(true) });
  box.answerLinkTests = false;
  box.linkUp();
  const [sltm] = box.linkTests;
  t.same(box.trace(), [], 'no GRS yet');
  t.match(box.exchange.summary(), { readyCircuits: 0, linkTest: { state: 'testing', isupAvailable: false } });
  t.throws(() => box.exchange.resetAll(), { code: 'conflict', message: /link 0 has not passed its signalling link test \(the box must answer SLTM with SLTA\), so the exchange cannot send GRS/ });
  box.send(rel(5, CAUSE.normalClearing));
  t.same(box.trace(), [], 'ISUP from the box is not taken either');
  t.equal(box.exchange.summary().counters.isupHeld, 1);

  box.sendLinkTest({ type: 'SLTA', slc: 2, pattern: pattern(9, 9, 9, 9) });
  box.sendLinkTest({ type: 'SLTA', slc: 3, pattern: sltm!.test.pattern });
  t.same(box.trace(), [], 'wrong pattern, wrong SLC: still no ISUP');
  t.equal(box.exchange.summary().linkTest.badSlta, 2);
  box.advance(T1 / 2);
  box.sendLinkTest({ type: 'SLTA', slc: 2, pattern: sltm!.test.pattern });
  t.same(box.trace(), ['GRS 1'], 'the right SLTA within T1: ISUP starts with the group reset');
  t.match(box.exchange.summary().linkTest, { state: 'passed', isupAvailable: true, passed: 1, badSlta: 2 });
});

t.test('required: two failed tests stop ISUP as a link failure would; a later pass starts it again', async (t) => {
  const box = new BoxDouble({ config: { ...settings(true), holdSeconds: 3600 } });
  box.answerLinkTests = true;
  box.ready();
  box.send({ type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } });
  box.send(iam(3, '95598', '13800138000'));
  box.advance(1000);
  t.equal(box.exchange.summary().counts.incoming, 1, 'a call is up');

  box.answerLinkTests = false;
  box.clear();
  box.linkTests.length = 0;
  box.advance(T2 - 1000 + T1 - 1);
  t.match(box.exchange.summary().linkTest, { timedOut: 0 }, 'T1 has not run out yet');
  box.advance(1);
  t.same(
    box.linkTests.map((s) => s.at - box.linkTests[0]!.at),
    [0, T1],
    'the first failure is tested again at once',
  );
  t.equal(box.exchange.summary().linkTest.isupAvailable, true, 'one failed test stops nothing');
  box.advance(T1);
  t.match(box.exchange.summary(), { readyCircuits: 0, linkTest: { state: 'failed', isupAvailable: false, timedOut: 2, failures: 1 }, counts: { incoming: 0 } });
  t.match(box.exchange.summary().counters.incomingFailed, { 'link-test': 1 }, 'the call went with the link');
  box.send(rel(3, CAUSE.normalClearing));
  t.same(box.trace(), [], 'and ISUP is held: no RLC');

  box.answerLinkTests = true;
  box.advance(T2);
  t.same(box.trace(), ['GRS 1'], 'the next test (after T2) passes: reset again');
  t.match(box.exchange.summary().linkTest, { state: 'passed', isupAvailable: true, failures: 1 });
});

t.test('not required: tests and counts failures, but ISUP goes on', async (t) => {
  const box = new BoxDouble({ config: settings(false) });
  box.answerLinkTests = false;
  box.linkUp();
  t.same(box.trace(), ['GRS 1'], 'GRS at once, beside the first SLTM');
  t.equal(box.linkTests[0]?.test.type, 'SLTM');
  box.advance(2 * T1);
  t.match(box.exchange.summary().linkTest, { required: false, state: 'failed', isupAvailable: true, failures: 1 });
  box.send({ type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: new Array<boolean>(30).fill(false) } });
  t.equal(box.exchange.summary().readyCircuits, 30, 'circuits ready all the same');
  box.advance(T2 + 2 * T1);
  t.match(box.exchange.summary().linkTest, { sltmSent: 4, failures: 2 }, 'and it keeps testing every T2');
});

t.test('an SLTA after T1 passes nothing; a link failure stops the tests', async (t) => {
  const box = new BoxDouble({ config: settings(true) });
  box.answerLinkTests = false;
  box.linkUp();
  const first = box.linkTests[0]!.test;
  box.advance(T1);
  box.sendLinkTest({ type: 'SLTA', slc: 2, pattern: first.pattern });
  t.match(box.exchange.summary().linkTest, { passed: 0, badSlta: 1, isupAvailable: false }, 'the late answer is for a test already failed');
  box.linkDown();
  t.match(box.exchange.summary().linkTest, { state: 'stopped', isupAvailable: false });
  box.linkTests.length = 0;
  box.advance(10 * T2);
  t.same(box.linkTests, [], 'nothing sent while the link is down');
});
