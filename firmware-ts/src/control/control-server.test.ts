import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { inProcessFirmware, ISUP_CONFIG } from '../../test-support/in-process-firmware.js';
import { CountylineError, RemoteError } from '../errors.js';
import { socketConnection } from './control-client.js';
import { ControlDispatcher } from './control-dispatcher.js';
import { ControlServer, type RequestRunner } from './control-server.js';

// The control socket as the CLI meets it: the in-process firmware behind a real unix socket
// in a temp dir, and the CLI's client in front.

async function socketDir(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-control-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'control.sock');
}

async function serve(t: Test, path: string, runner: RequestRunner) {
  const garbage: string[] = [];
  const server = new ControlServer(path, runner, pino({ level: 'silent' }), (code) => garbage.push(code));
  await server.listen();
  t.teardown(() => server.close());
  return { server, garbage };
}

/** Writes raw lines to the socket and collects the answers until `count` lines came. */
function raw(path: string, text: string, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let got = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(text));
    s.on('error', reject);
    s.on('data', (d: string) => {
      got += d;
      const lines = got.split('\n').filter(Boolean);
      if (lines.length >= count) {
        s.destroy();
        resolve(lines.map((l) => JSON.parse(l)));
      }
    });
  });
}

t.test('a firmware behind the socket: typed results, progress lines, coded errors', async (t) => {
  const r = await inProcessFirmware(t, { config: { isup: ISUP_CONFIG } });
  const path = await socketDir(t);
  // The firmware's own dispatcher, reached as the socket server reaches it.
  await serve(t, path, { dispatch: (method, params, onProgress) => r.fw.handle(method as 'status', params as object, onProgress) });
  const client = socketConnection(path, '/etc/countyline/config.json');

  // Real time for the socket, fake time for the firmware: keep the fake clock going.
  let ticking = true;
  void (async () => {
    while (ticking) await r.rig.run(10);
  })();
  t.teardown(() => void (ticking = false));

  const status = await client.call('status', {});
  t.equal(status.card.link, 'up');
  t.equal(status.isup?.circuits.total, 30);

  const progress: unknown[] = [];
  const tested = await client.call('test-call', { circuit: 'fxo/0' }, { onProgress: (p) => progress.push(p) });
  t.equal(tested.outcomes[0]!.circuit, 'fxo/0');
  t.same(progress[0], { total: 1 });

  const refused = await client.call('block', { cic: 77 }).catch((e: unknown) => e);
  t.ok(refused instanceof CountylineError, 'a coded error the CLI knows');
  t.equal((refused as CountylineError).code, 'no-cic');
  t.equal((refused as CountylineError).text('zh'), 'CIC 77 不在电路群内 (CIC 1 至 30); 请查看 countyline circuits');
});

t.test('garbage on the socket is answered, counted, and the server keeps serving', async (t) => {
  const path = await socketDir(t);
  const dispatcher = new ControlDispatcher({ status: () => ({}) } as never, pino({ level: 'silent' }));
  const { garbage } = await serve(t, path, { dispatch: (m, p, onProgress) => (m === 'echo' ? Promise.resolve(p) : dispatcher.dispatch(m, p, onProgress)) });
  const answers = await raw(path, 'this is not json\n[1,2]\n{"id": 7, "method": "reboot"}\n{"id": 8, "method": "echo", "params": {"still": "ok"}}\n', 4);
  t.match(answers[0], { id: null, error: { code: 'bad-request', message: /not JSON/ } });
  t.match(answers[1], { id: null, error: { code: 'bad-request', message: /not a JSON object/ } });
  t.match(answers[2], { id: 7, error: { code: 'unknown-method', args: { method: 'reboot' } } });
  t.same(answers[3], { id: 8, result: { still: 'ok' } });
  t.same(garbage, ['bad-request', 'bad-request'], 'both unreadable lines counted');

  const long = await raw(path, 'x'.repeat(70 * 1024), 1);
  t.match(long[0], { error: { code: 'too-long', args: { limit: 65536 } } });
});

t.test('an answer that does not fit the schema is a bad answer, not a crash later', async (t) => {
  const path = await socketDir(t);
  await serve(t, path, { dispatch: async () => ({ card: 'up' }) });
  const err = await socketConnection(path, 'c.json').call('status', {}).catch((e: unknown) => e);
  t.ok(err instanceof CountylineError);
  t.equal((err as CountylineError).code, 'bad-answer');
  t.match((err as CountylineError).message, /answer to status is not what this CLI expects \(\/firmware: Expected required property\)/);
});

t.test('an error code from a newer firmware keeps its English message', async (t) => {
  const path = await socketDir(t);
  await serve(t, path, {
    dispatch: async () => {
      throw Object.assign(new CountylineError('internal', { detail: 'x' }), { toWire: () => ({ code: 'quantum-flux', message: 'the flux is out of range' }) });
    },
  });
  const err = await socketConnection(path, 'c.json').call('status', {}).catch((e: unknown) => e);
  t.ok(err instanceof RemoteError);
  t.equal((err as RemoteError).code, 'quantum-flux');
  t.equal((err as RemoteError).message, 'the flux is out of range');
});

t.test('no firmware: not-running, naming the socket and the config', async (t) => {
  const path = await socketDir(t);
  const err = await socketConnection(path, '/etc/cl.json').call('status', {}).catch((e: unknown) => e);
  t.equal((err as CountylineError).code, 'not-running');
  t.equal((err as CountylineError).exitCode, 3);
  t.match((err as CountylineError).message, /no answer on .*control\.sock\)\. Start it with: countyline run --config \/etc\/cl.json/);
  await writeFile(path, 'not a socket');
  t.equal(((await socketConnection(path, 'c').call('status', {}).catch((e: unknown) => e)) as CountylineError).code, 'not-running', 'a plain file where the socket should be');
});

t.test('a second server on a live socket refuses to start; a stale socket file is replaced', async (t) => {
  const path = await socketDir(t);
  const runner: RequestRunner = { dispatch: async () => 'first' };
  const first = await serve(t, path, runner);
  const second = new ControlServer(path, runner, pino({ level: 'silent' }));
  const err = await second.listen().catch((e: unknown) => e);
  t.equal((err as CountylineError).code, 'socket-in-use');
  await first.server.close();
  // A firmware that died leaves its socket file behind (a close unlinks it; a crash does
  // not): nothing answers there, and the next firmware takes the path over.
  await writeFile(path, '');
  const third = new ControlServer(path, { dispatch: async () => 'third' }, pino({ level: 'silent' }));
  await third.listen();
  t.teardown(() => third.close());
  t.same(await raw(path, '{"id":1,"method":"status"}\n', 1), [{ id: 1, result: 'third' }]);
});
