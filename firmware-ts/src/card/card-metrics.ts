import { Counter, Gauge, type Registry } from 'prom-client';
import type { CardDriver } from './card-driver.js';

/** Operator-facing counters for the card link, registered on the firmware's registry. */
export function registerCardMetrics(registry: Registry, driver: CardDriver): void {
  const dropped = new Counter({
    name: 'countyline_card_frames_dropped_total',
    help: 'Frames from the card thrown away, by reason (crc, escape, version, ...)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const lost = new Counter({ name: 'countyline_card_lost_total', help: 'Times the card stopped sending heartbeats or its port closed', registers: [registry] });
  const restarts = new Counter({ name: 'countyline_card_restarts_total', help: 'Times the card reported it had restarted', registers: [registry] });
  const errors = new Counter({ name: 'countyline_card_errors_total', help: 'Card link problems, by code', labelNames: ['code'], registers: [registry] });
  new Gauge({
    name: 'countyline_card_up',
    help: '1 while the card link is up',
    registers: [registry],
    collect() {
      this.set(driver.current === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'countyline_card_retransmits',
    help: 'Frames the firmware sent again since start because the card did not answer',
    registers: [registry],
    collect() {
      this.set(driver.status().serial.retransmits);
    },
  });
  driver.on('frame-error', (err) => dropped.inc({ reason: err.code }));
  driver.on('card-lost', () => lost.inc());
  driver.on('card-restarted', () => restarts.inc());
  driver.on('card-error', (err) => errors.inc({ code: err.code }));
  const failed = new Counter({ name: 'countyline_card_commands_failed_total', help: 'Commands the card did not take (a loopback or tone left on, a line left off-hook), by message type', labelNames: ['type'], registers: [registry] });
  driver.on('command-failed', (command) => failed.inc({ type: command.type }));
}
