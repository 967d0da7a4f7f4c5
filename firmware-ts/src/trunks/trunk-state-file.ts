import { readFile } from 'node:fs/promises';
import type { SavedG826 } from './g826-counters.js';
import type { CircuitRecord } from './test-call-scheduler.js';

/**
 * What trunk health keeps across a restart (`<dataDir>/trunks.json`): the G.826 intervals
 * of each span and the test-call record of each circuit, so a blocked circuit stays blocked
 * and the day's counters are not lost when the firmware restarts.
 */
export interface TrunkStateFile {
  version: 1;
  spans: { span: number; g826: SavedG826 }[];
  circuits: CircuitRecord[];
}

export class TrunkStateFileError extends Error {
  override readonly name = 'TrunkStateFileError';
}

/** Reads the file: null if absent; TrunkStateFileError if it cannot be used. */
export async function readTrunkState(path: string): Promise<TrunkStateFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TrunkStateFileError(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TrunkStateFileError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const file = data as Partial<TrunkStateFile>;
  if (typeof data !== 'object' || data === null || file.version !== 1 || !Array.isArray(file.spans) || !Array.isArray(file.circuits)) {
    throw new TrunkStateFileError(`${path}: not a version 1 trunk state file`);
  }
  for (const r of file.circuits) {
    if (typeof r?.circuit !== 'string' || typeof r.blocked !== 'boolean' || typeof r.consecutiveFailures !== 'number') {
      throw new TrunkStateFileError(`${path}: a circuit record is malformed`);
    }
  }
  for (const s of file.spans) {
    if (typeof s?.span !== 'number' || typeof s.g826 !== 'object' || s.g826 === null || !Array.isArray(s.g826.history)) {
      throw new TrunkStateFileError(`${path}: a span record is malformed`);
    }
  }
  return file as TrunkStateFile;
}
