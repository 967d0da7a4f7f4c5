import t from 'tap';
import { method } from '../../test-support/sip-phone.js';
import { register } from '../../test-support/sip-register.js';
import { sipRig } from '../../test-support/sip-service-rig.js';

const answer = (text: string, code: string) => text.split('\r\n\r\n')[0]!.replace(/^OPTIONS [^\r]*/, `SIP/2.0 ${code}`).replace(/\r\nContent-Length: \d+/i, '') + '\r\nContent-Length: 0\r\n\r\n';

t.test('OPTIONS every keepAliveMs; two unanswered make the phone unreachable; any answer brings it back', async (t) => {
  const { phone, port, service, clock } = await sipRig(t, { keepAliveMs: 5000, keepAliveFailures: 2 });
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland' })).status, 200);
  const events: string[] = [];
  service.agents.on('unavailable', (a) => events.push(`-${a.user}`));
  service.agents.on('available', (a) => events.push(`+${a.user}`));

  clock.advance(5000);
  const first = await phone.next(method('OPTIONS'));
  t.match(first.text, new RegExp(`^OPTIONS sip:alice@127.0.0.1:${phone.port} SIP/2.0\r\n`));
  clock.advance(5000); // no answer: the transaction times out with the round (miss 1), next OPTIONS goes out
  t.equal(service.agents.get('alice')!.reachable, true, 'one miss is not enough');
  const second = await phone.next((m) => m.method === 'OPTIONS' && m.headers['call-id'] !== first.message.headers['call-id']);
  clock.advance(5000); // miss 2
  t.equal(service.agents.get('alice')!.reachable, false);
  t.same(service.agents.available(), [], 'not offered calls');
  t.same(events, ['-alice']);

  // Even a 404 is an answer: the phone is there.
  // The inbox also holds Timer E retransmissions of the first two rounds: pick the third round's by its Call-ID.
  const earlier = new Set([first.message.headers['call-id'], second.message.headers['call-id']]);
  const third = await phone.next((m) => m.method === 'OPTIONS' && !earlier.has(m.headers['call-id']));
  await phone.send(answer(third.text, '404 Not Found'), port);
  const end = Date.now() + 3000;
  while (!service.agents.get('alice')!.reachable && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  t.equal(service.agents.get('alice')!.reachable, true);
  t.same(events, ['-alice', '+alice']);
});

t.test('a new REGISTER makes an unreachable phone reachable again', async (t) => {
  const { phone, port, service, clock } = await sipRig(t, { keepAliveMs: 5000, keepAliveFailures: 1 });
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland' })).status, 200);
  clock.advance(5000);
  await phone.next(method('OPTIONS'));
  clock.advance(5000);
  t.equal(service.agents.get('alice')!.reachable, false);
  t.equal((await register(phone, port, { user: 'alice', password: 'wonderland', cseq: 10 })).status, 200);
  t.equal(service.agents.get('alice')!.reachable, true);
});
