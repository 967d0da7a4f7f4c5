/* global AbortController */
// Callers and faults for the bench job, through the card simulators' control APIs.
//
// E1: the simulator's exchange makes its own calls, a Poisson process (POST /traffic).
// FXO: callers here ring idle lines with caller ID at exponential gaps (a Poisson process
// too) and hang up when their patience runs out, answered or not.
// Faults now and then, one at a time, in turn: LOS on the E1 span for some seconds, an FXO
// line unplugged for a while, a glare burst (every IAM of the box meets one of the exchange on
// the same CIC while the box places a few calls out).

/** A random number generator (seeded: mulberry32), and exponential gaps from it. */
export function randomSource(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, exponential: (mean) => -mean * Math.log(1 - next()) };
}

/** A sleep that a stop cuts short. */
function pause(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const abort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Sets the E1 exchange's call rate and mean hold time. */
export function setE1Traffic(rig, { callsPerMinute, holdSeconds }) {
  return rig.simPost('/traffic', { callsPerMinute, holdSeconds });
}

/**
 * Callers on the FXO county's lines: a call every `meanGapMs` on average to an idle,
 * plugged line (a caller who finds every line busy gets busy tone from the exchange and is
 * only counted in `stats.busy`). Returns { stats, setMeanGap(ms), stopRinging(), stop() }.
 */
export function startFxoCallers(rig, { meanGapMs, random, patienceMs = 20_000, onError = () => {}, stats = { rung: 0, busy: 0, hungUp: 0 } }) {
  const stopped = new AbortController();
  /** Aborted when no new caller comes; those on the lines keep their patience until stop(). */
  const ringing = new AbortController();
  stopped.signal.addEventListener('abort', () => ringing.abort(), { once: true });
  let gap = meanGapMs;
  // A caller who hangs up while the line still rings leaves the box unsure until the ring
  // cadence's pause has run out (6 s): the exchange rings that line again only after that.
  const RING_GAP_MS = 7000;
  const restUntil = new Map();
  /** Per port: bumped each time the port is seen idle, so a late hang-up never hits the next call. */
  const generation = new Map();
  const busy = new Set();
  const pending = new Set();

  const look = async () => {
    const ports = (await rig.simGet('/state')).fxo;
    for (const p of ports) {
      if (p.call === 'idle' && busy.has(p.port)) {
        busy.delete(p.port);
        generation.set(p.port, (generation.get(p.port) ?? 0) + 1);
      }
    }
    return ports;
  };

  const hangUpLater = (port, gen) => {
    const patience = Math.min(45_000, Math.max(3000, random.exponential(patienceMs)));
    const done = pause(patience, stopped.signal).then(async () => {
      if (stopped.signal.aborted) return;
      const ports = await look();
      const p = ports.find((x) => x.port === port);
      if (!p || generation.get(port) !== gen || !busy.has(port)) return;
      if (p.call === 'ringing') restUntil.set(port, Date.now() + RING_GAP_MS);
      await rig.simPost(`/fxo/${port}/hangup`).catch((err) => {
        // The call may have ended on its own since the state was read.
        if (!/-> 409/.test(err.message)) throw err;
      });
      stats.hungUp++;
    }).catch((err) => { if (!stopped.signal.aborted) onError(err); });
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };

  const loop = (async () => {
    while (!ringing.signal.aborted) {
      await pause(random.exponential(gap), ringing.signal);
      if (ringing.signal.aborted) break;
      try {
        const now = Date.now();
        const idle = (await look()).filter((p) => p.plugged && p.call === 'idle' && !busy.has(p.port) && now >= (restUntil.get(p.port) ?? 0));
        if (idle.length === 0) {
          stats.busy++;
          continue;
        }
        const { port } = idle[Math.floor(random.next() * idle.length)];
        // Mobile numbers from a pool smaller than the calls, so some callers call again.
        const callerId = `139${String(Math.floor(random.next() * 500)).padStart(8, '0')}`;
        busy.add(port);
        try {
          await rig.simPost(`/fxo/${port}/ring`, { callerId });
        } catch (err) {
          // Idle a moment ago, off-hook or unplugged now: this caller gets busy tone.
          busy.delete(port);
          if (!/-> 409/.test(err.message)) throw err;
          stats.busy++;
          continue;
        }
        stats.rung++;
        hangUpLater(port, generation.get(port) ?? 0);
      } catch (err) {
        if (!stopped.signal.aborted) onError(err);
      }
    }
  })();

  return {
    stats,
    setMeanGap(ms) { gap = ms; },
    /** No new callers; resolves when the last caller on a line has hung up or been answered and left. */
    async stopRinging() {
      ringing.abort();
      await loop;
      await Promise.all(pending);
    },
    async stop() {
      stopped.abort();
      await loop;
      await Promise.all(pending);
    },
  };
}

/**
 * Faults in turn, one every `meanGapMs` on average: `faults` is a list of
 * { name, prepare?(), run(signal) } whose run resolves when the fault is over (repaired);
 * prepare() picks what it will hit before `onFault(fault, 'start')` names it ('end' follows).
 * Returns { stop() }; a stop mid-fault waits for the repair.
 */
export function startFaults(faults, { meanGapMs, random, onFault = () => {}, onError = () => {} }) {
  const stopped = new AbortController();
  const loop = (async () => {
    for (let i = 0; !stopped.signal.aborted; i++) {
      await pause(random.exponential(meanGapMs), stopped.signal);
      if (stopped.signal.aborted) break;
      const fault = faults[i % faults.length];
      try {
        fault.prepare?.();
        onFault(fault, 'start');
        await fault.run(stopped.signal);
        onFault(fault, 'end');
      } catch (err) {
        if (!stopped.signal.aborted) onError(err);
      }
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await loop;
    },
  };
}

/**
 * The faults the bench knows, each resolving when it is over (repaired): `seconds` long (a
 * stop cuts it short, and repairs). LOS on the E1 span; an FXO line (`port`) unplugged; a
 * glare burst, the box calling out three times while every IAM of it meets one of the
 * exchange on the same CIC (Q.764 2.10.1.4 dual seizure).
 */
export const FAULT_RUNS = {
  async los({ e1 }, { seconds }, signal) {
    await e1.simPost('/spans/0/defects', { los: true });
    try {
      await pause(seconds * 1000, signal);
    } finally {
      await e1.simPost('/spans/0/defects', { los: false });
    }
  },
  async unplug({ fxo }, { port, seconds }, signal) {
    await fxo.simPost(`/fxo/${port}/line`, { plugged: false });
    try {
      await pause(seconds * 1000, signal);
    } finally {
      await fxo.simPost(`/fxo/${port}/line`, { plugged: true });
    }
  },
  async glare({ e1 }, _params, signal) {
    await e1.simPost('/glare', { ratio: 1 });
    try {
      const run = e1.spawnCli(['call', '12345', '--count', '3', '--per-minute', '60', '--hold', '3']);
      const kill = () => run.child.kill('SIGTERM');
      signal.addEventListener('abort', kill, { once: true });
      // Exit 1 when a call failed, which glare may cause: the box says why in its log.
      await run.closed.finally(() => signal.removeEventListener('abort', kill));
    } finally {
      await e1.simPost('/glare', { ratio: 0 });
    }
  },
};

/** What a fault is, for the job's output. */
export function describeFault(name, { port, seconds } = {}) {
  switch (name) {
    case 'los':
      return { en: `LOS on the E1 span for ${seconds} s (the cable pulled)`, zh: `E1 线路 LOS ${seconds} 秒 (拔线)` };
    case 'unplug':
      return { en: `FXO line ${port} unplugged for ${seconds} s`, zh: `第 ${port} 路 FXO 模拟线拔出 ${seconds} 秒` };
    default:
      return { en: "a glare burst: the box calls out 3 times, each IAM meets the exchange's on the same CIC", zh: '同抢突发: 主机外呼 3 次, 每次与交换机在同一电路上同时占用' };
  }
}

/** The bench job's three faults in turn, on the E1 county's rig and the FXO county's. */
export function benchFaults(rigs, { random }) {
  const fault = (name, params) => ({
    name,
    prepare() {
      this.params = typeof params === 'function' ? params() : params;
      this.what = describeFault(name, this.params);
    },
    run(signal) {
      return FAULT_RUNS[name](rigs, this.params, signal);
    },
  });
  return [fault('los', { seconds: 10 }), fault('unplug', () => ({ port: Math.floor(random.next() * 5), seconds: 20 })), fault('glare', {})];
}

/** Mean hold time of the E1 exchange's calls, in seconds (the agent may hang up first). */
export const E1_HOLD_S = 20;

/**
 * The job's traffic into both offices: the E1 exchange's calls and the FXO callers, in calls
 * a minute each. Returns { set({ e1PerMinute, fxoPerMinute }), rates, fxoStats, stop() }.
 */
export async function startJobTraffic(job, { e1PerMinute, fxoPerMinute, random, onError }) {
  const rates = { e1PerMinute, fxoPerMinute };
  const gap = (perMinute) => (perMinute > 0 ? 60_000 / perMinute : 0);
  let callers = null;
  /** Callers of an earlier rate still on the lines, keeping their patience. */
  const leaving = new Set();
  const fxoStats = { rung: 0, busy: 0, hungUp: 0 };
  const setFxo = (perMinute) => {
    if (perMinute > 0 && callers) return callers.setMeanGap(gap(perMinute));
    if (perMinute > 0) {
      callers = startFxoCallers(job.fxo.rig, { meanGapMs: gap(perMinute), random, onError, stats: fxoStats });
      return;
    }
    if (callers) {
      const last = callers;
      leaving.add(last);
      void last.stopRinging().finally(() => leaving.delete(last));
    }
    callers = null;
  };
  await setE1Traffic(job.e1.rig, { callsPerMinute: e1PerMinute, holdSeconds: E1_HOLD_S });
  setFxo(fxoPerMinute);
  return {
    rates,
    fxoStats,
    async set(next) {
      if (next.e1PerMinute !== undefined) {
        rates.e1PerMinute = next.e1PerMinute;
        await setE1Traffic(job.e1.rig, { callsPerMinute: next.e1PerMinute, holdSeconds: E1_HOLD_S });
      }
      if (next.fxoPerMinute !== undefined) {
        rates.fxoPerMinute = next.fxoPerMinute;
        setFxo(next.fxoPerMinute);
      }
    },
    /** Every caller gone at once (their hang-ups not waited for). */
    async stop() {
      const all = [callers, ...leaving].filter(Boolean);
      callers = null;
      await Promise.all(all.map((c) => c.stop()));
    },
  };
}
