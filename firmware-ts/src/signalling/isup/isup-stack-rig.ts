// Test rig for the ISUP stack (not built into dist, see firmware-ts/tsconfig.json): the real
// card driver and card simulator in memory, the simulator's far-end exchange behind link 0,
// and the stack on top, all on one FakeClock.
import { decodeBody, Deframer, FakeClock, TypedEmitter, type CardMessage, type LinkState } from '@countyline/e1-gateway';
import { FarEndExchange, parseExchangeConfig, type PeerSend, type SignallingPeer } from '@countyline/e1-gateway/sim';
import { pino } from 'pino';
import type { Test } from 'tap';
import { CardDriver } from '../../card/card-driver.js';
import type { CardTransport, CardTransportEvents, OpenTransport } from '../../card/card-transport.js';
import { createSimSerial } from '../../card/sim-transport.js';
import type { CallOutcome, IncomingCall } from './isup-calls.js';
import { IsupCodecError } from './isup-codec-error.js';
import type { IsupMessage, IsupMessageOf, IsupMessageType } from './isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu } from './isup-msu.js';
import { IsupStack, type IsupSettings } from './isup-stack.js';

export const START = Date.UTC(2025, 2, 10, 1, 0, 0);
export const BOX_PC = 1000;
export const EXCHANGE_PC = 2000;

/** Short timers, so that T1, T5, T7 and the maintenance repeats run out within a test. */
export const TIMERS = { repeatMs: 1000, alertMs: 5000, t7Ms: 3000, t9Ms: 10_000 };

/** One message as it crossed the link between the box and the exchange. */
export interface Crossed {
  at: number;
  from: 'box' | 'exchange';
  message: IsupMessage;
}

/**
 * Stands between the card and the far-end exchange as the card's signalling peer: passes
 * everything both ways and writes it down, and can make the exchange deaf (what the box
 * sends is lost) or speak for it (an MSU of the test's choosing).
 */
export class ExchangeTap implements SignallingPeer {
  readonly crossed: Crossed[] = [];
  /** While true, what the box sends never reaches the exchange. */
  deaf = false;
  private send: PeerSend | undefined;

  constructor(
    readonly exchange: FarEndExchange,
    private readonly clock: FakeClock,
  ) {}

  attach(send: PeerSend): void {
    this.send = send;
    this.exchange.attach((link, data) => {
      const sent = send(link, data);
      if (sent) this.note('exchange', data);
      return sent;
    });
  }

  detach(): void {
    this.exchange.detach();
    this.send = undefined;
  }

  onMsu(link: number, data: Uint8Array): void {
    this.note('box', data);
    if (!this.deaf) this.exchange.onMsu(link, data);
  }

  onLinkState(link: number, state: LinkState): void {
    this.exchange.onLinkState(link, state);
  }

  /** Bytes on link 0 as if the exchange sent them; false when the card would not take them. */
  inject(data: Uint8Array): boolean {
    return this.send?.(0, data) ?? false;
  }

  /** A message from the exchange's point code to the box's, as the exchange would send it. */
  injectMessage(message: IsupMessage): boolean {
    return this.inject(encodeIsupMsu({ variant: 'itu', ni: 'national', opc: EXCHANGE_PC, dpc: BOX_PC }, message));
  }

  /** Messages of one type, one way (after `mark`), with when they crossed. */
  of<T extends IsupMessageType>(from: 'box' | 'exchange', type: T, mark = 0): (IsupMessageOf<T> & { at: number })[] {
    return this.crossed.slice(mark).filter((c) => c.from === from && c.message.type === type).map((c) => ({ ...(c.message as IsupMessageOf<T>), at: c.at }));
  }

  /** Where the record stands now; pass it to `trace` to see only what crosses after. */
  mark(): number {
    return this.crossed.length;
  }

  /** "IAM 3" style lines of what crossed one way (after `mark`), for readable assertions. */
  trace(from: 'box' | 'exchange', mark = 0): string[] {
    return this.crossed.slice(mark).filter((c) => c.from === from).map((c) => `${c.message.type} ${c.message.cic}`);
  }

  private note(from: 'box' | 'exchange', data: Uint8Array): void {
    try {
      this.crossed.push({ at: this.clock.now(), from, message: decodeIsupMsu(data, 'itu').message });
    } catch (err) {
      if (!(err instanceof IsupCodecError)) throw err;
    }
  }
}

/**
 * The host end of the serial line with a fault of the test's choosing: a frame from the card
 * for which `lose` says true is lost on the way (the card repeats unacknowledged events).
 */
class LossyLine extends TypedEmitter<CardTransportEvents> implements CardTransport {
  constructor(
    private readonly inner: CardTransport,
    private readonly lose: (m: CardMessage) => boolean,
  ) {
    super();
    inner.on('data', (chunk) => {
      const frames: CardMessage[] = [];
      new Deframer((body) => frames.push(decodeBody(body).message)).push(chunk);
      if (!frames.some((m) => this.lose(m))) this.emit('data', chunk);
    });
    inner.on('close', (err) => this.emit('close', err));
  }

