// A real SIP phone (SIPp) dials the login feature code at the box's SIP service over loopback:
// digest challenge, INVITE with credentials, 200 with an SDP answer holding the stream
// inactive, ACK, and the box's BYE. The firmware's handler is wired elsewhere; here a real
// handler that records what it is asked stands in for it, on a SipService of its own.
// SIPp signs its digest over sip:<box>:<port>, never the Request-URI (see
// test/peers/sipp/feature-code.xml), so the test computes the credentials SIPp sends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { freeUdpPort } from '../../firmware-ts/test-support/free-udp-port.js';
import { SipPhone, status } from '../../firmware-ts/test-support/sip-phone.js';
import { authorization, challengesOf, registerText } from '../../firmware-ts/test-support/sip-register.js';
import { AGENTS, SIP_DEFAULTS } from '../../firmware-ts/test-support/sip-service-rig.js';
import type { FeatureAction } from '../../firmware-ts/src/sip/feature-codes.js';
import { SipService } from '../../firmware-ts/src/sip/sip-service.js';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';
import { runSipp } from '../peers/sipp-agent.js';

requireTool('sipp', 'the SIP feature code bench test');

t.test('a SIPp phone dials *21: challenged, answered with no media, hung up by the box; alice is logged in', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'countyline-feature-codes-'));
  const service = new SipService({
    config: { sip: { ...SIP_DEFAULTS, realm: 'bench.test' }, agents: AGENTS },
    logger: pino({ level: 'info' }, pino.destination({ dest: join(dir, 'sip.log'), sync: true })),
  });
  const seen: Array<[string, FeatureAction]> = [];
  service.setFeatureCodeHandler((user, action) => {
    seen.push([user, action]);
    return { ok: true };
  });
  const registry = new Registry();
  service.registerMetrics(registry);
  let stopSipp = () => {};
  const phone = await SipPhone.open();
  t.teardown(async () => {
    stopSipp();
    await phone.close();
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await service.start();

  // A nonce from the box (any challenge: nonces are not tied to a request), and alice's
  // credentials for the INVITE SIPp will send.
  await phone.send(registerText(phone, { user: 'alice', password: '' }, 1), service.port);
  const challenge = challengesOf((await phone.next(status(401))).text).find((c) => c.algorithm === 'SHA-256')!;
  const credentials = authorization({ user: 'alice', password: 'wonderland' }, challenge, 'INVITE', `sip:*21@127.0.0.1:${service.port}`);

  const run = runSipp({ scenario: 'feature-code', box: { host: '127.0.0.1', port: service.port }, port: await freeUdpPort(), user: 'alice', dir, timeoutS: 30, keys: { dialled: '*21', authorization: credentials } });
  stopSipp = run.stop;
  const { code, output } = await run.result;
  t.equal(code, 0, `SIPp's scenario passed (exit 0)${code === 0 ? '' : `\n${output.slice(-2000)}\n${await run.messages()}`}`);
  t.same(seen, [['alice', 'login']], 'the handler was asked once, for alice, to log in');
  t.match(await registry.metrics(), /\ncountyline_sip_feature_codes_total\{action="login",result="ok"\} 1\n/);
});
