/**
 * The sd_notify protocol (sd_notify(3), systemd 252), as pure functions: where systemd listens
 * (`NOTIFY_SOCKET`), whether it watches this process (`WATCHDOG_USEC`, `WATCHDOG_PID`), and
 * the messages. The datagrams themselves go out through socat (sd-notifier.ts): Node has no
 * AF_UNIX datagram socket, and the box carries no compiled addon for one.
 *
 * A message is newline-separated `KEY=VALUE` assignments, each line ended by `\n`. systemd
 * reads every line of a datagram, so two messages that arrive in one datagram mean the same
 * as two datagrams: what the pipe to socat may merge (when socat reads late) changes nothing.
 */

/** Where systemd's notification socket is: a path, or an abstract name (`@` in NOTIFY_SOCKET). */
export type NotifyTarget = { kind: 'path'; path: string } | { kind: 'abstract'; name: string };

/**
 * `NOTIFY_SOCKET`: null when unset or empty (not started by systemd with Type=notify).
 * Throws a TypeError for an address this firmware cannot reach (systemd 253's `vsock:`, or a
 * relative path), naming it.
 */
export function parseNotifySocket(value: string | undefined): NotifyTarget | null {
  if (value === undefined || value === '') return null;
  // sd_notify(3): a leading '@' is the abstract namespace (a NUL byte on the wire).
  if (value.startsWith('@')) {
    if (value.length === 1) throw new TypeError('NOTIFY_SOCKET="@" names no abstract socket');
    return { kind: 'abstract', name: value.slice(1) };
  }
  if (value.startsWith('/')) return { kind: 'path', path: value };
  throw new TypeError(`NOTIFY_SOCKET=${JSON.stringify(value)} is neither an absolute path nor an abstract name (@...); only those are supported`);
}

/** Characters socat's address parser gives a meaning to (socat(1), ADDRESS SPECIFICATIONS). */
const SOCAT_SPECIAL = /[\\:,!'"[\](){}% ]/g;

/** The socat address that sends one datagram per read to `target`. */
export function socatAddress(target: NotifyTarget): string {
  const escape = (s: string) => s.replace(SOCAT_SPECIAL, (c) => `\\${c}`);
  return target.kind === 'path' ? `UNIX-SENDTO:${escape(target.path)}` : `ABSTRACT-SENDTO:${escape(target.name)}`;
}

/** The watchdog systemd keeps on this process: how long it waits for a ping, and how often to send one. */
export interface Watchdog {
  timeoutMs: number;
  pingEveryMs: number;
}

/**
 * `WATCHDOG_USEC` and `WATCHDOG_PID` (sd_watchdog_enabled(3)): null when no watchdog is set,
 * or when it is for another process (WATCHDOG_PID is not `pid`: a child that inherited the
 * environment must not ping for its parent). The ping goes at half the timeout, as
 * sd_watchdog_enabled(3) advises, so one late tick of the event loop is not yet a kill.
 */
export function parseWatchdog(env: { WATCHDOG_USEC?: string; WATCHDOG_PID?: string }, pid: number): Watchdog | null {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || !/^[0-9]+$/.test(usec) || Number(usec) === 0) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && env.WATCHDOG_PID !== String(pid)) return null;
  const timeoutMs = Number(usec) / 1000;
  return { timeoutMs, pingEveryMs: Math.max(1, Math.floor(timeoutMs / 2)) };
}

/** The longest STATUS= text sent: `systemctl status` shows one line. */
export const STATUS_MAX = 200;

export interface NotifyFields {
  /** READY=1: start-up is complete (Type=notify: the unit becomes active). */
  ready?: true;
  /** STOPPING=1: the service is stopping. */
  stopping?: true;
  /** WATCHDOG=1: the keep-alive ping. */
  watchdog?: true;
  /** STATUS=: one line for `systemctl status`; newlines become spaces, cut at STATUS_MAX. */
  status?: string;
}

/** One message: the assignments of `fields`, each line ended by `\n`. Throws on an empty one. */
export function notifyMessage(fields: NotifyFields): string {
  const lines: string[] = [];
  if (fields.ready) lines.push('READY=1');
  if (fields.stopping) lines.push('STOPPING=1');
  if (fields.watchdog) lines.push('WATCHDOG=1');
  if (fields.status !== undefined) lines.push(`STATUS=${fields.status.replace(/[\r\n]+/g, ' ').slice(0, STATUS_MAX)}`);
  if (lines.length === 0) throw new TypeError('an sd_notify message needs at least one field');
  return lines.map((l) => `${l}\n`).join('');
}
