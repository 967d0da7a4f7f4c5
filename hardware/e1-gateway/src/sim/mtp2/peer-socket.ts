import { lstatSync, unlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import unixDgram, { type UnixDgramError, type UnixDgramSocket } from 'unix-dgram';

/** The socket the simulator binds in the peer folder; the outside process sends to it. */
export const CARD_SOCKET = 'card.sock';
/** The socket the outside process binds; the simulator sends to it. */
export const PEER_SOCKET = 'peer.sock';

/** Carries signal units, one per call, between an MTP2 end and its far end. */
export interface Mtp2Transport {
  send(su: Uint8Array): void;
  /** Sets (or clears) the one receiver of the units that arrive. */
  onReceive(handler: ((su: Uint8Array) => void) | undefined): void;
  close(): void;
  snapshot(): PeerSocketSnapshot;
}

export interface PeerSocketSnapshot {
  /** The socket bound here and the one sent to. */
  local: string;
  remote: string;
  datagramsIn: number;
  datagramsOut: number;
  /** Datagrams that could not be sent, by errno name (ENOENT, ECONNREFUSED: nobody bound there; EAGAIN: its buffer is full). */
  sendErrors: Record<string, number>;
}

export interface PeerSocketOptions {
  /** The name to bind in the folder; default card.sock (the peer's end binds peer.sock). */
  local?: string;
  /** The name to send to; default peer.sock. */
  remote?: string;
  logger?: Logger;
  /** What the socket carries, for its log lines; default MTP2 (signal units). The HDLC peer says HDLC (frames). */
  carries?: { socket: string; units: string };
}

/**
 * A unix datagram socket pair in one folder that carries MTP2 signal units, one per
 * datagram, as a DAHDI D-channel carries them to libss7: the simulator binds `card.sock`
 * and sends to `peer.sock`; the outside process the other way round. Sending while nobody
 * is bound at the far name is counted and dropped, as units on a line to a switched-off
 * exchange are lost; MTP2 notices (T7, T2) and realigns when the far end comes back.
 */
export class Mtp2PeerSocket implements Mtp2Transport {
  readonly local: string;
  readonly remote: string;
  private readonly sock: UnixDgramSocket;
  private readonly log: Logger;
  private handler: ((su: Uint8Array) => void) | undefined;
  private datagramsIn = 0;
  private datagramsOut = 0;
  private readonly sendErrors: Record<string, number> = {};
  /** The errno of the last failed send, so that a lasting failure is logged once. */
  private failing: string | undefined;
  private closed = false;
  private readonly carries: { socket: string; units: string };

  /** Binds the local socket (replacing a stale socket file left there); throws Error saying why it cannot. */
  constructor(dir: string, opts: PeerSocketOptions = {}) {
    this.local = join(dir, opts.local ?? CARD_SOCKET);
    this.remote = join(dir, opts.remote ?? PEER_SOCKET);
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.carries = opts.carries ?? { socket: 'MTP2 peer socket', units: 'signal units' };
    removeStaleSocket(this.local);
    this.sock = unixDgram.createSocket('unix_dgram');
    let bindError: UnixDgramError | undefined;
    const onBindError = (err: UnixDgramError) => (bindError = err);
    this.sock.on('error', onBindError);
    this.sock.bind(this.local);
    this.sock.off('error', onBindError);
    if (bindError) {
      this.sock.close();
      throw new Error(`cannot bind ${this.local}: ${errnoName(bindError)}${bindError.code === -constants.errno.ENOENT ? ' (does the folder exist?)' : ''}`);
    }
    this.sock.on('error', (err: UnixDgramError) => this.log.warn({ err: errnoName(err) }, `${this.carries.socket} error`));
    this.sock.on('message', (msg: Buffer) => {
      this.datagramsIn++;
      this.handler?.(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    });
  }

  onReceive(handler: ((su: Uint8Array) => void) | undefined): void {
    this.handler = handler;
  }

  send(su: Uint8Array): void {
    if (this.closed) return;
    const buf = Buffer.from(su.buffer, su.byteOffset, su.length);
    this.sock.send(buf, 0, buf.length, this.remote, (err) => {
      if (!err) {
        this.datagramsOut++;
        if (this.failing) this.log.info({ remote: this.remote }, `${this.carries.socket}: the far end takes datagrams again`);
        this.failing = undefined;
        return;
      }
      const name = errnoName(err);
      this.sendErrors[name] = (this.sendErrors[name] ?? 0) + 1;
      if (this.failing !== name) this.log.info({ remote: this.remote, err: name }, `${this.carries.socket}: cannot send to the far end; ${this.carries.units} are dropped until it binds its socket`);
      this.failing = name;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    this.sock.close();
    removeStaleSocket(this.local);
  }

  snapshot(): PeerSocketSnapshot {
    return { local: this.local, remote: this.remote, datagramsIn: this.datagramsIn, datagramsOut: this.datagramsOut, sendErrors: { ...this.sendErrors } };
  }
}

/** A socket file left by a process that is gone would make bind fail; anything else there is not ours to remove. */
function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; remove it or choose another folder`);
  unlinkSync(path);
}

function errnoName(err: UnixDgramError): string {
  if (err.code === 1) return 'EAGAIN';
  const code = typeof err.code === 'number' ? -err.code : undefined;
  const name = Object.entries(constants.errno).find(([, n]) => n === code)?.[0];
  return name ?? err.message;
}
