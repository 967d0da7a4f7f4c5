/**
 * Levels on the 16-bit linear scale of g711.ts. G.711 (section 4, "theoretical load
 * capacity") puts A-law's overload point, 4096 on its 13-bit scale (32768 here), at
 * +3.14 dBm0. A sine at 0 dBm0 therefore peaks 3.14 dB below it; the digital milliwatt of
 * G.711 Table 5 is that sine at 1 kHz.
 */
export const ALAW_OVERLOAD_DBM0 = 3.14;

/** Peak amplitude of a 0 dBm0 sine: 32768 / 10^(3.14/20), about 22827. */
export const PEAK_0DBM0 = 32768 / 10 ** (ALAW_OVERLOAD_DBM0 / 20);

/** RMS of a 0 dBm0 sine, about 16141. */
export const RMS_0DBM0 = PEAK_0DBM0 / Math.SQRT2;

/** Peak amplitude of a sine at `dbm0`. */
export function sinePeak(dbm0: number): number {
  return PEAK_0DBM0 * 10 ** (dbm0 / 20);
}

/** The level in dBm0 of a signal with this RMS on the 16-bit scale. */
export function rmsToDbm0(rms: number): number {
  return 20 * Math.log10(rms / RMS_0DBM0);
}

/** One 20 ms frame: 160 samples at 8000 a second, one A-law octet each. */
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
