import { TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import type { AgentCallEvents } from '../calls/call-ports.js';
import { CentreUnreachableError, SipCentreTrunk, hostPort } from './centre-trunk.js';
import type { Peer } from './sip-endpoint.js';

const silent = pino({ level: 'silent' });
const request = { callerNumber: '13800000001', localMedia: { address: '127.0.0.1', port: 20000 }, ringTimeoutMs: 30_000 };

/** The SIP service's `callUri`, recording where each call went. */
function fakeSip() {
  const placed: { uri: string; target: Peer }[] = [];
  const legs: TypedEmitter<AgentCallEvents>[] = [];
  return {
    placed,
    legs,
    callUri(uri: string, target: Peer) {
      placed.push({ uri, target });
      const leg = Object.assign(new TypedEmitter<AgentCallEvents>(), { hangUp() {} });
      legs.push(leg);
      return leg as never;
    },
  };
}

t.test('host and port of the trunk URI: 5060 unless given', async (t) => {
  t.same(hostPort('sip:12345@10.20.0.5'), { host: '10.20.0.5', port: 5060 });
  t.same(hostPort('sip:12345@centre.example:5070'), { host: 'centre.example', port: 5070 });
  t.throws(() => hostPort('sip:12345@10.20.0.5:70000'), CentreUnreachableError);
});

t.test('an address needs no look-up: the INVITE goes to it at once', async (t) => {
  const sip = fakeSip();
  const trunk = new SipCentreTrunk('sip:12345@127.0.0.1:5070', sip, silent);
  trunk.call(request);
  t.same(sip.placed, [{ uri: 'sip:12345@127.0.0.1:5070', target: { address: '127.0.0.1', port: 5070 } }]);
});

t.test('a host name is looked up; until it is found the call fails at once, so the office keeps it', async (t) => {
  const sip = fakeSip();
  const found = new SipCentreTrunk('sip:12345@localhost:5070', sip, silent);
  await found.ready();
  found.call(request);
  t.same(sip.placed, [{ uri: 'sip:12345@localhost:5070', target: { address: '127.0.0.1', port: 5070 } }]);

  const lost = new SipCentreTrunk('sip:12345@no-such-host.invalid', sip, silent);
  await lost.ready();
  t.throws(() => lost.call(request), { name: 'CentreUnreachableError', message: /no-such-host\.invalid has not been found/ });
  t.equal(sip.placed.length, 1, 'no INVITE for a host not found');
});
