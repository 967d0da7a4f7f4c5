import { TypedEmitter } from '@countyline/e1-gateway';
import { alawToLinear } from './alaw.js';

export interface DtmfDetectorEvents {
  /** One key press: '0'-'9', '*', '#' or 'A'-'D'. */
  digit: (digit: string) => void;
}

const SAMPLE_RATE = 8000;
/** Samples in a half-block; two make a window. */
const HALF = 53;
const WINDOW = 2 * HALF;
/** Q.23: the low (row) group, then the high (column) group. */
const FREQUENCIES = [697, 770, 852, 941, 1209, 1336, 1477, 1633];
/** Q.23: the key of row r and column c is KEYS[4 r + c]. */
const KEYS = '123A456B789C*0#D';

/** G.711: a sine at +3.14 dBm0 just reaches the A-law overload point (full scale, 32768). */
const ZERO_DBM0_PEAK = 32768 * 10 ** (-3.14 / 20);
/** Each A-law octet as a linear sample, scaled so that a 0 dBm0 sine has a peak of 1. */
const LINEAR = Float64Array.from({ length: 256 }, (_, octet) => alawToLinear(octet) / ZERO_DBM0_PEAK);

/**
 * Levels are compared as |X|^2, X a tone's DFT over one window: a sine of peak a filling the
 * window gives |X| = a N / 2, and L dBm0 is a peak of 10^(L/20). Its energy (sum of x^2) is
 * a^2 N / 2, so |X|^2 = energy N / 2.
 */
const powerOfDbm0 = (dbm0: number) => (10 ** (dbm0 / 10) * WINDOW * WINDOW) / 4;
const MIN_TONE = powerOfDbm0(-28);
const OVER_NEXT_IN_GROUP = 10 ** (8 / 10);
/** The two tones' share of the energy: in each window, and over the run. */
const TONE_SHARE = 0.8;
const RUN_SHARE = 0.9;
/** Twist limits on the run's average, a dB beyond the 4/8 dB accepted (see the class). */
const HIGH_ABOVE_LOW = 10 ** (9 / 10);
const HIGH_BELOW_LOW = 10 ** (-5 / 10);
/** Frequency offsets, as fractions: the run's average, one window's, and the most corrected. */
const MAX_OFFSET = 0.025;
const MAX_WINDOW_OFFSET = 0.04;
const CORRECTED_UP_TO = 0.015;
const WINDOWS_FOR_DIGIT = 4;
const WINDOWS_FOR_PAUSE = 6;

const OMEGA = Float64Array.from(FREQUENCIES, (f) => (2 * Math.PI * f) / SAMPLE_RATE);
const COEF = OMEGA.map((w) => 2 * Math.cos(w));
const COS = OMEGA.map((w) => Math.cos(w));
const SIN = OMEGA.map((w) => Math.sin(w));
/** e^(-j w 53): how far a tone at the filter's own frequency turns in one half-block, undone. */
const TURN_RE = OMEGA.map((w) => Math.cos(w * HALF));
const TURN_IM = OMEGA.map((w) => -Math.sin(w * HALF));

