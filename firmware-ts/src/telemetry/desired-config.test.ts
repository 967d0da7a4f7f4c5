import t from 'tap';
import { parseConfig } from '../config/load-config.js';
import { judgeDesiredConfig, mergePatch, type ConfigChange, type DesiredContext } from './desired-config.js';

const PATH = '/etc/countyline/config.json';
const onDisk = { card: { path: '/dev/ttyS1' }, dataDir: '/var/lib/countyline', control: { socket: '/run/countyline.sock' }, calls: { ringTimeoutMs: 25_000 } };
const running = parseConfig(onDisk, PATH);
const ctx = (over: Partial<DesiredContext> = {}): DesiredContext => ({ running, file: { path: PATH, raw: structuredClone(onDisk) }, rolledBack: null, ...over });
const desired = (config: unknown, revision = 4) => Buffer.from(JSON.stringify({ v: 1, ts: 1, revision, config }));

t.test('merge patch (RFC 7386): objects merge, null deletes, arrays and scalars replace', async (t) => {
  t.same(mergePatch({ a: { b: 1, c: 2 }, d: [1, 2], e: 1 }, { a: { b: null, x: 3 }, d: [3], e: null, f: { g: 1 } }), { a: { c: 2, x: 3 }, d: [3], f: { g: 1 } });
  t.same(mergePatch({ a: 1 }, { a: { b: 2 } }), { a: { b: 2 } }, 'an object replaces a scalar');
});

t.test('a config that fails the checks is refused with the reasons', async (t) => {
  t.same(judgeDesiredConfig(ctx(), desired({ calls: { ringTimeoutMs: 10 } })), { report: { revision: 4, applied: false, errors: ['calls.ringTimeoutMs: expected integer to be greater or equal to 1000 (got 10)'] } });
  const r = judgeDesiredConfig(ctx(), desired({ calls: { ringTimeoutMs: 10 }, nosuch: 1 }));
  t.match(r, { report: { applied: false } });
  const errors = (r as { report: { errors: string[] } }).report.errors.join('\n');
  t.match(errors, /calls\.ringTimeoutMs/);
  t.match(errors, /nosuch/);
});

t.test('a valid change is to be applied: the patched file, its checked config and the sections changed', async (t) => {
  const r = judgeDesiredConfig(ctx(), desired({ calls: { ringTimeoutMs: 30_000 } }));
  t.ok(r && 'apply' in r);
  const change = (r as { apply: ConfigChange }).apply;
  t.equal(change.revision, 4);
  t.same(change.raw, { ...onDisk, calls: { ringTimeoutMs: 30_000 } }, 'the file keeps its own keys; defaults are not written into it');
  t.equal(change.config.calls.ringTimeoutMs, 30_000);
  t.same(change.changed, ['calls']);
});

t.test('null removes a key from the file: back to its default', async (t) => {
  const r = judgeDesiredConfig(ctx(), desired({ calls: { ringTimeoutMs: null } }));
  const change = (r as { apply: ConfigChange }).apply;
  t.same(change.raw.calls, {});
  t.equal(change.config.calls.ringTimeoutMs, parseConfig({ ...onDisk, calls: {} }, PATH).calls.ringTimeoutMs);
});

t.test('a config that changes nothing is applied as it stands', async (t) => {
  t.same(judgeDesiredConfig(ctx(), desired({ calls: { ringTimeoutMs: 25_000 } })), { report: { revision: 4, applied: true, errors: [] } });
});

t.test('the link to central, the data folder and the control socket are for the box alone', async (t) => {
  const r = judgeDesiredConfig(ctx(), desired({ central: { url: 'mqtt://elsewhere' }, dataDir: '/tmp', calls: { ringTimeoutMs: 30_000 } }));
  t.match(r, { report: { revision: 4, applied: false, errors: [/^central: set on the box only/, /^dataDir: set on the box only/] } });
});

t.test('the revision rolled back before is refused again, with the reason it failed', async (t) => {
  const rolledBack = { revision: 4, reason: 'sip: listen EADDRINUSE 0.0.0.0:5060', at: 1 };
  t.match(judgeDesiredConfig(ctx({ rolledBack }), desired({ calls: { ringTimeoutMs: 30_000 } })), { report: { applied: false, errors: [/revision 4 was applied and rolled back: sip: listen EADDRINUSE/] } });
  t.ok('apply' in judgeDesiredConfig(ctx({ rolledBack }), desired({ calls: { ringTimeoutMs: 30_000 } }, 5))!, 'a newer revision is tried');
});

t.test('without a config file to rewrite a change is refused, saying why; nothing changed', async (t) => {
  t.match(judgeDesiredConfig(ctx({ file: null }), desired({ calls: { ringTimeoutMs: 30_000 } })), { report: { applied: false, errors: [/runs without a config file.*nothing changed \(changed: calls\)/] } });
  t.match(judgeDesiredConfig(ctx({ file: null, fileError: 'EACCES' }), desired({ calls: { ringTimeoutMs: 30_000 } })), { report: { applied: false, errors: [/cannot read its config file back \(EACCES\)/] } });
});

t.test('a message without a revision cannot be answered; a bad header is refused', async (t) => {
  t.equal(judgeDesiredConfig(ctx(), Buffer.from('{')), null);
  t.equal(judgeDesiredConfig(ctx(), Buffer.from('{"v":1}')), null);
  t.match(judgeDesiredConfig(ctx(), Buffer.from('{"v":2,"ts":1,"revision":3,"config":{}}')), { report: { revision: 3, applied: false, errors: [/\/v/] } });
});

t.test('a __proto__ key is an unknown key like any other, refused; no prototype is changed', async (t) => {
  const r = judgeDesiredConfig(ctx(), Buffer.from('{"v":1,"ts":1,"revision":6,"config":{"__proto__":{"calls":{"ringTimeoutMs":30000}}}}'));
  t.match(r, { report: { revision: 6, applied: false, errors: [/__proto__: unknown key/] } });
  t.equal(Object.getPrototypeOf(mergePatch({}, JSON.parse('{"__proto__":{"a":1}}'))), Object.prototype);
});
