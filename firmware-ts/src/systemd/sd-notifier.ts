import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { notifyMessage, parseNotifySocket, parseWatchdog, socatAddress, type NotifyFields, type NotifyTarget, type Watchdog } from './sd-notify.js';

/** Why a notification did not reach systemd, as the metrics count it. */
export type NotifyErrorReason = 'bad-address' | 'socat-missing' | 'socat-exited';

export interface SdNotifierOptions {
  /** The environment systemd gave the process (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID). */
  env: NodeJS.ProcessEnv;
  /** This process's pid, for WATCHDOG_PID. */
  pid: number;
  log: Logger;
  /** The socat program; default `socat` on PATH. */
  socat?: string;
  /** The least time between two starts of socat after it ended; default 1 s. */
  respawnMs?: number;
}

/**
 * Tells systemd how the firmware is (sd_notify(3)): READY=1 once it serves, WATCHDOG=1 pings,
 * STOPPING=1. The datagrams go through one long-lived `socat -u STDIN UNIX-SENDTO:<socket>`
 * child: it stays in the unit's cgroup (so the unit needs NotifyAccess=all: the sender is
 * socat, not the main process), and each write on its stdin that it reads alone becomes one
 * datagram (messages that it reads together are still a valid message: sd-notify.ts).
 *
 * The pings are sent by a timer on the main event loop, not by socat or a worker: when the
 * loop is blocked, they stop, and systemd's watchdog (WatchdogSec=) kills the firmware.
 */
export class SdNotifier {
  /** Errors by reason since the process started (exported as countyline_systemd_notify_errors_total). */
  readonly errors: Record<NotifyErrorReason, number> = { 'bad-address': 0, 'socat-missing': 0, 'socat-exited': 0 };
  /** Messages handed to socat. */
  sent = 0;
  readonly watchdog: Watchdog | null;
  private child: ChildProcess | null = null;
  private lastSpawn = -Infinity;
  private closed = false;
  private pinger: NodeJS.Timeout | null = null;

  /**
   * The notifier for this process, or null when systemd did not ask for notifications (no
   * NOTIFY_SOCKET: run by hand, or by a unit of another Type). The variables are removed from
   * `env` once read, so that no child (espeak-ng, sox) talks to systemd in the firmware's name.
   */
  static fromEnv(o: SdNotifierOptions): SdNotifier | null {
    const raw = o.env.NOTIFY_SOCKET;
    const watchdog = parseWatchdog(o.env, o.pid);
    for (const name of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete o.env[name];
    if (raw === undefined || raw === '') return null;
    let target: NotifyTarget | null = null;
    try {
      target = parseNotifySocket(raw);
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'systemd notification socket not usable: systemd will not see the firmware ready and will stop it after TimeoutStartSec');
    }
    return new SdNotifier(o, target, watchdog);
  }

  private constructor(
    private readonly o: SdNotifierOptions,
    private readonly target: NotifyTarget | null,
    watchdog: Watchdog | null,
  ) {
    this.watchdog = watchdog;
    if (!target) this.errors['bad-address']++;
    if (watchdog) {
      o.log.info({ timeoutMs: watchdog.timeoutMs, pingEveryMs: watchdog.pingEveryMs }, 'systemd watchdog on: pinging from the event loop');
      this.pinger = setInterval(() => this.send({ watchdog: true }), watchdog.pingEveryMs);
      this.pinger.unref();
      this.send({ watchdog: true });
    }
  }

  /** READY=1 with a status line: the unit becomes active. */
  ready(status: string): void {
    this.send({ ready: true, status });
  }

  /** A new status line for `systemctl status`. */
  status(status: string): void {
    this.send({ status });
  }

  /** STOPPING=1; the pings stop. */
  stopping(status: string): void {
    this.stopPings();
    this.send({ stopping: true, status });
  }

  /** Counts the errors in `registry` (countyline_systemd_notify_errors_total, by reason). */
  registerMetrics(registry: Registry): void {
    const errors = this.errors;
    new Counter({
      name: 'countyline_systemd_notify_errors_total',
      help: 'Notifications to systemd (READY, watchdog pings) that could not be sent, by reason: bad-address, socat-missing, socat-exited',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(errors)) this.inc({ reason }, n);
      },
    });
  }

  /** Ends socat once what was written is read (at most `deadlineMs`); nothing is sent after. */
  async close(deadlineMs = 500): Promise<void> {
    this.stopPings();
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    if (child.exitCode === null) child.kill();
  }

  private stopPings(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
  }

  private send(fields: NotifyFields): void {
    if (this.closed || !this.target) return;
    const child = this.child ?? this.spawnSocat(this.target);
    if (!child?.stdin?.writable) return;
    child.stdin.write(notifyMessage(fields));
    this.sent++;
  }

  private spawnSocat(target: NotifyTarget): ChildProcess | null {
    const now = Date.now();
    if (now - this.lastSpawn < (this.o.respawnMs ?? 1000)) return null;
    this.lastSpawn = now;
    const program = this.o.socat ?? 'socat';
    const log = this.o.log;
    const child = spawn(program, ['-u', 'STDIN', socatAddress(target)], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    // EPIPE after socat ended: the exit handler below says so once.
    child.stdin?.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.child === child) this.child = null;
      if (err.code === 'ENOENT') {
        this.errors['socat-missing']++;
        log.error({ program }, 'socat is not installed, so the firmware cannot notify systemd (READY=1, watchdog pings): systemd will stop it after TimeoutStartSec. Install socat (apt-get install socat)');
      } else {
        this.errors['socat-exited']++;
        log.error({ program, err: err.message }, 'socat for systemd notifications could not be started');
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.closed) return;
      this.errors['socat-exited']++;
      log.error({ code, signal, stderr: stderr.trim(), socket: socatAddress(target) }, 'socat for systemd notifications ended; it is started again with the next notification');
    });
    return child;
  }
}
