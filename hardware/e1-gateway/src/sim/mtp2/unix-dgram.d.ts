// The parts of the unix-dgram package (AF_UNIX datagram sockets; no types of its own) that
// the peer socket uses.
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';

  /** Errors carry the negative errno as `code` (-2 ENOENT), or 1 for a full socket buffer. */
  export interface UnixDgramError extends Error {
    code?: number;
  }

  export interface UnixDgramSocket extends EventEmitter {
    /** Emits 'error' (synchronously) when the path cannot be bound, else 'listening'. */
    bind(path: string): void;
    /** Without a callback, a failure is emitted as 'error'. */
    send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: UnixDgramError) => void): void;
    close(): void;
    on(event: 'message', listener: (msg: Buffer, rinfo: { size: number; path?: string }) => void): this;
    on(event: 'error', listener: (err: UnixDgramError) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  const unixDgram: {
    createSocket(type: 'unix_dgram', listener?: (msg: Buffer) => void): UnixDgramSocket;
  };
  export default unixDgram;
}
