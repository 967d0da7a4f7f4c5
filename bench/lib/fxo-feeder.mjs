// Keeps the card simulator's FXO lines ringing: a bench's traffic on the analog lines.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rings each FXO line again as soon as it is idle (plugged, on-hook, no call), with a caller
 * ID of its own, until stopped; counts the rings and the lines in a call at each look.
 */
export function fxoFeeder(rig, { pollMs = 250 } = {}) {
  const feeder = { rings: [], samples: [], error: null, stopped: false };
  let n = 0;
  feeder.done = (async () => {
    while (!feeder.stopped) {
      try {
        const { fxo } = await rig.simGet('/state');
        feeder.samples.push({ at: Date.now(), busy: fxo.filter((p) => p.call !== 'idle').length, talking: fxo.filter((p) => p.call === 'connected').length });
        for (const p of fxo.filter((x) => x.plugged && x.call === 'idle' && !x.offHook)) {
          const callerId = `1390000${String(n++).padStart(4, '0')}`;
          await rig.simPost(`/fxo/${p.port}/ring`, { callerId });
          feeder.rings.push({ at: Date.now(), port: p.port, callerId });
        }
      } catch (err) {
        feeder.error = err;
        return;
      }
      await sleep(pollMs);
    }
  })();
  feeder.stop = async () => {
    feeder.stopped = true;
    await feeder.done;
  };
  return feeder;
}
