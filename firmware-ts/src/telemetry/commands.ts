import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { CountylineError } from '../errors.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import type { Outbox } from './outbox.js';
import { COMMAND_NAMES, CommandPayloads, type CommandName, type CommandResult } from './schema.js';

/** What each command does on the box; each resolves with its result or throws a CountylineError. */
export interface CommandActions {
  'test-call': (circuit: string) => Promise<Record<string, unknown>>;
  block: (cic: number) => Promise<Record<string, unknown>>;
  unblock: (cic: number) => Promise<Record<string, unknown>>;
  'bulletin-set': (text: string, until: number | null) => Promise<Record<string, unknown>>;
  'bulletin-clear': () => Promise<Record<string, unknown>>;
  rebirth: () => Promise<Record<string, unknown> | null>;
}

export interface CommandHandlerOptions {
  /** The remembered answers, e.g. `<dataDir>/telemetry-commands.json`. */
  file: string;
  outbox: Outbox;
  actions: CommandActions;
  logger: Logger;
  /** Told of each command refused before it ran (bad JSON, schema), by error code. */
  onRefused?: (code: string) => void;
  /** How many answers are remembered for repeats; default 500. */
  remember?: number;
}

type Answer = Pick<CommandResult, 'id' | 'name' | 'ok' | 'result' | 'error'>;

/**
 * Commands from central (`cmd/<name>`), answered on `cmd-result` through the outbox. Each
 * carries an id: an id seen before is answered again from memory without running the command
 * twice (central repeats a command it heard no answer to). The latest answers are kept on disk
 * before the answer is sent, so a restart does not forget them.
 */
export class CommandHandler {
  private readonly answers = new Map<string, Answer>();
  private readonly running = new Set<string>();
  private readonly limit: number;
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly o: CommandHandlerOptions) {
    this.limit = o.remember ?? 500;
  }

  static async open(o: CommandHandlerOptions): Promise<CommandHandler> {
    const handler = new CommandHandler(o);
    try {
      const saved = JSON.parse(await readFile(o.file, 'utf8')) as { answers?: Answer[] };
      for (const a of saved.answers ?? []) if (typeof a?.id === 'string') handler.answers.set(a.id, a);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.logger.error({ err: (err as Error).message, file: o.file }, 'telemetry: remembered command answers unreadable; starting without them');
    }
    return handler;
  }

  /** Handles one command message; resolves once its answer is in the outbox. */
  async receive(name: string, raw: Buffer): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const id = typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : null;
    if (id === null || id === '' || id.length > 64) {
      // Without an id there is nothing to answer to.
      this.o.onRefused?.('bad-command');
      this.o.logger.error({ name, octets: raw.length }, 'telemetry: a command without a usable id (not JSON, or no "id" string); ignored');
      return;
    }
    const known = this.answers.get(id);
    if (known) {
      this.o.logger.info({ id, name }, 'telemetry: command repeated; answered again from memory');
      await this.send(known);
      return;
    }
    if (this.running.has(id)) return; // the answer follows when it is done
    if (!(COMMAND_NAMES as readonly string[]).includes(name)) return this.refuse({ id, name }, 'bad-command', `no command ${JSON.stringify(name)}; known: ${COMMAND_NAMES.join(', ')}`);
    const command = name as CommandName;
    const schema = CommandPayloads[command];
    const error = Value.Errors(schema, body).First();
    if (error) return this.refuse({ id, name }, 'bad-command', `${error.path || '(the message)'}: ${error.message}`);

    this.running.add(id);
    let answer: Answer;
    try {
      const result = await this.run(command, body as Record<string, unknown>);
      answer = { id, name, ok: true, result, error: null };
    } catch (err) {
      const own = (err as { code?: unknown }).code;
      const code = err instanceof CountylineError ? err.code : typeof own === 'string' ? own : 'failed';
      answer = { id, name, ok: false, result: null, error: { code, message: (err as Error).message.slice(0, 500) } };
    } finally {
      this.running.delete(id);
    }
    this.o.logger.info({ id, name, ok: answer.ok, error: answer.error?.code }, 'telemetry: command done');
    await this.remember(answer);
    await this.send(answer);
  }

  private run(name: CommandName, body: Record<string, unknown>): Promise<Record<string, unknown> | null> {
    const a = this.o.actions;
    switch (name) {
      case 'test-call':
        return a['test-call'](body.circuit as string);
      case 'block':
        return a.block(body.cic as number);
      case 'unblock':
        return a.unblock(body.cic as number);
      case 'rebirth':
        return a.rebirth();
      case 'bulletin-set':
        return a['bulletin-set'](body.text as string, body.until as number | null);
      case 'bulletin-clear':
        return a['bulletin-clear']();
    }
  }

  private async refuse(who: { id: string; name: string }, code: string, message: string): Promise<void> {
    this.o.onRefused?.(code);
    this.o.logger.error({ ...who, code, message }, 'telemetry: command refused');
    const answer: Answer = { ...who, ok: false, result: null, error: { code, message: message.slice(0, 500) } };
    await this.remember(answer);
    await this.send(answer);
  }

  private async send(answer: Answer): Promise<void> {
    try {
      await this.o.outbox.create('cmd-result', answer);
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, id: answer.id }, 'telemetry: could not queue a command answer');
    }
  }

  private remember(answer: Answer): Promise<void> {
    this.answers.set(answer.id, answer);
    while (this.answers.size > this.limit) this.answers.delete(this.answers.keys().next().value!);
    const text = JSON.stringify({ version: 1, answers: [...this.answers.values()] });
    this.saving = this.saving.then(() =>
      writeFileAtomic(this.o.file, text).catch((err: Error) => this.o.logger.error({ err: err.message, file: this.o.file }, 'telemetry: could not save the command answers')),
    );
    return this.saving;
  }
}
