// The processes of the bench job, shared by `npm start` (scripts/bench-start.mjs) and the
// scenario runner (scripts/bench-scenario.mjs): central with its data under `<dir>/central`,
// then each county office of bench-county.mjs under `<dir>/<box id>`.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCentral } from './central-rig.mjs';
import { COUNTIES, startCounty } from './bench-county.mjs';

/**
 * The job, not started (`seed`: the E1 exchange's random numbers; `talkMs`: { e1?, fxo? }, the
 * talk time of every agent of that county instead of their own): `start({ progress, onFailure })` starts central and the two offices;
 * `progress(county)` hears each office as it starts, `onFailure(err)` a part that exits on its
 * own (with its last output) before stop(). A failure while starting stops what was started
 * and throws. stop() may come at any time, also while starting (a Ctrl-C then): the start
 * goes no further. Once started: { central, offices, e1, fxo }.
 */
export function createJob({ dir, seed = 1, talkMs = {} }) {
  const job = { dir, central: null, offices: [], e1: null, fxo: null, stopping: false };
  job.stop = async () => {
    job.stopping = true;
    await Promise.all(job.offices.map((o) => o.stop()));
    await job.central?.stop();
  };
  job.start = async ({ progress = () => {}, onFailure = () => {} } = {}) => {
    const watch = (proc) => {
      proc.exited.then(({ code, signal }) => {
        if (!job.stopping) onFailure(new Error(`${proc.name} exited (${signal ?? code}); last output:\n${proc.output.join('').slice(-2000)}`));
      });
    };
    try {
      await mkdir(join(dir, 'central'), { recursive: true });
      const central = await startCentral({ dir: join(dir, 'central'), adminToken: await adminToken(join(dir, 'central', 'admin-token')), args: ['--log-level', 'warn'] });
      job.central = central;
      if (job.stopping) await central.stop();
      watch(central.proc);
      for (const county of COUNTIES) {
        if (job.stopping) break;
        progress(county);
        const office = await startCounty(county, { dir: join(dir, county.box.id), central, seed, talkMs: talkMs[county.kind] });
        job.offices.push(office);
        if (job.stopping) await office.stop();
        for (const proc of [office.rig.socat, office.rig.sim, office.rig.firmware, ...office.phones]) watch(proc);
      }
    } catch (err) {
      await job.stop();
      throw err;
    }
    [job.e1, job.fxo] = job.offices;
  };
  return job;
}

/**
 * Central's admin token for this bench folder: the one kept in `file`, or a new one kept
 * there. Central takes its admin token once, when its store is new, so a folder used again
 * (`--dir`) needs the same one.
 */
async function adminToken(file) {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
