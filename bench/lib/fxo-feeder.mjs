// Keeps the card simulator's FXO lines ringing: a bench's traffic on the analog lines.
import { repeatUntilStopped } from './repeat.mjs';

/**
 * Rings each FXO line again as soon as it is idle (plugged, on-hook, no call), with a caller
 * ID of its own, until stopped; counts the rings and the lines in a call at each look.
 */
export function fxoFeeder(rig, { pollMs = 250 } = {}) {
  const rings = [];
  const samples = [];
  let n = 0;
  const loop = repeatUntilStopped(async () => {
    const { fxo } = await rig.simGet('/state');
    samples.push({ at: Date.now(), busy: fxo.filter((p) => p.call !== 'idle').length, talking: fxo.filter((p) => p.call === 'connected').length });
    for (const p of fxo.filter((x) => x.plugged && x.call === 'idle' && !x.offHook)) {
      const callerId = `1390000${String(n++).padStart(4, '0')}`;
      await rig.simPost(`/fxo/${p.port}/ring`, { callerId });
      rings.push({ at: Date.now(), port: p.port, callerId });
    }
  }, pollMs);
  return Object.assign(loop, { rings, samples });
}