/**
 * An in-band DTMF receiver (ITU-T Q.23 signals, Q.24 acceptance) for the lines whose card has
 * none, the E1 timeslots: fed the caller's A-law audio, it reports each key press once.
 *
 * Analysis. Goertzel filters at the 8 Q.23 frequencies run over half-blocks of 53 samples
 * (6.6 ms). Two half-blocks in a row make a window of 106 samples (13.25 ms), so a window ends
 * every 53 samples and windows overlap by half at no extra filtering cost: a window's DFT is
 * its first half's plus its second half's turned by 53 samples of the filter's frequency.
 * 106 samples put the filters' first nulls 75.5 Hz away, near the 73 Hz between 697 and
 * 770 Hz, so the next row's tone hardly reaches a filter. Half-frames of 80 samples (nulls
 * 100 Hz away) would let it through at -10 dB, and one window a frame (160 samples) would make
 * the 20/40 ms duration limits too coarse to draw.
 *
 * A window shows a digit when (the figures are ours, within Q.24's ranges):
 * - the strongest tone of each group is at least -28 dBm0 (tones are taken from -27 dBm0 up,
 *   never at -29 dBm0 and below);
 * - each is at least 8 dB above the next strongest of its group (two keys at once is no digit);
 * - the two carry at least 80 % of the window's energy. Speech, music, noise and single tones
 *   (1004 Hz, the 450 Hz Chinese dial and busy tones) fail here, and so does a window less
 *   than about 80 % filled by a tone, which is what makes short tones fail the timing below;
 * - each tone's phase from the window before says it is within 4 % of its frequency (a
 *   window with no tone before it has no such phase: it does not count).
 *
 * Frequency. A 106-sample filter cannot tell 1.5 % from 3.5 % by level (at 697 Hz they differ
 * by 1.3 dB), so the offset is measured by phase: a tone at f + df turns, from one window to
 * the next, 2 pi df 53 / 8000 more than f does, unambiguous up to 75 Hz (4.6 % of 1633 Hz).
 * The run's average offset must be within 2.5 % (Q.24: accept 1.5 %, reject 3.5 %). Levels are
 * corrected for the offset measured, up to 1.5 % (a tone 1.5 % off loses 1.6 dB at 1633 Hz in
 * the filter), not beyond, so that a voice's harmonics near a pair gain nothing more. Measured:
 * tones 1.5 % off are always taken, also at the twist limits and at -25 dBm0; at 2 % one tone
 * off is mostly taken, both seldom; from 3 % never.
 *
 * Twist. The high tone's power, averaged over the run, must be between 5 dB below the low's and
 * 9 dB above it: a tone leaking from the other group (941 and 1209 Hz are 268 Hz apart, -21 dB
 * in a 106-sample filter) moves a window's reading by up to 2 dB at the ends of the range, and
 * the run's average by much less. Measured: high 4 dB below to 8 dB above always taken, even
 * at -25 dBm0 and 1.5 % off; 6 dB below never, 10 dB above only now and then with a tone
 * off frequency, 11 dB above never.
 *
 * Timing (one window every 6.6 ms):
 * - a digit is reported once 4 windows in a row show it and pass the checks above: tones of
 *   26 ms and less are never taken (Q.24: reject 20 ms), of 40 ms always (accept 40 ms);
 * - it is reported once, and again only after 6 windows in a row without it: a gap of 35 ms or
 *   more is always a pause (Q.24: 40 ms), one of 20 ms or less never (a break, not a pause).
 *   Another digit shown for 4 windows is a new key at once.
 *
 * Talk-off. Over the run the two tones must carry 90 % of the energy: a steady pair holds
 * about 98 % (93 % at worst: -25 dBm0, 8 dB twist, 1.5 % off), while a vowel whose formants
 * pick out two harmonics on a DTMF pair seldom holds 90 % for 40 ms. With a synthetic vowel
 * generator (pitch gliding between 85 and 245 Hz, three moving formants) we measured no digit
 * in ten minutes of unbroken talk with formants 180 Hz wide, one with formants 120 Hz wide.
 * Noise does not make digits; it hides them only when well above the weaker tone: all were
 * taken at 12 dB signal-to-noise ratio (white noise over 4 kHz) at equal levels.
 *
 * Cost: per sample a table look-up and, per filter, a multiply and two adds; per window a few
 * dozen operations (two atan2 and two sines for a window loud enough to hold a digit); no
 * allocation after construction (bench/dtmf.bench.mjs counts the collections).
 */
