// Two real SIP user agents (SIPp) register with digest at the real firmware process, and
// `countyline agents --json` shows both; a wrong password is challenged again and counted in
// countyline_sip_login_failed_total.
import t, { type Test } from 'tap';
import { freeUdpPort } from '../../firmware-ts/test-support/free-udp-port.js';
import { requireTool, startRig, type Rig } from '../../scripts/lib/bench-rig.mjs';
import { runSipp } from '../peers/sipp-agent.js';

const AGENTS = [
  { user: 'alice', password: 'wonderland', name: 'Alice' },
  { user: 'wangwei', password: 'builder-42', name: '王伟' },
];

requireTool('sipp', 'the SIP registration bench test');

/** The firmware with agents on a free SIP port; another port if one was taken meanwhile. */
async function sipRig(): Promise<{ rig: Rig; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    try {
      // SIPp 3.6 reads only the first challenge and speaks only MD5: offer MD5 first.
      const rig = await startRig({ config: { agents: AGENTS, sip: { port, bind: '127.0.0.1', address: '127.0.0.1', realm: 'bench.test', digestAlgorithms: ['MD5', 'SHA-256'] } } });
      if (!/EADDRINUSE/.test(rig.fullLog('firmware'))) return { rig, port };
      await rig.stop();
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** Runs one SIPp registration scenario from a free port to its end: its exit code and output. */
async function sipp(t: Test, rig: Rig, port: number, scenario: 'register' | 'register-refused', user: string, password: string) {
  const run = runSipp({ scenario, box: { host: '127.0.0.1', port }, port: await freeUdpPort(), user, password, dir: rig.dir, timeoutS: 30 });
  t.teardown(() => run.stop());
  return run.result;
}

t.test('two SIPp phones register with digest; a wrong password is challenged again and counted', async (t) => {
  const { rig, port } = await sipRig();
  t.teardown(() => rig.stop());

  const [a, b] = await Promise.all([sipp(t, rig, port, 'register', 'alice', 'wonderland'), sipp(t, rig, port, 'register', 'wangwei', 'builder-42')]);
  t.equal(a.code, 0, `alice registered (SIPp exit 0)${a.code === 0 ? '' : `\n${a.output.slice(-2000)}`}`);
  t.equal(b.code, 0, `wangwei registered (SIPp exit 0)${b.code === 0 ? '' : `\n${b.output.slice(-2000)}`}`);

  const agents = await rig.json(['agents']);
  t.match(agents, [
    { user: 'alice', name: 'Alice', registered: true, contact: /^sip:alice@127\.0\.0\.1:\d+$/, reachable: true, busy: false },
    { user: 'wangwei', name: '王伟', registered: true, contact: /^sip:wangwei@127\.0\.0\.1:\d+$/, reachable: true, busy: false },
  ]);

  const wrong = await sipp(t, rig, port, 'register-refused', 'alice', 'not-the-password');
  t.equal(wrong.code, 0, `a wrong password gets 401 again${wrong.code === 0 ? '' : `\n${wrong.output.slice(-2000)}`}`);
  const { stdout } = await rig.cli(['metrics'], 0);
  t.match(stdout, /\ncountyline_sip_login_failed_total\{reason="wrong-password"\} 1\n/);
  t.match(stdout, /\ncountyline_sip_agents_registered 2\n/);

  const table = await rig.cli(['agents', '--lang', 'zh'], 0);
  t.match(table.stdout, /^用户名 +姓名 +已注册 +联系地址 +可达 +通话中\n/);
  t.match(table.stdout, /\nwangwei +王伟 +是 +sip:wangwei@127\.0\.0\.1:\d+ +是 +否\n?/);
});
