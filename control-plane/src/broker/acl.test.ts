import t from 'tap';
import { decideLogin, decidePublish, decideSubscribe } from './acl.js';

t.test('login: the client id must be the user name, and a box id', async (t) => {
  t.same(decideLogin('box-a', 'box-a'), { ok: true });
  t.same(decideLogin('box-b', 'box-a'), { ok: false, reason: 'client-id-mismatch' });
  t.same(decideLogin('box-a', undefined), { ok: false, reason: 'no-credentials' });
  t.same(decideLogin('a/#', 'a/#'), { ok: false, reason: 'bad-box-id' }, 'an id with topic characters is no box id');
});

t.test('publish: only the from-box kinds under its own prefix', async (t) => {
  for (const kind of ['birth', 'status', 'alarm', 'trunks', 'kpi', 'cdr', 'event', 'cmd-result', 'config/reported']) {
    t.same(decidePublish('box-a', `cl/v1/box-a/${kind}`, false), { ok: true, kind }, kind);
  }
  t.same(decidePublish('box-a', 'cl/v1/box-b/alarm', false), { ok: false, reason: 'not-own-topic' }, "another box's alarm");
  t.same(decidePublish('box-a', 'cl/v1/box-a/cmd/rebirth', false), { ok: false, reason: 'not-a-box-topic' }, 'a command to itself');
  t.same(decidePublish('box-a', 'cl/v1/box-b/cmd/test-call', false), { ok: false, reason: 'not-own-topic' }, "a command to another box");
  t.same(decidePublish('box-a', 'cl/v1/box-a/config/desired', true), { ok: false, reason: 'not-a-box-topic' }, 'its own desired config');
  t.same(decidePublish('box-a', 'cl/v1/box-a/alarm/extra', false), { ok: false, reason: 'not-a-box-topic' });
  t.same(decidePublish('box-a', 'elsewhere', false), { ok: false, reason: 'not-a-box-topic' });
  t.same(decidePublish('box-a', '$SYS/broker/x', false), { ok: false, reason: 'sys-topic' });
});

t.test('publish: retained only for status (the birth goes through the outbox, not retained)', async (t) => {
  t.same(decidePublish('box-a', 'cl/v1/box-a/status', true), { ok: true, kind: 'status' });
  t.same(decidePublish('box-a', 'cl/v1/box-a/birth', true), { ok: false, reason: 'retain-not-allowed' });
  t.same(decidePublish('box-a', 'cl/v1/box-a/birth', false), { ok: true, kind: 'birth' });
  t.same(decidePublish('box-a', 'cl/v1/box-a/cdr', true), { ok: false, reason: 'retain-not-allowed' });
});

t.test('subscribe: its own commands and desired config, nothing wider', async (t) => {
  for (const filter of ['cl/v1/box-a/cmd/+', 'cl/v1/box-a/cmd/rebirth', 'cl/v1/box-a/config/desired']) t.same(decideSubscribe('box-a', filter), { ok: true }, filter);
  const refused: [string, string][] = [
    ['cl/v1/box-b/cmd/+', 'not-own-topic'],
    ['cl/v1/+/cmd/+', 'not-own-topic'],
    ['cl/v1/box-a/#', 'not-own-topic'],
    ['cl/v1/box-a/+/+', 'not-own-topic'],
    ['cl/v1/box-a/alarm', 'not-a-box-topic'],
    ['cl/v1/box-a/cmd/format-disk', 'not-a-box-topic'],
    ['#', 'not-a-box-topic'],
    ['$SYS/#', 'sys-topic'],
  ];
  for (const [filter, reason] of refused) t.same(decideSubscribe('box-a', filter), { ok: false, reason }, filter);
});
