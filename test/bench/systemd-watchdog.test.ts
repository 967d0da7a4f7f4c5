// The box's units under a real systemd (252): the firmware becomes active only once it said
// READY=1, systemd's watchdog kills a firmware whose event loop is blocked and starts it
// again, and an upgrade to a release that never becomes ready, or that crashes at once, is
// rolled back to the previous release by countyline-rollback.service.
//
// PID 1 here is not systemd, so the units run under a systemd *user manager* in a mount
// namespace of its own (/run/systemd on a tmpfs there, so that it believes systemd is
// running; the host's /run/systemd is not touched). A user manager refuses what needs
// privileges it does not manage (User=, and the kernel and home protections): the test's
// drop-in turns those off (USER_MANAGER_OFF) and points the paths at a temp COUNTYLINE_ROOT,
// with release trees that run this checkout's firmware against the bench simulator.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { requireTool, startProcess, startRig, stopProcess, waitFor, type Rig, type RigProcess } from '../../scripts/lib/bench-rig.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNITS = join(repo, 'images', 'systemd');
const RELEASE_SCRIPT = join(repo, 'images', 'bin', 'countyline-release');
const SYSTEMD = '/lib/systemd/systemd';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

for (const [tool, why] of [
  ['socat', "the firmware's sd_notify and the bench's pty pair"],
  ['unshare', "the user manager's mount namespace"],
  ['systemctl', 'driving the user manager'],
  ['systemd-analyze', 'checking the unit files'],
  ['flock', 'countyline-release'],
] as const) {
  requireTool(tool, why);
}
if (!existsSync(SYSTEMD)) throw new Error(`${SYSTEMD} is missing: this test needs systemd installed (apt-get install systemd)`);

/** Settings of countyline.service a user manager refuses (or that cannot hold in the test), turned off in the test's drop-in. */
const USER_MANAGER_OFF = [
  'User=',
  'Group=',
  'SupplementaryGroups=',
  'ProtectHome=no',
  'ProtectKernelTunables=no',
  'ProtectKernelModules=no',
  'ProtectKernelLogs=no',
  'ProtectControlGroups=no',
  'ProtectClock=no',
  'ProtectHostname=no',
  'CapabilityBoundingSet=',
  // The bench rig's files (config, pty, control socket) are in the host's /tmp.
  'PrivateTmp=no',
];

