import type { Command, CommandName, DesiredConfig } from '@countyline/firmware/telemetry';

/**
 * What the rest of central (the API, the alarm rules) uses to reach boxes through the
 * broker. The broker module implements it.
 */
export interface BoxLink {
  /** Publishes `cl/v1/<boxId>/cmd/<name>` at QoS 1; the answer arrives on `cmd-result` and goes to the store. */
  sendCommand<N extends CommandName>(boxId: string, name: N, command: Command<N>): Promise<void>;
  /** Publishes the retained `cl/v1/<boxId>/config/desired`. */
  sendDesiredConfig(boxId: string, desired: DesiredConfig): Promise<void>;
  /** True while the box has an MQTT connection open. */
  isConnected(boxId: string): boolean;
  connectedCount(): number;
}
