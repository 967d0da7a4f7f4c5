import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';
import type { RolledBack } from '../telemetry/desired-config.js';

/** Where the box remembers the desired revision it rolled back: `<dataDir>/desired-config.json`. */
export const rolledBackFile = (dataDir: string): string => join(dataDir, 'desired-config.json');

/** The revision rolled back last, or null (none, or a file that does not read as one). */
export async function readRolledBack(dataDir: string): Promise<RolledBack | null> {
  let saved: unknown;
  try {
    saved = JSON.parse(await readFile(rolledBackFile(dataDir), 'utf8'));
  } catch {
    return null;
  }
  const r = (saved as { rolledBack?: Partial<RolledBack> } | null)?.rolledBack;
  return r && Number.isSafeInteger(r.revision) && typeof r.reason === 'string' && typeof r.at === 'number' ? { revision: r.revision!, reason: r.reason, at: r.at } : null;
}

export function writeRolledBack(dataDir: string, rolledBack: RolledBack): Promise<void> {
  return writeFileAtomic(rolledBackFile(dataDir), `${JSON.stringify({ version: 1, rolledBack })}\n`);
}
