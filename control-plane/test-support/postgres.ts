// A throwaway PostgreSQL 15 cluster for one test file: Debian's binaries, run as the
// `postgres` OS user when we are root (PostgreSQL refuses to run as root; otherwise as
// ourselves), data in a temp folder, listening on a free loopback port. fsync is off: the
// cluster dies with the test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';
/** How long the cluster may take to accept connections on this busy machine. */
const READY_DEADLINE_MS = 60_000;

export interface PostgresCluster {
  port: number;
  /** A connection URL for `database` (default `postgres`). */
  url(database?: string): string;
  /** A new, empty database; answers its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Starts a cluster and registers its stop (and the removal of its folder) with `t`, so it
 * goes when the test ends, passed or failed. Fails with an install hint when the binaries
 * are missing: the store tests never skip PostgreSQL.
 */
export async function startPostgres(t: Teardown): Promise<PostgresCluster> {
  for (const tool of ['initdb', 'postgres']) {
    if (!existsSync(join(BIN, tool))) throw new Error(`${join(BIN, tool)} is missing: install PostgreSQL 15 (apt-get install postgresql-15, or run npm run setup)`);
  }
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'countyline-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  let server: ChildProcess | undefined;
  const stop = async () => {
    if (server) await stopServer(server);
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  // Should the test process exit without its teardown (an uncaught error), the server goes
  // with it rather than outliving the run.
  const onExit = () => server?.kill('SIGKILL');
  process.once('exit', onExit);

  const data = join(dir, 'data');
  const initdb = command(user, join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  execFileSync(initdb.file, initdb.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await startServer(user, data, dir, port);
    if (started.ok) {
      server = started.server;
      const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
      let databases = 0;
      return {
        port,
        url,
        async createDatabase() {
          const name = `t${++databases}`;
          const client = new pg.Client({ connectionString: url() });
          await client.connect();
          try {
            await client.query(`CREATE DATABASE ${name}`);
          } finally {
            await client.end();
          }
          return url(name);
        },
        stop,
      };
    }
    // Another process took the port between our probe and the server's bind: try another.
    if (!started.portTaken || attempt === 5) throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${started.log.trim().split('\n').slice(-5).join(' | ')}`);
  }
}

interface OsUser {
  uid: number;
  gid: number;
}

/** The `postgres` OS user when we are root; null to run as ourselves. */
function runAs(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** setpriv execs the program (no fork), so a spawned server's pid is the postmaster's own. */
function command(user: OsUser | null, file: string, args: string[]): { file: string; args: string[] } {
  return user ? { file: 'setpriv', args: [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', file, ...args] } : { file, args };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Started = { ok: true; server: ChildProcess } | { ok: false; portTaken: boolean; log: string };

/** Starts the server and waits until it answers a query. */
async function startServer(user: OsUser | null, data: string, dir: string, port: number): Promise<Started> {
  const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=50'];
  const postgres = command(user, join(BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])]);
  const server = spawn(postgres.file, postgres.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  let exited = false;
  server.once('exit', () => (exited = true));
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (exited) return { ok: false, portTaken: /could not bind|Address already in use/.test(log), log };
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return { ok: true, server };
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stopServer(server);
  return { ok: false, portTaken: false, log: `not accepting connections after ${READY_DEADLINE_MS} ms; ${log}` };
}

/** Fast shutdown (SIGINT), then SIGKILL if it has not gone within 10 s. */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}
