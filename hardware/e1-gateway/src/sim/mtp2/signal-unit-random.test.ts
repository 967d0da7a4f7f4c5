import t from 'tap';
import { seededRandom } from '../../random.js';
import { decodeSignalUnit, encodeSignalUnit, LSSU_STATUSES, SignalUnitError, type SignalUnit } from './signal-unit.js';

// Seeded random inputs. A failure names its seed; rerun it with MTP2_RANDOM_SEED=<seed>.
const SEED = Number(process.env.MTP2_RANDOM_SEED ?? 0x703);

function randomUnit(next: () => number): SignalUnit {
  const int = (max: number) => Math.floor(next() * max);
  const seq = { bsn: int(128), bib: int(2) as 0 | 1, fsn: int(128), fib: int(2) as 0 | 1 };
  const kind = int(3);
  if (kind === 0) return { kind: 'fisu', ...seq };
  if (kind === 1) return { kind: 'lssu', ...seq, status: LSSU_STATUSES[int(LSSU_STATUSES.length)]! };
  const length = next() < 0.2 ? 60 + int(10) : 3 + int(271);
  return { kind: 'msu', ...seq, data: Uint8Array.from({ length }, () => int(256)) };
}

t.test(`random units round-trip (seed ${SEED})`, async (t) => {
  const next = seededRandom(SEED);
  for (let i = 0; i < 5000; i++) {
    const su = randomUnit(next);
    const back = decodeSignalUnit(encodeSignalUnit(su), { checkFcs: true });
    if (JSON.stringify(back, replacer) !== JSON.stringify(su, replacer)) {
      t.fail(`unit ${i} came back different`, { su, back });
      return;
    }
  }
  t.pass('5000 units');
});

t.test(`random and damaged octets never throw anything but SignalUnitError (seed ${SEED})`, async (t) => {
  const next = seededRandom(SEED + 1);
  const int = (max: number) => Math.floor(next() * max);
  const seen = new Set<string>();
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    let bytes: Uint8Array;
    if (next() < 0.5) {
      bytes = Uint8Array.from({ length: int(300) }, () => int(256));
    } else {
      // A valid unit with a few octets changed, cut short or lengthened.
      const good = [...encodeSignalUnit(randomUnit(next))];
      for (let n = int(3); n >= 0; n--) good[int(good.length)] = int(256);
      if (next() < 0.2) good.length = int(good.length);
      if (next() < 0.1) good.push(...Array.from({ length: int(4) }, () => int(256)));
      bytes = Uint8Array.from(good);
    }
    for (const checkFcs of [true, false]) {
      try {
        const su = decodeSignalUnit(bytes, { checkFcs });
        decoded++;
        // What decodes re-encodes, and that decodes to the same fields.
        const again = decodeSignalUnit(encodeSignalUnit(su), { checkFcs: true });
        if (JSON.stringify(again, replacer) !== JSON.stringify(su, replacer)) t.fail('re-encoding changed the unit', { bytes: [...bytes] });
      } catch (err) {
        if (!(err instanceof SignalUnitError)) {
          t.fail(`input ${i} threw ${String(err)}`, { bytes: [...bytes] });
          return;
        }
        seen.add(err.code);
      }
    }
  }
  t.same([...seen].sort(), ['fcs', 'length-indicator', 'long', 'short', 'status'], 'every error code was reached');
  t.ok(decoded > 1000, `some inputs decoded (${decoded})`);
});

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? [...value] : value;
}
