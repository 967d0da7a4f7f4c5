import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { callFirmware, ControlClientError } from './control-client.js';
import { ControlError, ControlServer } from './control-server.js';

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-control-'));
  const path = join(dir, 'sock');
  const server = new ControlServer(
    path,
    {
      echo: (params) => params,
      refuse: () => {
        throw new ControlError('no-card', 'card is not up');
      },
      crash: () => {
        throw new Error('internal');
      },
    },
    pino({ level: 'silent' }),
  );
  await server.listen();
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { path, server };
}

t.test('requests get their results; errors keep their code', async (t) => {
  const { path } = await setup(t);
  t.same(await callFirmware(path, 'echo', { a: 1 }), { a: 1 });
  const refused = (await callFirmware(path, 'refuse').catch((e) => e)) as ControlClientError;
  t.equal(refused.code, 'remote');
  t.equal(refused.remoteCode, 'no-card');
  t.equal(refused.message, 'card is not up');
  const unknown = (await callFirmware(path, 'nope').catch((e) => e)) as ControlClientError;
  t.equal(unknown.remoteCode, 'unknown-method');
  t.match(unknown.message, /known: echo, refuse, crash/);
  t.equal(((await callFirmware(path, 'crash').catch((e) => e)) as ControlClientError).remoteCode, 'failed');
});

t.test('garbage on the socket is answered with an error and the server keeps serving', async (t) => {
  const { path, server } = await setup(t);
  const reply = await new Promise<string>((resolve) => {
    const s = createConnection(path);
    s.setEncoding('utf8');
    s.on('connect', () => s.write('this is not json\n'));
    s.on('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
  });
  t.match(JSON.parse(reply), { error: { code: 'bad-request' } });
  t.equal(server.requestErrors, 1);
  t.same(await callFirmware(path, 'echo', { still: 'ok' }), { still: 'ok' });
});

t.test('no firmware: the client says not-running', async (t) => {
  const err = (await callFirmware('/nonexistent/countyline.sock', 'status').catch((e) => e)) as ControlClientError;
  t.equal(err.code, 'not-running');
});

t.test('a second server on a live socket refuses to start; a stale socket file is replaced', async (t) => {
  const { path } = await setup(t);
  const second = new ControlServer(path, {}, pino({ level: 'silent' }));
  await t.rejects(second.listen(), /another countyline firmware is already running/);
});
