// Shared readings for the SS7 bench tests: the box's side through `countyline`, the
// exchange's side through the simulator's control API.
import { statSync } from 'node:fs';
import type { Rig } from '../../scripts/lib/bench-rig.mjs';
import { waitFor } from '../../scripts/lib/bench-rig.mjs';

export async function circuits(rig: Rig): Promise<any[]> {
  return rig.json(['circuits']);
}

/** The box's row for one CIC in `countyline circuits --json`. */
export async function circuitAtBox(rig: Rig, cic: number): Promise<any> {
  return (await circuits(rig)).find((r) => r.cic === cic);
}

/** The box's ISUP counters from `countyline metrics` (Prometheus text). */
export async function boxCounters(rig: Rig) {
  const { stdout } = await rig.cli(['metrics']);
  const value = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? 0);
  return {
    inCompleted: value(/^countyline_isup_calls_total\{direction="in",result="completed"\} (\d+)/m),
    inFailed: value(/^countyline_isup_calls_total\{direction="in",result="failed"\} (\d+)/m),
    outCompleted: value(/^countyline_isup_calls_total\{direction="out",result="completed"\} (\d+)/m),
    outFailed: value(/^countyline_isup_calls_total\{direction="out",result="failed"\} (\d+)/m),
    glaresWon: value(/^countyline_isup_glares\{outcome="won"\} (\d+)/m),
    glaresLost: value(/^countyline_isup_glares\{outcome="lost"\} (\d+)/m),
    malformed: value(/^countyline_isup_malformed (\d+)/m),
    continuityFailed: value(/^countyline_isup_continuity_failed (\d+)/m),
  };
}

export async function exchange(rig: Rig): Promise<any> {
  return rig.simGet('/exchange');
}

/** Waits until the exchange has every one of its 30 circuits reset with the box. */
export function exchangeReady(rig: Rig): Promise<unknown> {
  return waitFor('the exchange to have all 30 circuits reset with the box', async (seen) => seen((await exchange(rig)).readyCircuits) === 30, 10_000);
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

const PCAP_HEADER_BYTES = 24;
/** The capture probe's circuit: one the exchange controls, which our selection takes last. */
export const PROBE_CIC = 30;

/**
 * Waits until `countyline capture` is recording into `file`: the exchange resets an idle
 * circuit (RSC, our RLC) until the file holds more than its header. The capture records from
 * the moment the firmware has its request, which no output of the CLI shows.
 */
export async function captureRecording(rig: Rig, file: string): Promise<void> {
  await waitFor('the capture file to get its first record', async (seen) => {
    const size = seen(statSync(file, { throwIfNoEntry: false })?.size ?? 0);
    if (size > PCAP_HEADER_BYTES) return true;
    await rig.simPost(`/exchange/circuits/${PROBE_CIC}/reset`);
    return false;
  }, 10_000, { intervalMs: 300 });
}
