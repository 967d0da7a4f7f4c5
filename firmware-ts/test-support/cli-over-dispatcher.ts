// The CLI against some control handlers, with no socket and no firmware: `main(argv, io)`
// talks to a ControlDispatcher over the handlers, and every answer and error crosses as JSON,
// as it does on the control socket. For CLI tests of one or two control methods.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { main, type CliIo } from '../src/cli/cli.js';
import { checkResult, type FirmwareConnection } from '../src/control/control-client.js';
import { ControlDispatcher } from '../src/control/control-dispatcher.js';
import { CountylineError, fromWire } from '../src/errors.js';
import { controlHandlers, type ControlTarget } from '../src/firmware-control.js';

export interface CliRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A `countyline` runner whose firmware is `target` (only the parts the methods under test
 * use). A config naming `dir` is written; `now` is the CLI's clock.
 */
export async function cliOverDispatcher(target: Partial<ControlTarget>, dir: string, { now = () => Date.now() }: { now?: () => number } = {}) {
  const dispatcher = new ControlDispatcher(controlHandlers(target as ControlTarget), pino({ level: 'silent' }));
  const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  const connection: FirmwareConnection = {
    async call(method, params) {
      try {
        return checkResult(method, wire(await dispatcher.call(method, wire(params) as typeof params)));
      } catch (err) {
        throw err instanceof CountylineError ? fromWire(wire(err.toWire()) as ReturnType<CountylineError['toWire']>) : err;
      }
    },
  };
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ card: { path: '/dev/ttyS1' }, dataDir: join(dir, 'data'), control: { socket: join(dir, 'control.sock') } }));
  return async (...argv: string[]): Promise<CliRunResult> => {
    const out = { stdout: '', stderr: '' };
    const io: CliIo = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: { LANG: 'C' },
      connect: () => connection,
      runFirmware: () => Promise.reject(new Error('not in this test')),
      now,
      sleep: () => Promise.resolve(),
    };
    const code = await main(['--config', config, ...argv], io);
    return { code, ...out };
  };
}
