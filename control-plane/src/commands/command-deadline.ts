import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../alarms/clock.js';
import type { Store, StoredCommand } from '../store/store.js';

/** How long central waits for a box to answer a command, unless `--command-timeout` says otherwise. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 300_000;
/** How often the sweep looks for commands past their deadline (a time-out shows at most this late). */
export const DEFAULT_SWEEP_EVERY_MS = 5_000;

export interface CommandDeadlineOptions {
  store: Pick<Store, 'timeOutCommands'>;
  clock: Clock;
  logger: Logger;
  /** `countyline_central_commands_timed_out_total` goes in it. */
  registry: Registry;
  /** Default DEFAULT_SWEEP_EVERY_MS. */
  everyMs?: number;
}

/**
 * The command deadline: a box that never answers (it lost the command, crashed running it, or
 * dropped off before answering) would leave its command 'sent' for ever, and whoever asked
 * waiting. Each command is stored with its deadline; this sweep, at start and every `everyMs`,
 * marks those still unanswered past it 'timed-out', logs and counts them:
 *
 *     countyline_central_commands_timed_out_total   commands no box answered by their deadline
 *
 * The deadline lives in the store, so one that passed while central was down is caught by the
 * first sweep after the start. A late answer still replaces the time-out (the store's
 * completeCommand).
 */
export class CommandDeadline {
  private readonly everyMs: number;
  private readonly timedOut: Counter;
  private timer: unknown = null;
  private round: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: CommandDeadlineOptions) {
    this.everyMs = opts.everyMs ?? DEFAULT_SWEEP_EVERY_MS;
    this.timedOut = new Counter({ name: 'countyline_central_commands_timed_out_total', help: 'Commands no box answered by their deadline', registers: [opts.registry] });
  }

  /** Sweeps now, then every `everyMs` until stop(). */
  start(): void {
    this.runRound();
  }

  /** Marks every command past its deadline now as timed out; answers them. */
  async sweep(): Promise<StoredCommand[]> {
    const commands = await this.opts.store.timeOutCommands(this.opts.clock.now());
    for (const c of commands) {
      const seconds = Math.round((c.deadlineAt - c.createdAt) / 1000);
      this.opts.logger.warn({ box: c.boxId, command: c.name, id: c.id, by: c.requestedBy }, `command ${c.name} (${c.id}) timed out: box ${c.boxId} did not answer within ${seconds} s`);
    }
    this.timedOut.inc(commands.length);
    return commands;
  }

  /** Resolves once the round in progress, if any, is over. */
  async idle(): Promise<void> {
    await this.round;
  }

  /** No more rounds; resolves once the one in progress is over (before the store closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  private runRound(): void {
    this.round = this.sweep()
      .then(
        () => undefined,
        (err: unknown) => this.opts.logger.error({ err }, `command deadline sweep failed; trying again in ${this.everyMs} ms`),
      )
      .finally(() => {
        this.round = null;
        this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.runRound();
    }, this.everyMs);
  }
}
