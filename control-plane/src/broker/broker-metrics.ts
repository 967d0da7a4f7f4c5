import { Counter, Gauge, type Registry } from 'prom-client';
import type { BoxLink } from './box-link.js';

/**
 * The broker's numbers for `/metrics`:
 *
 *     countyline_central_mqtt_refused_total{reason}   connections, publishes and subscriptions refused (see acl.ts Refusal)
 *     countyline_central_connected_boxes              boxes with an MQTT connection open
 */
export function brokerMetrics(registry: Registry, link: BoxLink) {
  const refused = new Counter({ name: 'countyline_central_mqtt_refused_total', help: 'MQTT connections, publishes and subscriptions refused, by reason', labelNames: ['reason'], registers: [registry] });
  new Gauge({
    name: 'countyline_central_connected_boxes',
    help: 'Boxes with an MQTT connection open',
    registers: [registry],
    collect() {
      this.set(link.connectedCount());
    },
  });
  return { refused };
}
