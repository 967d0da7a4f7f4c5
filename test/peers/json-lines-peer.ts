// A reference peer nobody here wrote (libss7's exchange, libpri's network side) runs as a
// child process that reads one JSON command per line on stdin and prints one JSON event per
// line on stdout. This is the test side of that contract, shared by ref-exchange.ts and
// ref-pri.ts: every event kept in order, waits for the next matching one with a deadline
// (the error lists what was seen), and a stop that ends the process whatever happened.
import type { ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Events by name: `{ event: name } & fields`. */
export type PeerEvent<E, K extends keyof E = keyof E> = { [N in K]: { event: N } & E[N] }[K];
/** A predicate, or fields that must be equal. */
export type PeerMatcher<E, K extends keyof E> = ((e: PeerEvent<E, K>) => boolean) | Partial<E[K]>;
export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Waiter {
  test: (index: number) => boolean;
  resolve: (index: number) => void;
  reject: (err: Error) => void;
}

/** Processes started and not stopped yet: killed if this process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class JsonLinesPeer<E, C> {
  /** Every event printed so far, in order. */
  readonly events: PeerEvent<E>[] = [];
  /** Lines on stdout that were not JSON (none expected), and the tail of stderr. */
  readonly garbage: string[] = [];
  readonly stderr: string[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<Waiter>();
  private exit: PeerExit | null = null;
  private readonly exited: Promise<PeerExit>;

  /** `program` names the peer in failures ("ref-pri libpri timed out…"); `log` gets every line. */
  constructor(
    private readonly child: ChildProcess,
    private readonly program: string,
    readonly name: string,
    private readonly log: WriteStream | null = null,
  ) {
    live.add(child);
    child.stdin?.on('error', () => {}); // it exited; the exit is reported where it matters
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        for (const w of this.waiters) w.reject(this.failure(`exited (${signal ?? `code ${code}`})`));
        this.waiters.clear();
        resolve(this.exit);
      }),
    );
    child.on('error', (err) => this.stderr.push(`could not run it: ${err.message}`));
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.log?.write(`stderr: ${line}\n`);
      this.stderr.push(line);
      if (this.stderr.length > 50) this.stderr.shift();
    });
  }

  /** Sends one command. */
  send(command: C): void {
    this.sendLine(JSON.stringify(command));
  }

  /** Sends a line as it is (to check how bad input is handled). */
  sendLine(line: string): void {
    if (this.exit) throw this.failure(`cannot take ${line}: it has exited`);
    this.child.stdin!.write(`${line}\n`);
  }

  /** The first event not taken yet that satisfies `predicate`: printed already, or within `deadlineMs`. */
  waitFor(predicate: (e: PeerEvent<E>) => boolean, deadlineMs = 10_000, what = predicate.toString().slice(0, 120)): Promise<PeerEvent<E>> {
    const matches = (i: number) => !this.consumed.has(i) && predicate(this.events[i]!);
    const take = (i: number) => {
      this.consumed.add(i);
      return this.events[i]!;
    };
    const found = this.events.findIndex((_, i) => matches(i));
    if (found >= 0) return Promise.resolve(take(found));
    if (this.exit) return Promise.reject(this.failure(`has exited (${this.exit.signal ?? `code ${this.exit.code}`}) without ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.failure(`timed out after ${deadlineMs} ms waiting for ${what}`));
      }, deadlineMs);
      const waiter: Waiter = {
        test: matches,
        resolve: (i) => {
          clearTimeout(timer);
          resolve(take(i));
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The next event of that name not taken yet, matching `match`: printed already, or within `deadlineMs`. */
  async next<K extends keyof E>(event: K, match?: PeerMatcher<E, K>, deadlineMs = 10_000): Promise<PeerEvent<E, K>> {
    const fits = (e: PeerEvent<E>) => {
      if (e.event !== event) return false;
      if (match === undefined) return true;
      if (typeof match === 'function') return (match as (e: PeerEvent<E, K>) => boolean)(e as PeerEvent<E, K>);
      return Object.entries(match).every(([k, v]) => JSON.stringify((e as Record<string, unknown>)[k]) === JSON.stringify(v));
    };
    const what = match === undefined ? String(event) : typeof match === 'function' ? `${String(event)} matching ${match.toString().slice(0, 120)}` : `${String(event)} ${JSON.stringify(match)}`;
    return (await this.waitFor(fits, deadlineMs, what)) as PeerEvent<E, K>;
  }

  /** Marks every event printed so far as taken: next() then waits for new ones only. */
  skipSeen(): void {
    this.events.forEach((_, i) => this.consumed.add(i));
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves with how it ended. */
  async stop(graceMs = 3000): Promise<PeerExit> {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.log?.end();
    return this.exit!;
  }

  private onLine(line: string): void {
    this.log?.write(`${line}\n`);
    let event: PeerEvent<E>;
    try {
      event = JSON.parse(line);
    } catch {
      this.garbage.push(line);
      return;
    }
    const index = this.events.push(event) - 1;
    for (const w of this.waiters) {
      if (w.test(index)) {
        this.waiters.delete(w);
        w.resolve(index);
      }
    }
  }

  private failure(what: string): Error {
    const recent = this.events.slice(-40).map((e) => `  ${JSON.stringify(e)}`);
    const parts = [`${this.program} ${this.name} ${what}`, `last ${recent.length} of ${this.events.length} events:`, ...recent];
    if (this.garbage.length) parts.push('not JSON on stdout:', ...this.garbage.slice(-5).map((l) => `  ${l}`));
    if (this.stderr.length) parts.push('stderr:', ...this.stderr.slice(-10).map((l) => `  ${l}`));
    return new Error(parts.join('\n'));
  }
}