  write(bytes: Buffer): void {
    this.inner.write(bytes);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface RigOptions {
  /** Overrides of the box's ISUP settings. */
  isup?: Partial<IsupSettings>;
  /** The exchange's settings, as in a simulator `--exchange` file. */
  exchange?: Record<string, unknown>;
}

export type Rig = Awaited<ReturnType<typeof rig>>;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export function rig(t: Test, o: RigOptions = {}) {
  const clock = new FakeClock(START);
  const silent = pino({ level: 'silent' });
  // The exchange holds answered calls for an hour unless a test says otherwise, so the box
  // decides when its own calls end.
  const exchange = new FarEndExchange({ config: parseExchangeConfig({ holdSeconds: 3600, ...o.exchange }), clock });
  const tap = new ExchangeTap(exchange, clock);
  const serial = createSimSerial({ clock, peer: tap, exchange });
  const sim = serial.sim;
  /** Frames from the card the line loses while this says so; none by default. */
  let lose: (m: CardMessage) => boolean = () => false;
  const open: OpenTransport = async (path, baudRate) => new LossyLine(await serial.open(path, baudRate), (m) => lose(m));
  const card = new CardDriver({
    path: '/dev/ttyS1',
    baudRate: 115200,
    openTransport: open,
    clock,
    logger: silent,
    hostName: 'box-test',
    spans: [{ crc4: true, clock: 'line' }],
    links: [{ span: 0, timeslot: 16, mode: 'mtp2' }],
  });
  const settings: IsupSettings = {
    variant: 'itu',
    networkIndicator: 'national',
    ownPointCode: BOX_PC,
    peerPointCode: EXCHANGE_PC,
    link: 0,
    signalling: [{ span: 0, timeslot: 16 }],
    cics: [{ firstCic: 1, span: 0, timeslots: '1-15,17-31' }],
    control: 'point-code',
    selection: 'controlled-first',
    timers: TIMERS,
    answerAfterMs: 200,
    continuityToneMs: 500,
    ...o.isup,
  };
  const stack = new IsupStack(card, clock, settings, silent);
  const ended: CallOutcome[] = [];
  const incoming: IncomingCall[] = [];
  const alerts: { at: number; cic: number; what: string }[] = [];
  const glares: { cic: number; outcome: 'won' | 'lost' }[] = [];
  stack.on('call-ended', (o) => ended.push(o));
  stack.on('incoming-call', (c) => incoming.push(c));
  stack.on('maintenance-alert', (cic, what) => alerts.push({ at: clock.now(), cic, what }));
  stack.calls.on('glare', (cic, outcome) => glares.push({ cic, outcome }));

  /** Moves time on in small steps, letting bytes and microtasks run between steps. */
  async function run(ms: number, step = 10): Promise<void> {
    await flush();
    for (let done = 0; done < ms; done += step) {
      clock.advance(Math.min(step, ms - done));
      await flush();
    }
  }
  /** Runs until `done()` holds or `limitMs` passes; returns whether it held. */
  async function until(done: () => boolean, limitMs = 10_000, step = 10): Promise<boolean> {
    await flush();
    for (let waited = 0; !done() && waited < limitMs; waited += step) await run(step, step);
    return done();
  }
  /** Runs the clock until the promise settles and gives its value. */
  async function settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    if (!(await until(() => settled, limitMs))) throw new Error(`not settled within ${limitMs} ms`);
    return promise;
  }

  t.teardown(async () => {
    stack.stop();
    await card.stop();
    sim.stop();
  });

  return {
    clock,
    sim,
    card,
    exchange,
    tap,
    stack,
    ended,
    incoming,
    alerts,
    glares,
    run,
    until,
    settle,
    /** From now on the serial line loses the frames from the card that `which` picks. */
    loseFromCard(which: (m: CardMessage) => boolean): void {
      lose = which;
    },
    /** Card on, firmware up, link in service, both circuit group resets acknowledged. */
    async up(): Promise<void> {
      sim.start();
      await run(1500); // the card's power-on report goes unheard, as on a box whose card booted first
      card.start();
      const ready = await until(() => stack.maintenance.ready && exchange.summary().readyCircuits === exchange.group.map.size, 5000);
      if (!ready) throw new Error('the stack did not get ready');
    },
    /** The box's view of one circuit. */
    circuit(cic: number) {
      return stack.circuits().find((c) => c.cic === cic)!;
    },
    /** The exchange's view of one circuit. */
    farCircuit(cic: number) {
      return exchange.snapshot().circuits.find((c) => c.cic === cic)!;
    },
  };
}
