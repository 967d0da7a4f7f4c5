import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { apiRig } from '../../test-support/api-test-app.js';
import { verifyPassword } from '../auth/secrets.js';
// The box's side of enrolment, run against this API over real HTTP: both ends agree on the
// route, the answer and the refusal codes.
import { provision } from '../../../firmware-ts/src/config/provision.js';

t.test('countyline provision against the API: credentials once, then used; expired tokens refused', async (t) => {
  const rig = await apiRig(t);
  const address = await rig.app.listen({ port: 0, host: '127.0.0.1' });
  const dir = await mkdtemp(join(tmpdir(), 'enrol-provision-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, '{"card": {"path": "/dev/ttyS1"}}\n');

  const created = (await rig.app.inject({ method: 'POST', url: '/api/v1/boxes', headers: rig.as('admin'), payload: { id: 'north-1', site: 'north', name: 'North 1' } })).json();
  const done = await provision({ central: address, token: created.enrolmentToken, configPath });
  t.same(done, { boxId: 'north-1', mqttUrl: 'mqtt://central.example:1883', configPath, caFile: null });
  const central = JSON.parse(await readFile(configPath, 'utf8')).central;
  t.match(central, { url: 'mqtt://central.example:1883', boxId: 'north-1' });
  t.ok(await verifyPassword(central.password, (await rig.store.boxCredential('north-1'))!), 'the password written is the one central checks');

  await t.rejects(provision({ central: address, token: created.enrolmentToken, configPath }), { code: 'enrolment-used' });
  await t.rejects(provision({ central: address, token: 'guessed', configPath }), { code: 'enrolment-unknown' });
  const renewed = (await rig.app.inject({ method: 'POST', url: '/api/v1/boxes/north-1/enrolment', headers: rig.as('admin') })).json();
  rig.clock.time = renewed.expiresAt + 1;
  await t.rejects(provision({ central: address, token: renewed.enrolmentToken, configPath }), { code: 'enrolment-expired' });
  t.equal(JSON.parse(await readFile(configPath, 'utf8')).central.password, central.password, 'refusals leave the config as it was');
});
