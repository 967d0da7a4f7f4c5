import t, { type Test } from 'tap';
import type { Socket } from 'node:dgram';
import { RtpPorts, RtpPortsExhaustedError } from './rtp-ports.js';
import { bindUdp } from './udp-bind.js';

// Real sockets on 127.0.0.1. Each test takes its own few ports at a random place high in the
// range, so test files running at once on the machine do not meet.
const randomBase = () => 40_000 + 2 * Math.floor(Math.random() * 10_000);

function pool(t: Test, pairs: number) {
  const min = randomBase();
  const ports = new RtpPorts({ min, max: min + 2 * pairs - 1 });
  const sockets: Socket[] = [];
  t.teardown(() =>
    sockets.forEach((s) => {
      try {
        s.close();
      } catch {
        // closed by the test
      }
    }),
  );
  const bind = (port: number) =>
    bindUdp('127.0.0.1', port).then((s) => {
      sockets.push(s);
      return s;
    });
  return { min, ports, bind, sockets };
}

t.test('even ports only, each pair once, round the range', async (t) => {
  const { min, ports, bind } = pool(t, 3);
  t.equal(ports.pairs, 3);
  const a = await ports.take(bind);
  const b = await ports.take(bind);
  t.same([a.port, b.port], [min, min + 2]);
  t.equal(ports.inUse, 2);
  a.value.close();
  a.release();
  a.release();
  t.equal(ports.inUse, 1, 'a second release does nothing');
  const c = await ports.take(bind);
  t.equal(c.port, min + 4, 'the port just freed is not the next one handed out');
  const d = await ports.take(bind);
  t.equal(d.port, min, 'once round the range, the freed port is used again');
});

t.test('odd bounds: the range is cut to whole even/odd pairs inside it', async (t) => {
  const ports = new RtpPorts({ min: 20_001, max: 20_006 });
  t.equal(ports.pairs, 2, '20002/20003 and 20004/20005; 20006 has no partner');
  t.throws(() => new RtpPorts({ min: 20_001, max: 20_002 }), /no even\/odd port pair/);
});

t.test('a port another program holds (EADDRINUSE) is skipped', async (t) => {
  const { min, ports, bind } = pool(t, 2);
  const squatter = await bindUdp('127.0.0.1', min);
  t.teardown(() => squatter.close());
  const lease = await ports.take(bind);
  t.equal(lease.port, min + 2);
});

t.test('an exhausted range is a clear error naming the range and the setting to change', async (t) => {
  const { min, ports, bind } = pool(t, 2);
  const squatter = await bindUdp('127.0.0.1', min + 2);
  t.teardown(() => squatter.close());
  await ports.take(bind);
  const err = await ports.take(bind).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, RtpPortsExhaustedError);
  t.match(err, {
    code: 'rtp-ports-exhausted',
    inUse: 1,
    busyElsewhere: 1,
    message: `no free RTP port in ${min}-${min + 3}: 1 of its 2 port pairs carry calls and 1 are held by other programs; widen media.rtpPortMin/rtpPortMax in the config or free the ports`,
  });
  t.equal(ports.inUse, 1, 'the failed attempt holds nothing');
});

t.test('other bind errors are the caller’s, and free the port', async (t) => {
  const { ports } = pool(t, 2);
  await t.rejects(
    ports.take(() => Promise.reject(Object.assign(new Error('no such address'), { code: 'EADDRNOTAVAIL' }))),
    { code: 'EADDRNOTAVAIL' },
  );
  t.equal(ports.inUse, 0);
});

t.test('two sessions opening at once get different ports', async (t) => {
  const { ports, bind } = pool(t, 2);
  const [a, b] = await Promise.all([ports.take(bind), ports.take(bind)]);
  t.not(a.port, b.port);
});