export class DtmfDetector extends TypedEmitter<DtmfDetectorEvents> {
  /** Goertzel state s[n-1], s[n-2] of the half-block under way. */
  private readonly s1 = new Float64Array(8);
  private readonly s2 = new Float64Array(8);
  /** The last half-block's DFT, up to a phase factor common to all of one filter's. */
  private readonly halfRe = new Float64Array(8);
  private readonly halfIm = new Float64Array(8);
  /** This window's DFT and the one before, same convention. */
  private windowRe = new Float64Array(8);
  private windowIm = new Float64Array(8);
  private previousRe = new Float64Array(8);
  private previousIm = new Float64Array(8);
  private readonly samples = new Float64Array(HALF);
  private filled = 0;
  private halfEnergy = 0;
  private previousHalfEnergy = 0;
  /** Half-blocks ended; a window needs 2, its frequency check 3. */
  private halves = 0;
  /** This window: each filter's |X|^2, and its energy. */
  private readonly powers = new Float64Array(8);
  private energy = 0;
  /** The strongest low [0] and high [1] tone of the window: offset (a fraction), corrected power. */
  private readonly offsets = new Float64Array(2);
  private readonly tonePowers = new Float64Array(2);
  /** The digit shown by the last windows in a row (-1: none), how many, and their sums. */
  private candidate = -1;
  private run = 0;
  private lowPowers = 0;
  private highPowers = 0;
  private energies = 0;
  private lowOffsets = 0;
  private highOffsets = 0;
  /** The digit reported and not yet ended by a pause (-1: none), and windows since it showed. */
  private held = -1;
  private missing = 0;

