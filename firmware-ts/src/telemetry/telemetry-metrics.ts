import { Counter, Gauge, type Registry } from 'prom-client';
import type { MqttLink } from './mqtt-link.js';
import type { Outbox } from './outbox.js';

/** The telemetry's counters for operators: what went out, what was dropped or refused, and what waits. */
export function registerTelemetryMetrics(registry: Registry) {
  const published = new Counter({ name: 'countyline_telemetry_published_total', help: 'Messages the broker acknowledged (PUBACK), by kind', labelNames: ['kind'], registers: [registry] });
  const refused = new Counter({
    name: 'countyline_telemetry_publish_refused_total',
    help: 'Connections the broker closed while a message waited for its PUBACK (under MQTT 3.1.1, a refused publish), by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'countyline_telemetry_dropped_total',
    help: 'Messages dropped from the outbox, by kind and reason (full: no room; superseded: an older unsent birth; too-large: over the packet limit of central\'s broker)',
    labelNames: ['kind', 'reason'],
    registers: [registry],
  });
  const openFailed = new Counter({
    name: 'countyline_telemetry_connect_setup_failed_total',
    help: 'Connections to central not attempted because their setup failed, by reason (ca-file: central.caFile unreadable; outbox: the outbox not writable; client: the MQTT client refused the options); each is retried after the backoff',
    labelNames: ['reason'],
    registers: [registry],
  });
  const commandsRefused = new Counter({ name: 'countyline_telemetry_commands_refused_total', help: 'Commands from central refused before they ran, by error code', labelNames: ['code'], registers: [registry] });
  let outbox: Outbox | null = null;
  let link: MqttLink | null = null;
  new Gauge({
    name: 'countyline_telemetry_outbox_messages',
    help: 'Messages in the outbox waiting for the broker',
    registers: [registry],
    collect() {
      this.set(outbox?.stats().messages ?? 0);
    },
  });
  new Gauge({
    name: 'countyline_telemetry_outbox_bytes',
    help: 'Octets the waiting messages take in the outbox file',
    registers: [registry],
    collect() {
      this.set(outbox?.stats().bytes ?? 0);
    },
  });
  new Gauge({
    name: 'countyline_telemetry_connected',
    help: '1 while the box is connected to central',
    registers: [registry],
    collect() {
      this.set(link?.state === 'connected' ? 1 : 0);
    },
  });
  return {
    dropped,
    commandsRefused,
    /** Starts counting for this outbox and link. */
    watch(o: Outbox, l: MqttLink) {
      outbox = o;
      link = l;
      l.on('published', (kind) => published.inc({ kind }));
      l.on('refused', (kind) => refused.inc({ kind }));
      l.on('open-failed', (reason) => openFailed.inc({ reason }));
    },
  };
}
