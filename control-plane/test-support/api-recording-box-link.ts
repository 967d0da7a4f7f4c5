import type { Command, CommandName, DesiredConfig } from '@countyline/firmware/telemetry';
import type { BoxLink } from '../src/broker/box-link.js';

/** A BoxLink that records what the API sends; `connected` says which boxes are online. */
export class RecordingBoxLink implements BoxLink {
  readonly connected = new Set<string>();
  readonly commands: { boxId: string; name: CommandName; command: Command<CommandName> }[] = [];
  readonly configs: { boxId: string; desired: DesiredConfig }[] = [];
  /** Every command the API tried to send, sent or not. */
  readonly attempts: { boxId: string; name: CommandName; command: Command<CommandName> }[] = [];
  /** When set, sends fail with it (a broker that refuses the publish). */
  failWith: Error | null = null;

  async sendCommand<N extends CommandName>(boxId: string, name: N, command: Command<N>): Promise<void> {
    this.attempts.push({ boxId, name, command: command as Command<CommandName> });
    if (this.failWith) throw this.failWith;
    this.commands.push({ boxId, name, command: command as Command<CommandName> });
  }

  async sendDesiredConfig(boxId: string, desired: DesiredConfig): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.configs.push({ boxId, desired });
  }

  isConnected(boxId: string): boolean {
    return this.connected.has(boxId);
  }

  connectedCount(): number {
    return this.connected.size;
  }
}
