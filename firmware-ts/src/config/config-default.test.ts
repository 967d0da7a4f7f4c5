import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig } from './load-config.js';

// The config a new box starts with (images/config/config.default.json, copied to
// /etc/countyline/config.json on first install) must load through the firmware's own loader:
// a default that fails validation would leave a freshly installed box unable to start.

const DEFAULT_CONFIG = fileURLToPath(new URL('../../../images/config/config.default.json', import.meta.url));

t.test('the packaged default config is valid and names the box paths of the release layout', async (t) => {
  const config = await loadConfig(DEFAULT_CONFIG);
  t.equal(config.card.path, '/dev/countyline-card', 'the stable name the udev rule gives the card');
  t.equal(config.dataDir, '/var/lib/countyline');
  t.equal(config.control.socket, '/run/countyline/control.sock', "under systemd's RuntimeDirectory=countyline");
  t.equal(config.isup, undefined, 'no SS7 until the technician configures the exchange');
  t.same(config.agents, [], 'no agents until the office adds its staff');
  t.equal(config.central, undefined, 'not enrolled: countyline provision writes central');
});
