import { readFile } from 'node:fs/promises';
import { CountylineError } from '../errors.js';
import type { Config } from './config-schema.js';

/**
 * The files the config names that the firmware reads only later, checked before anything
 * runs: an unreadable `central.caFile` would otherwise show only as telemetry failing to
 * connect, over and over, long after the technician left the box.
 */
export async function checkConfigFiles(config: Config): Promise<void> {
  const caFile = config.central?.caFile;
  if (!caFile) return;
  try {
    await readFile(caFile);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CountylineError('ca-file-unreadable', { key: 'central.caFile', file: caFile, detail: e.code ?? e.message });
  }
}