/** The test's timings: a short watchdog and start timeout, so that a bad release fails in seconds. */
const TEST_TIMING = { watchdogSec: 3, timeoutStartSec: 10, restartSec: 1, startLimitIntervalSec: 120, startLimitBurst: 3 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('the units pass systemd-analyze verify (temp root with the paths they name)', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'countyline-verify-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  // verify needs the programs the units run, and (with --root) the units they depend on.
  await cp('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
  await mkdir(join(root, 'opt/countyline/releases/0/bin'), { recursive: true });
  await writeFile(join(root, 'opt/countyline/releases/0/bin/countyline'), '#!/bin/sh\n', { mode: 0o755 });
  spawnSync('ln', ['-s', 'releases/0', join(root, 'opt/countyline/current')]);
  await mkdir(join(root, 'usr/lib/countyline/bin'), { recursive: true });
  await copyFile(RELEASE_SCRIPT, join(root, 'usr/lib/countyline/bin/countyline-release'));
  await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
  for (const unit of ['countyline.service', 'countyline-rollback.service']) await copyFile(join(UNITS, unit), join(root, 'etc/systemd/system', unit));
  const { code, stdout, stderr } = await run('systemd-analyze', ['verify', `--root=${root}`, 'countyline.service', 'countyline-rollback.service'], { PATH });
  t.equal(code, 0, 'exit 0');
  // verify exits 0 on a setting it ignores (a typo, a bad value): any word from it is a finding.
  t.equal(`${stdout}${stderr}`.trim(), '', 'nothing to say about them');
});

/** A systemd user manager in a mount namespace of its own, and `systemctl --user` against it. */
async function startUserManager(t: Test, dir: string) {
  const runtime = join(dir, 'runtime');
  const home = join(dir, 'home');
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  await mkdir(join(home, '.config/systemd/user'), { recursive: true });
  // env -i: nothing of the test runner's environment (NODE_OPTIONS above all) reaches the units.
  const script = 'mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && exec env -i PATH="$1" HOME="$2" XDG_RUNTIME_DIR="$3" "$4" --user';
  const manager = startProcess('systemd --user', 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', PATH, home, runtime, SYSTEMD], join(dir, 'manager.log'));
  manager.child.stdout!.on('data', manager.keep);
  const env = { PATH, XDG_RUNTIME_DIR: runtime, HOME: home };
  const systemctl = (...args: string[]) => run('systemctl', ['--user', ...args], env);
  t.teardown(() => stopUserManager(manager, systemctl));
  // Not is-system-running: it says "offline" outside the namespace, where /run/systemd/system is absent.
  await waitFor(
    'the user manager to answer on its private socket',
    async (seen) => {
      if (manager.child.exitCode !== null) throw new Error(`systemd --user exited ${manager.child.exitCode}: ${manager.output.join('')}`);
      const state = seen((await systemctl('show', '-P', 'SystemState')).stdout.trim());
      return ['running', 'degraded'].includes(state);
    },
    20_000,
  );
  return { manager, env, systemctl, unitDir: join(home, '.config/systemd/user') };
}

/** Stops the units, then the manager; whatever is left in their cgroups is killed. */
async function stopUserManager(manager: RigProcess, systemctl: (...args: string[]) => Promise<{ stdout: string }>) {
  const pids = new Set<number>();
  for (const unit of ['countyline.service', 'countyline-rollback.service']) {
    const group = (await systemctl('show', '-P', 'ControlGroup', unit)).stdout.trim();
    for (const hierarchy of ['systemd', 'unified']) {
      try {
        for (const pid of readFileSync(`/sys/fs/cgroup/${hierarchy}${group}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) pids.add(Number(pid));
      } catch {
        // no such cgroup (the unit is not running)
      }
    }
  }
  await systemctl('stop', 'countyline.service', 'countyline-rollback.service');
  await stopProcess(manager, 'SIGTERM', 10_000);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A release tree: bin/countyline (runs `body`), bin/countyline-release, RELEASE.json. */
async function releaseTree(dir: string, version: string, body: string): Promise<string> {
  const tree = join(dir, 'trees', version);
  await mkdir(join(tree, 'bin'), { recursive: true });
  await writeFile(join(tree, 'bin', 'countyline'), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  await copyFile(RELEASE_SCRIPT, join(tree, 'bin', 'countyline-release'));
  await chmod(join(tree, 'bin', 'countyline-release'), 0o755);
  await writeFile(join(tree, 'RELEASE.json'), `${JSON.stringify({ version, commit: 'test', dirty: true, builtAt: new Date().toISOString() }, null, 2)}\n`);
  return tree;
}

/** This checkout's firmware, as a release; its environment says which release it is. */
const firmwareRelease = (version: string) => `exec env COUNTYLINE_TEST_RELEASE=${version} ${process.execPath} ${join(repo, 'firmware-ts', 'bin', 'countyline.js')} "$@"`;

t.test('under a systemd user manager', async (t) => {
  const rig: Rig = await startRig({ firmware: false });
  t.teardown(() => rig.stop());
  const dir = rig.dir;
  const root = join(dir, 'root');
  const { env, systemctl, unitDir, manager } = await startUserManager(t, dir);
  const unitLog = join(dir, 'unit.log');

  // The staged copy of countyline-release (the units run it from /usr/lib/countyline/bin).
  await mkdir(join(root, 'usr/lib/countyline/bin'), { recursive: true });
  await copyFile(RELEASE_SCRIPT, join(root, 'usr/lib/countyline/bin/countyline-release'));
  const releaseScript = join(root, 'usr/lib/countyline/bin/countyline-release');
  const releaseEnv = { COUNTYLINE_ROOT: root, COUNTYLINE_SYSTEMCTL: 'systemctl --user', XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR };
  const environment = `Environment=${Object.entries(releaseEnv).map(([k, v]) => `"${k}=${v}"`).join(' ')}`;

  for (const unit of ['countyline.service', 'countyline-rollback.service']) await copyFile(join(UNITS, unit), join(unitDir, unit));
  const { watchdogSec, timeoutStartSec, restartSec, startLimitIntervalSec, startLimitBurst } = TEST_TIMING;
  await mkdir(join(unitDir, 'countyline.service.d'));
  await writeFile(
    join(unitDir, 'countyline.service.d', 'test.conf'),
    [
      '[Unit]',
      `StartLimitIntervalSec=${startLimitIntervalSec}`,
      `StartLimitBurst=${startLimitBurst}`,
      '[Service]',
      ...USER_MANAGER_OFF,
      'ReadWritePaths=',
      `ReadWritePaths=${dir}`,
      'ExecStart=',
      `ExecStart=${root}/opt/countyline/current/bin/countyline run --config ${rig.configPath}`,
      'ExecStartPost=',
      `ExecStartPost=-+${releaseScript} confirm`,
      environment,
      'Environment=COUNTYLINE_DEBUG_HANG=1',
      `WatchdogSec=${watchdogSec}`,
      `TimeoutStartSec=${timeoutStartSec}`,
      `RestartSec=${restartSec}`,
      `StandardOutput=append:${unitLog}`,
      `StandardError=append:${unitLog}`,
      '',
    ].join('\n'),
  );
  await mkdir(join(unitDir, 'countyline-rollback.service.d'));
  await writeFile(
    join(unitDir, 'countyline-rollback.service.d', 'test.conf'),
    ['[Service]', 'ExecStart=', `ExecStart=${releaseScript} auto-rollback`, environment, `StandardOutput=append:${unitLog}`, `StandardError=append:${unitLog}`, ''].join('\n'),
  );
  t.equal((await systemctl('daemon-reload')).code, 0, 'units loaded');

  const show = async () => {
    const out = (await systemctl('show', 'countyline.service', '-p', 'ActiveState,SubState,MainPID,NRestarts,Result')).stdout;
    const props = Object.fromEntries(out.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    return { active: props.ActiveState!, sub: props.SubState!, pid: Number(props.MainPID), restarts: Number(props.NRestarts), result: props.Result! };
  };
  const current = () => {
    try {
      return readlinkSync(join(root, 'opt/countyline/current'));
    } catch {
      return null;
    }
  };
  const pending = () => existsSync(join(root, 'opt/countyline/upgrade-pending'));
  /** Which release a process runs (its wrapper put it in its environment). */
  const releaseOf = (pid: number) => {
    try {
      return /COUNTYLINE_TEST_RELEASE=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1] ?? null;
    } catch {
      return null;
    }
  };
  /** waitFor, with the unit's status and logs in the error on a timeout. */
  const waitUnit = async <T>(what: string, check: Parameters<typeof waitFor<T>>[1], ms: number): Promise<T> => {
    try {
      return await waitFor(what, check, ms, { intervalMs: 100 });
    } catch (err) {
      const status = await systemctl('status', '--no-pager', '-l', 'countyline.service', 'countyline-rollback.service');
      const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(none)');
      (err as Error).message += `\n--- systemctl --user status\n${status.stdout}${status.stderr}\n--- unit log\n${tail(unitLog)}\n--- manager log\n${manager.output.join('').slice(-4000)}`;
      throw err;
    }
  };
  const install = async (tree: string) => {
    const r = await run(releaseScript, ['install', tree], { PATH, ...releaseEnv });
    if (r.code !== 0) throw new Error(`countyline-release install ${tree} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** Active on `version`, the upgrade settled, and the firmware answering. */
  const servingOn = (version: string, ms: number) =>
    waitUnit(
      `countyline.service active on ${version}, no upgrade pending, status answered`,
      async (seen) => {
        const s = seen({ ...(await show()), current: current(), pending: pending() });
        if (s.active !== 'active' || s.current !== `releases/${version}` || s.pending || releaseOf(s.pid) !== version) return false;
        await rig.status();
        return s;
      },
      ms,
    );

  await t.test('first install: the unit is active only after READY=1, when the firmware answers', async (t) => {
    await install(await releaseTree(dir, '1.0.0', firmwareRelease('1.0.0')));
    const states: string[] = [];
    const startedAt = Date.now();
    const up = await waitUnit(
      'countyline.service active',
      async (seen) => {
        const s = seen(await show());
        if (states.at(-1) !== s.active) states.push(s.active);
        return s.active === 'active' && s;
      },
      30_000,
    );
    // The control socket listens before READY=1 goes out: the first look at an active unit finds it serving.
    const status = await rig.status();
    t.ok(status.card, `status answered at once (active ${Date.now() - startedAt} ms after the install)`);
    t.ok(states.includes('activating'), `activating (the process running, not yet ready) before active: ${states.join(' -> ')}`);
    t.equal(releaseOf(up.pid), '1.0.0', 'the main process is the firmware of 1.0.0 (the wrapper execs it)');
    t.notOk(pending(), 'a first install has nothing to roll back to: no upgrade pending');
  });

  await t.test('a blocked event loop: the watchdog kills the firmware and systemd starts it again', async (t) => {
    const before = await show();
    const hungAt = Date.now();
    const answer = await rig.cli(['debug', 'hang', '120']);
    t.match(answer.stdout, /blocks for 120 s/);
    const after = await waitUnit(
      'a new firmware process after the watchdog fired',
      async (seen) => {
        const s = seen(await show());
        return s.restarts > before.restarts && s.active === 'active' && s.pid !== before.pid && s.pid > 0 && s;
      },
      watchdogSec * 1000 + restartSec * 1000 + 30_000,
    );
    const back = Date.now() - hungAt;
    t.equal(after.restarts, before.restarts + 1, 'NRestarts went up by one');
    t.ok(await rig.status(), `the new process answers status (${back} ms after the hang, WatchdogSec=${watchdogSec})`);
    t.throws(() => process.kill(before.pid, 0), 'the hung process is gone');
    // The hang lasts 120 s: a new process well before that means the old one was killed (the
    // user manager's own log is not readable here: it writes to no stream the test holds).
    t.ok(back < 60_000, `restarted ${back} ms after a 120 s hang: killed, not ended`);
  });

  await t.test('an upgrade to a good release is confirmed once it is ready', async (t) => {
    const out = await install(await releaseTree(dir, '1.1.0', firmwareRelease('1.1.0')));
    t.match(out, /upgrade pending/);
    await servingOn('1.1.0', 30_000);
    t.equal(readlinkSync(join(root, 'opt/countyline/previous')), 'releases/1.0.0', 'previous is the old release');
  });

  for (const [name, version, body] of [
    ['never becomes ready', '2.0.0-hangs', 'exec sleep 600'],
    ['crashes at once', '2.0.1-crashes', 'echo "this release is broken" >&2; exit 3'],
  ] as const) {
    await t.test(`an upgrade to a release that ${name} is rolled back`, async (t) => {
      const installedAt = Date.now();
      await install(await releaseTree(dir, version, body));
      t.equal(current(), `releases/${version}`, 'the new release is current');
      t.ok(pending(), 'the upgrade is pending');
      const limit = startLimitBurst * ((name === 'never becomes ready' ? timeoutStartSec : 0) + restartSec) * 1000 + 40_000;
      await servingOn('1.1.0', limit);
      const took = Date.now() - installedAt;
      t.equal(readlinkSync(join(root, 'opt/countyline/previous')), `releases/${version}`, 'the bad release is previous now');
      t.pass(`rolled back and serving on 1.1.0 ${took} ms after the install`);
      t.match(readFileSync(unitLog, 'utf8'), new RegExp(`failed during the upgrade to ${version.replace(/\./g, '\\.')}, which never became ready; rolled back`), 'countyline-release says what it did');
      // What the next look finds: still the good one, not flapping.
      await sleep(1000);
      const s = await show();
      t.equal(s.active, 'active');
      t.equal(releaseOf(s.pid), '1.1.0');
    });
  }

  const list = await run(releaseScript, ['list'], { PATH, ...releaseEnv });
  t.match(list.stdout, /1\.1\.0 current/, `countyline-release list:\n${list.stdout}`);
  t.same(readdirSync(join(root, 'opt/countyline/releases')).sort(), ['1.1.0', '2.0.1-crashes'], 'the box keeps two releases, current and previous; the older ones went at each install');
  await readFile(unitLog, 'utf8').then((log) => t.comment(log.split('\n').filter((l) => l.startsWith('countyline-release')).join('\n')));
});
