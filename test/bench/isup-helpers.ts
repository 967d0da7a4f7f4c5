// Shared readings for the SS7 bench tests: the box's side through `countyline`, the
// exchange's side through the simulator's control API.
import type { Rig } from '../../scripts/lib/bench-rig.mjs';

export async function circuits(rig: Rig): Promise<any[]> {
  const r = await rig.cli(['circuits', '--json']);
  if (r.code !== 0) throw new Error(`countyline circuits: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The box's ISUP counters from `countyline metrics` (Prometheus text). */
export async function boxCounters(rig: Rig) {
  const r = await rig.cli(['metrics']);
  if (r.code !== 0) throw new Error(`countyline metrics: ${r.stderr}`);
  const value = (pattern: RegExp) => Number(pattern.exec(r.stdout)?.[1] ?? 0);
  return {
    inCompleted: value(/^countyline_isup_calls_total\{direction="in",result="completed"\} (\d+)/m),
    inFailed: value(/^countyline_isup_calls_total\{direction="in",result="failed"\} (\d+)/m),
    outCompleted: value(/^countyline_isup_calls_total\{direction="out",result="completed"\} (\d+)/m),
    outFailed: value(/^countyline_isup_calls_total\{direction="out",result="failed"\} (\d+)/m),
    glaresWon: value(/^countyline_isup_glares\{outcome="won"\} (\d+)/m),
    glaresLost: value(/^countyline_isup_glares\{outcome="lost"\} (\d+)/m),
    malformed: value(/^countyline_isup_malformed (\d+)/m),
  };
}

export async function exchange(rig: Rig): Promise<any> {
  return rig.simGet('/exchange');
}

/** Firmware log lines (JSON) that match. */
export function firmwareLog(rig: Rig, match: (entry: any) => boolean): any[] {
  return rig
    .fullLog('firmware')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    })
    .filter(match);
}

export async function until<T>(what: string, fn: () => Promise<T | false | null | undefined>, timeoutMs: number, stepMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
