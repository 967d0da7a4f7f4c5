import t from 'tap';
import { freeUdpPort } from '../../test-support/free-udp-port.js';
import { inProcessFirmware } from '../../test-support/in-process-firmware.js';
import { SipPhone } from '../../test-support/sip-phone.js';
import { register } from '../../test-support/sip-register.js';
import { AGENTS } from '../../test-support/sip-service-rig.js';

// The SIP side inside the whole firmware: built from the config, answering on its port, seen
// through the `agents` and `metrics` control methods.

t.test('the firmware registers agents and lists them through the agents method', async (t) => {
  const r = await inProcessFirmware(t, { config: { agents: AGENTS, sip: { port: await freeUdpPort(), bind: '127.0.0.1', address: '127.0.0.1', realm: 'box.test' } } });
  const sip = r.fw.sip!;
  t.ok(sip, 'built because agents are configured');
  const phone = await SipPhone.open();
  t.teardown(() => phone.close());
  t.equal((await register(phone, sip.port, { user: 'bob', password: 'wrong' })).status, 401);
  t.equal((await register(phone, sip.port, { user: 'bob', password: 'builder-42', cseq: 10 })).status, 200);
  t.same(await r.connection.call('agents', {}), [
    { user: 'alice', name: 'Alice', registered: false, contact: null, reachable: false, busy: false },
    { user: 'bob', name: '王伟', registered: true, contact: `sip:bob@127.0.0.1:${phone.port}`, reachable: true, busy: false },
  ]);
  const { text } = await r.connection.call('metrics', {});
  t.match(text, /\ncountyline_sip_login_failed_total\{reason="wrong-password"\} 1\n/);
  t.match(text, /\ncountyline_sip_agents_registered 1\n/);
});

t.test('without agents there is no SIP socket and the list is empty', async (t) => {
  const r = await inProcessFirmware(t);
  t.equal(r.fw.sip, null);
  t.same(await r.connection.call('agents', {}), []);
});
