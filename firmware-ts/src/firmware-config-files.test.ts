import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { parseConfig } from './config/load-config.js';
import { CountylineError, EXIT } from './errors.js';
import { Firmware } from './firmware.js';

// A central.caFile the firmware cannot read is a config error at start, before anything runs,
// not a telemetry failure later (nor, as once, an unhandled rejection ending the process).

async function firmwareWith(t: Test, caFile: string) {
  const dir = await mkdtemp(join(tmpdir(), 'cl-fw-files-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = parseConfig(
    { card: { path: join(dir, 'no-card') }, dataDir: 'data', control: { socket: 'control.sock' }, central: { url: 'mqtts://central.invalid:8883', boxId: 'box-1', password: 'pw', caFile } },
    join(dir, 'config.json'),
  );
  const fw = new Firmware(config, pino({ level: 'silent' }), { controlSocket: false });
  t.teardown(() => fw.stop());
  return { dir, fw };
}

t.test('an unreadable central.caFile stops the start with a config error, before anything runs', async (t) => {
  const { dir, fw } = await firmwareWith(t, 'missing-ca.pem');
  const err = await fw.start().then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof CountylineError, 'a coded error');
  const e = err as CountylineError<'ca-file-unreadable'>;
  t.equal(e.code, 'ca-file-unreadable');
  t.equal(e.exitCode, EXIT.usage, 'exit 2, as a bad config');
  t.equal(e.text('en'), `central.caFile ${join(dir, 'missing-ca.pem')} cannot be read (ENOENT); put there the PEM of the CA that signed central's broker certificate, readable by the firmware, or remove central.caFile to use the system's CAs`);
  t.match(e.text('zh'), /^central\.caFile 指定的文件 .*missing-ca\.pem 无法读取 \(ENOENT\)/);
  await t.rejects(stat(join(dir, 'data')), { code: 'ENOENT' }, 'nothing ran: not even the data folder was made');
});

t.test('a folder given as central.caFile is refused the same way', async (t) => {
  const { fw } = await firmwareWith(t, '.');
  await t.rejects(fw.start(), { code: 'ca-file-unreadable', message: /\(EISDIR\)/ });
});

t.test('a readable central.caFile lets the firmware start', async (t) => {
  const { dir, fw } = await firmwareWith(t, 'ca.pem');
  await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  await fw.start();
  t.ok((await stat(join(dir, 'data'))).isDirectory(), 'started: the data folder is there');
});