  /** Feeds one frame of A-law audio (160 octets on the media path; any length works). */
  push(frame: Buffer): void {
    let at = 0;
    while (at < frame.length) {
      const n = Math.min(HALF - this.filled, frame.length - at);
      let energy = 0;
      for (let i = 0; i < n; i++) {
        const x = LINEAR[frame[at + i]!]!;
        this.samples[i] = x;
        energy += x * x;
      }
      this.halfEnergy += energy;
      for (let k = 0; k < 8; k++) {
        const c = COEF[k]!;
        let s1 = this.s1[k]!;
        let s2 = this.s2[k]!;
        for (let i = 0; i < n; i++) {
          const s0 = this.samples[i]! + c * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
        this.s1[k] = s1;
        this.s2[k] = s2;
      }
      at += n;
      this.filled += n;
      if (this.filled === HALF) this.endHalf();
    }
  }

  private endHalf(): void {
    const re0 = this.previousRe;
    const im0 = this.previousIm;
    this.previousRe = this.windowRe;
    this.previousIm = this.windowIm;
    this.windowRe = re0;
    this.windowIm = im0;
    for (let k = 0; k < 8; k++) {
      const s1 = this.s1[k]!;
      const s2 = this.s2[k]!;
      // The half-block's DFT is e^(-j w 52) (s1 - e^(-j w) s2); the first factor is the same
      // for every half-block of the filter, so it is left out.
      const re = s1 - COS[k]! * s2;
      const im = SIN[k]! * s2;
      // window = the half before + this half turned by the 53 samples it comes later
      const wr = this.halfRe[k]! + TURN_RE[k]! * re - TURN_IM[k]! * im;
      const wi = this.halfIm[k]! + TURN_RE[k]! * im + TURN_IM[k]! * re;
      this.windowRe[k] = wr;
      this.windowIm[k] = wi;
      this.powers[k] = wr * wr + wi * wi;
      this.halfRe[k] = re;
      this.halfIm[k] = im;
      this.s1[k] = 0;
      this.s2[k] = 0;
    }
    // Doubles go between methods in fields, never as arguments or results: a call V8 does not
    // inline would box each one, an allocation per window.
    this.energy = this.previousHalfEnergy + this.halfEnergy;
    this.previousHalfEnergy = this.halfEnergy;
    this.halfEnergy = 0;
    this.filled = 0;
    this.halves++;
    if (this.halves >= 3) this.decide(this.classify());
  }

  /** The digit (index into KEYS) the window shows, or -1. */
  private classify(): number {
    // Silence and quiet sound: less energy than two tones at the threshold.
    if (this.energy < (4 * MIN_TONE) / WINDOW) return -1;
    const low = this.strongest(0);
    const high = this.strongest(4);
    this.measure(low, 0);
    this.measure(high, 1);
    if (Math.abs(this.offsets[0]!) > MAX_WINDOW_OFFSET || Math.abs(this.offsets[1]!) > MAX_WINDOW_OFFSET) return -1;
    const pl = this.tonePowers[0]!;
    const ph = this.tonePowers[1]!;
    if (pl < MIN_TONE || ph < MIN_TONE) return -1;
    for (let k = 0; k < 4; k++) {
      if (k !== low && this.powers[k]! * OVER_NEXT_IN_GROUP > pl) return -1;
      if (k + 4 !== high && this.powers[k + 4]! * OVER_NEXT_IN_GROUP > ph) return -1;
    }
    if (((pl + ph) * 2) / WINDOW < TONE_SHARE * this.energy) return -1;
    return 4 * low + (high - 4);
  }

  private strongest(first: number): number {
    let best = first;
    for (let k = first + 1; k < first + 4; k++) if (this.powers[k]! > this.powers[best]!) best = k;
    return best;
  }

  /**
   * Filter k's tone's offset from the filter's frequency, as a fraction of it, and its power
   * corrected for that offset (up to CORRECTED_UP_TO), into slot `tone` (0 low, 1 high).
   */
  private measure(k: number, tone: number): void {
    // this window x conj(window before) x e^(-j w 53): the turn beyond the filter's own
    const re = this.windowRe[k]!;
    const im = this.windowIm[k]!;
    const pr = this.previousRe[k]!;
    const pi = -this.previousIm[k]!;
    const zr = re * pr - im * pi;
    const zi = re * pi + im * pr;
    const turn = Math.atan2(zr * TURN_IM[k]! + zi * TURN_RE[k]!, zr * TURN_RE[k]! - zi * TURN_IM[k]!);
    const offset = turn / (OMEGA[k]! * HALF);
    this.offsets[tone] = offset;
    // A 106-sample filter passes a tone d radians a sample off at sin(N d / 2) / (N sin(d / 2)).
    const d = Math.min(Math.abs(offset), CORRECTED_UP_TO) * OMEGA[k]!;
    const gain = d === 0 ? 1 : Math.sin((WINDOW * d) / 2) / (WINDOW * Math.sin(d / 2));
    this.tonePowers[tone] = this.powers[k]! / (gain * gain);
  }

  private decide(shown: number): void {
    if (shown >= 0 && shown === this.candidate) {
      this.run++;
      this.lowPowers += this.tonePowers[0]!;
      this.highPowers += this.tonePowers[1]!;
      this.energies += this.energy;
      this.lowOffsets += this.offsets[0]!;
      this.highOffsets += this.offsets[1]!;
    } else {
      // A run's offsets count from its second window: the first one's compares with a window
      // that showed something else.
      this.candidate = shown;
      this.run = 1;
      this.lowPowers = this.tonePowers[0]!;
      this.highPowers = this.tonePowers[1]!;
      this.energies = this.energy;
      this.lowOffsets = 0;
      this.highOffsets = 0;
    }
    if (this.held >= 0) {
      if (shown === this.held) this.missing = 0;
      else if (++this.missing >= WINDOWS_FOR_PAUSE) this.held = -1;
    }
    if (shown >= 0 && shown !== this.held && this.run >= WINDOWS_FOR_DIGIT && this.runPasses()) {
      this.held = shown;
      this.missing = 0;
      this.emit('digit', KEYS[shown]!);
    }
  }

  /** Twist and frequency, averaged over the run so that leakage between the tones evens out. */
  private runPasses(): boolean {
    const hops = this.run - 1;
    return (
      ((this.lowPowers + this.highPowers) * 2) / WINDOW >= RUN_SHARE * this.energies &&
      this.highPowers <= this.lowPowers * HIGH_ABOVE_LOW &&
      this.highPowers >= this.lowPowers * HIGH_BELOW_LOW &&
      Math.abs(this.lowOffsets / hops) <= MAX_OFFSET &&
      Math.abs(this.highOffsets / hops) <= MAX_OFFSET
    );
  }
}

/** The digits a run of A-law frames carries, in order (for tests and tools). */
export function detectDigits(frames: readonly Buffer[]): string {
  const detector = new DtmfDetector();
  let digits = '';
  detector.on('digit', (d) => (digits += d));
  for (const frame of frames) detector.push(frame);
  return digits;
}
