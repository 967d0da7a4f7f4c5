import type { Aedes, Client, PublishPacket } from 'aedes';
import { commandTopic, desiredConfigTopic, type Command, type CommandName, type DesiredConfig } from '@countyline/firmware/telemetry';
import type { BoxLink } from './box-link.js';

/**
 * BoxLink over the embedded broker. Central publishes as the broker itself (aedes.publish),
 * which bypasses the box access rules and is not ingested.
 */
export class AedesBoxLink implements BoxLink {
  /** The live connection per box: after a takeover the old client's disconnect must not remove the new one. */
  private readonly clients = new Map<string, Client>();

  constructor(private readonly aedes: Aedes) {
    aedes.on('clientReady', (client) => this.clients.set(client.id, client));
    aedes.on('clientDisconnect', (client) => {
      if (this.clients.get(client.id) === client) this.clients.delete(client.id);
    });
  }

  sendCommand<N extends CommandName>(boxId: string, name: N, command: Command<N>): Promise<void> {
    // QoS 1: the box gets the command at least once; its id makes a repeat harmless.
    return this.publish({ cmd: 'publish', topic: commandTopic(boxId, name), payload: JSON.stringify(command), qos: 1, retain: false, dup: false });
  }

  sendDesiredConfig(boxId: string, desired: DesiredConfig): Promise<void> {
    // Retained: a box that connects later gets the latest desired config on subscribing.
    return this.publish({ cmd: 'publish', topic: desiredConfigTopic(boxId), payload: JSON.stringify(desired), qos: 1, retain: true, dup: false });
  }

  isConnected(boxId: string): boolean {
    return this.clients.has(boxId);
  }

  connectedCount(): number {
    return this.clients.size;
  }

  private publish(packet: PublishPacket): Promise<void> {
    return new Promise((resolve, reject) => this.aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }
}
