// Contract: one set of behaviours of CardTransport (firmware-ts/src/card/card-transport.ts),
// run against both implementations: the in-memory serial line the unit tests use and the
// real node-serialport transport on a socat pseudo-terminal pair. The real one is the
// reference; where the in-memory line differed, it was changed to match. socat is required:
// a missing socat fails this test with an install hint, never skips.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardLink, encodeBody, encodeFrame, systemClock, type CardMessage } from '@countyline/e1-gateway';
import t, { type Test } from 'tap';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';
import { openSerialTransport, TransportOpenError, type CardTransport, type OpenTransport } from '../../firmware-ts/src/card/card-transport.js';
import { createMemoryLine } from '../../firmware-ts/test-support/memory-serial-line.js';

/** One serial line under test: a device path the host opens, and the device end. */
interface LineUnderTest {
  path: string;
  /** A path where no device is. */
  missingPath: string;
  open: OpenTransport;
  device: {
    write(bytes: Buffer): void;
    /** Every byte the host's writes brought to the device so far. */
    received(): Buffer;
    /** The far end goes away for good (socat killed, cable pulled). */
    vanish(): Promise<void>;
  };
}

const BAUD = 115200;

/** Waits for `check()` to hold, polling, and fails after `limitMs` saying what it waited for. */
async function waitFor(what: string, check: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function memoryLine(): Promise<LineUnderTest> {
  const got: Buffer[] = [];
  const line = createMemoryLine((bytes) => got.push(bytes), '/dev/ttyCL0');
  return {
    path: line.path,
    missingPath: '/dev/ttyCL9',
    open: line.open,
    device: {
      write: (bytes) => line.device.write(bytes),
      received: () => Buffer.concat(got),
      vanish: async () => line.device.vanish(),
    },
  };
}

/**
 * A socat pty pair in a temp dir of the test's own: the host end is opened with
 * `openSerialTransport` (what the firmware uses), the device end with the same transport. The
 * teardown kills socat and removes the dir, whatever the test did.
 */
async function socatLine(t: Test): Promise<LineUnderTest> {
  requireTool('socat', 'the pseudo-terminal pair of the card transport contract test');
  const dir = await mkdtemp(join(tmpdir(), 'cl-transport-'));
  const devicePath = join(dir, 'card.pty');
  const hostPath = join(dir, 'host.pty');
  // ignoreeof: the host closing and opening its end again does not end socat.
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,ignoreeof,link=${devicePath}`, `pty,raw,echo=0,ignoreeof,link=${hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  socat.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  let device: CardTransport | null = null;
  t.teardown(async () => {
    await device?.close();
    if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  socat.once('error', (err) => log.push(`socat did not start: ${err.message}`));
  await waitFor(`socat to create the pty pair (${log.join('').trim() || 'no output'})`, () => existsSync(devicePath) && existsSync(hostPath));
  device = await openSerialTransport(devicePath, BAUD);
  const got: Buffer[] = [];
  device.on('data', (chunk) => got.push(chunk));
  return {
    path: hostPath,
    missingPath: join(dir, 'no-such-device'),
    open: openSerialTransport,
    device: {
      write: (bytes) => void device?.write(bytes),
      received: () => Buffer.concat(got),
      vanish: async () => {
        socat.kill('SIGKILL');
        await exited;
      },
    },
  };
}

/** A whole frame as the card sends it, and one cut in half. */
const frame = (message: CardMessage, seq: number) => encodeFrame(encodeBody(message, { seq }));
const HEARTBEAT = frame({ type: 'heartbeat', uptime: 12_000, rxErrors: 0 }, 1);
const FXO_STATUS = frame({ type: 'fxoStatus', port: 2, voltage: -48, loopCurrent: 0, offHook: false, ringing: false, polarity: 'normal' }, 2);
const HALF_FRAME = FXO_STATUS.subarray(0, Math.floor(FXO_STATUS.length / 2));

/** What the host end reads, as the card driver reads it: each whole message, and each close. */
function listen(t: Test, transport: CardTransport) {
  const messages: CardMessage[] = [];
  const closes: (Error | undefined)[] = [];
  const link = new CardLink({ role: 'host', clock: systemClock, write: (bytes) => transport.write(bytes) });
  link.on('message', (m) => messages.push(m));
  transport.on('data', (chunk) => link.receive(chunk));
  transport.on('close', (err) => closes.push(err));
  t.teardown(() => link.close());
  return { messages, closes };
}

function contract(name: string, makeLine: (t: Test) => Promise<LineUnderTest>): void {
  t.test(name, async (t) => {
    t.test('bytes cross both ways', async (t) => {
      const line = await makeLine(t);
      const host = await line.open(line.path, BAUD);
      t.teardown(() => host.close());
      const heard = listen(t, host);
      t.equal(host.write(FXO_STATUS), true, 'write takes the bytes while open');
      await waitFor('the bytes at the device', () => line.device.received().length >= FXO_STATUS.length);
      t.same(line.device.received(), FXO_STATUS, 'the device gets exactly what was written');
      line.device.write(HEARTBEAT);
      await waitFor('a message at the host', () => heard.messages.length > 0);
      t.same(heard.messages, [{ type: 'heartbeat', uptime: 12_000, rxErrors: 0 }]);
    });

    t.test('a path with no device: a TransportOpenError naming the path', async (t) => {
      const line = await makeLine(t);
      const err = await line.open(line.missingPath, BAUD).then(
        () => null,
        (e: unknown) => e,
      );
      t.type(err, TransportOpenError);
      const { path, reason, message } = err as TransportOpenError;
      t.same({ path, reason, message }, { path: line.missingPath, reason: 'No such file or directory', message: `cannot open ${line.missingPath}: No such file or directory` });
    });

    t.test('the port already open: a second open fails naming the path, the first carries on', async (t) => {
      const line = await makeLine(t);
      const first = await line.open(line.path, BAUD);
      t.teardown(() => first.close());
      const heard = listen(t, first);
      const err = await line.open(line.path, BAUD).then(
        (second) => (second.close(), null),
        (e: unknown) => e,
      );
      t.type(err, TransportOpenError, 'node-serialport locks the device');
      const { path, message } = err as TransportOpenError;
      t.same({ path, message }, { path: line.path, message: `cannot open ${line.path}: Resource temporarily unavailable Cannot lock port` });
      line.device.write(HEARTBEAT);
      await waitFor('a message on the first transport', () => heard.messages.length > 0);
      t.equal(heard.messages.length, 1, 'the first transport still reads');
      t.same(heard.closes, [], 'and was not closed');
    });

    t.test('our own close: close once without an error, writes refused, the port free again', async (t) => {
      const line = await makeLine(t);
      const host = await line.open(line.path, BAUD);
      const heard = listen(t, host);
      await host.close();
      t.same(heard.closes, [undefined], 'one close event, no error');
      t.equal(host.write(HEARTBEAT), false, 'a write after close is refused');
      await host.close();
      t.pass('closing twice is harmless');

      const again = await line.open(line.path, BAUD);
      t.teardown(() => again.close());
      t.equal(again.write(FXO_STATUS), true, 'the lock was released: the port opens again');
      await waitFor('the bytes at the device', () => line.device.received().length >= FXO_STATUS.length);
      t.same(line.device.received(), FXO_STATUS, 'only what the new transport wrote reached the device');
      t.same(heard.closes, [undefined], 'still one close event on the first transport');
    });

    t.test('the far end vanishes mid-frame: close with a disconnected error, no partial message', async (t) => {
      const line = await makeLine(t);
      const host = await line.open(line.path, BAUD);
      t.teardown(() => host.close());
      let bytes = 0;
      host.on('data', (chunk) => (bytes += chunk.length));
      const heard = listen(t, host);
      line.device.write(Buffer.concat([HEARTBEAT, HALF_FRAME]));
      await waitFor('the whole frame and the half frame at the host', () => bytes >= HEARTBEAT.length + HALF_FRAME.length);
      await line.device.vanish();
      await waitFor('the close event', () => heard.closes.length > 0);
      t.equal(heard.closes.length, 1, 'one close event');
      t.type(heard.closes[0], Error, 'with an error');
      t.match(heard.closes[0], { disconnected: true }, 'flagged disconnected');
      t.same(
        heard.messages.map((m) => m.type),
        ['heartbeat'],
        'the whole frame was read; the half frame never became a message',
      );
      t.equal(host.write(HEARTBEAT), false, 'a write after the far end went is refused');
    });
  });
}

contract('in-memory serial line', () => memoryLine());
contract('node-serialport on a socat pty pair', (t) => socatLine(t));
