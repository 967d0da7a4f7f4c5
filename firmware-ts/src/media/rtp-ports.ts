/**
 * The RTP ports of the calls in progress, from `media.rtpPortMin`..`rtpPortMax`. RTP takes
 * the even port and RTCP the odd one above it (RFC 3550 11); we send no RTCP but keep the
 * pair together, so a phone that sends RTCP to port+1 reaches nothing of another call.
 *
 * Ports are handed out round the range, not lowest-first: a port freed by a call that just
 * ended is the last to be reused, so its phone's late packets do not land in a new call.
 */
export class RtpPortsExhaustedError extends Error {
  readonly code = 'rtp-ports-exhausted';

  constructor(
    readonly range: { min: number; max: number },
    readonly pairs: number,
    readonly inUse: number,
    readonly busyElsewhere: number,
  ) {
    super(
      `no free RTP port in ${range.min}-${range.max}: ${inUse} of its ${pairs} port pairs carry calls and ${busyElsewhere} are held by other programs; ` +
        'widen media.rtpPortMin/rtpPortMax in the config or free the ports',
    );
    this.name = 'RtpPortsExhaustedError';
  }
}

/** A port the caller bound, and how to give it back. */
export interface RtpPortLease<T> {
  port: number;
  value: T;
  /** Returns the port pair to the pool; a second call does nothing. */
  release(): void;
}

export class RtpPorts {
  /** First and last even port of the range whose odd partner is also in the range. */
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly range: { min: number; max: number }) {
    this.first = range.min + (range.min % 2);
    this.last = range.max % 2 === 1 ? range.max - 1 : range.max - 2;
    if (this.last < this.first) {
      throw new RangeError(`media.rtpPortMin ${range.min} to rtpPortMax ${range.max} holds no even/odd port pair for RTP and RTCP; give a range of at least two ports starting on an even one`);
    }
    this.next = this.first;
  }

  /** How many port pairs the range holds. */
  get pairs(): number {
    return (this.last - this.first) / 2 + 1;
  }

  /** How many pairs calls hold now. */
  get inUse(): number {
    return this.used.size;
  }

  /**
   * Finds a free even port and binds it with `bind`. A port that `bind` finds taken by
   * another program (EADDRINUSE) is skipped for this call; any other error is the caller's.
   * Rejects with RtpPortsExhaustedError when every pair was tried.
   */
  async take<T>(bind: (port: number) => Promise<T>): Promise<RtpPortLease<T>> {
    let busyElsewhere = 0;
    for (let tried = 0; tried < this.pairs; tried++) {
      const port = this.next;
      this.next = port + 2 > this.last ? this.first : port + 2;
      if (this.used.has(port)) continue;
      // Reserved before the await, so two calls opening at once never try the same port.
      this.used.add(port);
      try {
        const value = await bind(port);
        let released = false;
        return {
          port,
          value,
          release: () => {
            if (released) return;
            released = true;
            this.used.delete(port);
          },
        };
      } catch (err) {
        this.used.delete(port);
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        busyElsewhere++;
      }
    }
    throw new RtpPortsExhaustedError(this.range, this.pairs, this.used.size, busyElsewhere);
  }
}
