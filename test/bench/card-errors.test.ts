// What a technician sees when the card link is wrong: a bad path, a silent card, a card on
// another protocol version, no firmware at all. Each must say what to check.
import t from 'tap';
import { startRig } from '../../scripts/lib/bench-rig.mjs';

t.test('a wrong serial path is reported with what to check, and the firmware keeps running', async (t) => {
  const rig = await startRig({ firmware: false, card: { path: '/dev/ttyCOUNTYLINE-NOPE' } });
  t.teardown(() => rig.stop());
  await rig.startFirmware({ waitUp: false });
  const s = await rig.waitStatus('open-failed', (s) => s.card.error?.code === 'open-failed');
  t.equal(s.card.link, 'down');
  t.match(s.card.error.message, /cannot open \/dev\/ttyCOUNTYLINE-NOPE: .*check card\.path/);
  // Exit 1: the card link is down (anything else fails the run with its stderr).
  const human = await rig.cli(['status'], 1);
  t.match(human.stdout, /cannot open \/dev\/ttyCOUNTYLINE-NOPE/);
  const zh = await rig.cli(['status', '--lang', 'zh'], 1);
  t.match(zh.stdout, /无法打开 \/dev\/ttyCOUNTYLINE-NOPE/);
  t.equal(rig.firmware?.child.exitCode, null, 'firmware still running');
});

t.test('a card that goes silent is lost, then reported as not answering; it comes back by itself', async (t) => {
  const rig = await startRig();
  t.teardown(() => rig.stop());
  await rig.simPost('/card/silence', { on: true });
  const lost = await rig.waitStatus('card lost', (s) => s.card.link === 'down');
  t.match(lost.card.error, { code: 'card-lost' });
  t.match(lost.card.error.message, /no heartbeat from the card/);
  await rig.simPost('/card/silence', { on: false });
  const back = await rig.waitStatus('card back', (s) => s.card.link === 'up');
  t.equal(back.card.error, null);
  t.equal(back.card.lost, 1, 'one loss counted');
});

t.test('a card that never answers says so', async (t) => {
  const rig = await startRig({ firmware: false });
  t.teardown(() => rig.stop());
  await rig.simPost('/card/silence', { on: true });
  await rig.startFirmware({ waitUp: false });
  const s = await rig.waitStatus('card-silent', (s) => s.card.error?.code === 'card-silent');
  t.match(s.card.error.message, /card not answering on .*host\.pty: check that the card is powered/);
});

t.test('a card speaking another protocol version is a clear error, never a misparse', async (t) => {
  const rig = await startRig({ firmware: false, simArgs: ['--protocol-version', '2'] });
  t.teardown(() => rig.stop());
  await rig.startFirmware({ waitUp: false });
  const s = await rig.waitStatus('version-mismatch', (s) => s.card.error?.code === 'version-mismatch');
  t.match(s.card.error.message, /speaks card protocol v2, this firmware speaks v1/);
  t.equal(s.card.inventory, null, 'nothing was read from the card');
  t.ok(s.card.serial.dropped.version > 0, 'frames of the other version were dropped and counted');
});

t.test('status with no firmware running exits 3 and says how to start it', async (t) => {
  const rig = await startRig({ firmware: false });
  t.teardown(() => rig.stop());
  const r = await rig.cli(['status'], 3);
  t.match(r.stderr, /countyline firmware is not running .* countyline run --config/);
});
