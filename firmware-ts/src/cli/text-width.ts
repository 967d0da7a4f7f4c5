/**
 * Terminal display width: East Asian wide and fullwidth characters (Han, kana, Hangul, CJK
 * punctuation, fullwidth forms) take two columns, as terminals draw them (Unicode UAX #11).
 * Enough for the CLI's own texts; combining marks and emoji are not used there.
 */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** Pads with spaces to `width` columns (never cuts). */
export function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
