/**
 * Signal unit error rate monitor (Q.703 10.2), a leaky bucket: each errored signal unit adds
 * one, every D signal units received (errored or not) take one away, and the link fails
 * when the count reaches T. Q.703 gives T = 64, D = 256 for 64 kbit/s links.
 *
 * On a line an errored unit is one whose CK fails or whose length is impossible; on the
 * peer socket (no CK check) it is a datagram that is no signal unit at all.
 */
export class SignalUnitErrorRateMonitor {
  private count = 0;
  private sinceLeak = 0;

  constructor(
    readonly threshold = 64,
    readonly leakEvery = 256,
  ) {}

  reset(): void {
    this.count = 0;
    this.sinceLeak = 0;
  }

  /** One signal unit received; true when the error count has reached the threshold. */
  received(errored: boolean): boolean {
    if (errored) this.count++;
    if (++this.sinceLeak >= this.leakEvery) {
      this.sinceLeak = 0;
      if (this.count > 0) this.count--;
    }
    return this.count >= this.threshold;
  }

  get errors(): number {
    return this.count;
  }
}

/**
 * Alignment error rate monitor (Q.703 10.3): during proving, counts errored signal units;
 * proving is aborted when the count reaches Ti, which is Tin = 4 with the normal proving
 * period and Tie = 1 with the emergency one.
 */
export class AlignmentErrorRateMonitor {
  private count = 0;
  private threshold = 4;

  constructor(
    readonly normalThreshold = 4,
    readonly emergencyThreshold = 1,
  ) {}

  start(emergency: boolean): void {
    this.count = 0;
    this.threshold = emergency ? this.emergencyThreshold : this.normalThreshold;
  }

  /** One errored signal unit during proving; true when proving must be aborted. */
  errored(): boolean {
    return ++this.count >= this.threshold;
  }

  get errors(): number {
    return this.count;
  }
}
