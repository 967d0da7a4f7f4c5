import { createSocket, type Socket } from 'node:dgram';
import sip, { type RawSipMessage } from 'sip';

/**
 * A SIP phone played by a plain UDP socket on 127.0.0.1: the test writes the messages as
 * text and reads what comes back, so the box's SIP code is checked against the wire, not
 * against itself.
 */
export interface Received {
  text: string;
  message: RawSipMessage;
  from: { address: string; port: number };
}

export class SipPhone {
  readonly inbox: Received[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => {
      const message = sip.parse(data);
      if (!message) return;
      this.inbox.push({ text: data.toString('latin1'), message, from: { address: rinfo.address, port: rinfo.port } });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(): Promise<SipPhone> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new SipPhone(socket, socket.address().port);
  }

  /** Sends text; bare LF line ends become CRLF; `{port}` becomes this phone's port. */
  send(text: string | Buffer, to: number): Promise<void> {
    const data = typeof text === 'string' ? Buffer.from(text.replace(/\{port\}/g, String(this.port)).replace(/\r?\n/g, '\r\n'), 'utf8') : text;
    return new Promise((resolve, reject) => this.socket.send(data, to, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** Sends a message object (binary strings), as the `sip` package writes it. */
  sendMessage(message: RawSipMessage, to: number): Promise<void> {
    return this.send(Buffer.from(sip.stringify(message), 'latin1'), to);
  }

  /** The first message from the inbox (taken out) that `pick` accepts, waiting up to `ms`. */
  async next(pick: (m: RawSipMessage) => boolean = () => true, ms = 3000): Promise<Received> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((r) => pick(r.message));
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no matching SIP message within ${ms} ms; inbox: ${this.inbox.map((r) => r.text.split('\r\n')[0]).join(' | ') || 'empty'}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** True when nothing `pick` accepts arrives within `ms`. */
  async nothing(pick: (m: RawSipMessage) => boolean = () => true, ms = 300): Promise<boolean> {
    try {
      await this.next(pick, ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A request as a phone writes it: the lines, a blank line, the body (Content-Length filled in). */
export function request(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export const status = (s: number) => (m: RawSipMessage) => m.status === s;
export const method = (name: string) => (m: RawSipMessage) => m.method === name;
