import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { startCentralMqtt, type CentralMqttOptions } from '../src/broker/central-mqtt.js';
import type { Test } from 'tap';
import { systemClock } from '../src/alarms/clock.js';
import { enrolBox } from './enrol-box.js';
import { captureLog } from './capture-log.js';
import { freshStore } from './stores.js';

/**
 * Central's MQTT side on a free loopback port with boxes `box-a` and `box-b` enrolled in a
 * fresh SQLite store (closed and removed when `t` ends, after the test's own teardowns), for
 * tests that speak MQTT to it. `connect(box)` logs in as that box (MQTT 3.1.1, as the
 * firmware does; a connection closed without CONNACK rejects); `close()` ends clients and
 * central.
 */
export async function startTestCentral(t: Test, extra: Partial<CentralMqttOptions> = {}) {
  const { store } = await freshStore(t, 'sqlite');
  const passwords = { 'box-a': await enrolBox(store, 'box-a'), 'box-b': await enrolBox(store, 'box-b') };
  const registry = new Registry();
  const { logger, lines } = captureLog();
  const central = await startCentralMqtt({ store, logger, registry, clock: systemClock, port: 0, host: '127.0.0.1', ...extra });
  const clients: MqttClient[] = [];
  const url = `mqtt://127.0.0.1:${central.port}`;
  const connect = async (box: keyof typeof passwords, options: IClientOptions = {}) => {
    const client = await connectAsync(url, { protocolVersion: 4, clientId: box, username: box, password: passwords[box], reconnectPeriod: 0, connectTimeout: 10_000, ...options }, false);
    clients.push(client);
    return client;
  };
  return {
    store,
    registry,
    lines,
    central,
    passwords,
    url,
    connect,
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await central.close();
    },
  };
}
