import { FakeClock, TypedEmitter } from '@countyline/e1-gateway';
import { pino } from 'pino';
import t from 'tap';
import { UdpHighway } from '../media/udp-highway.js';
import { CallMediaPath } from './call-media-path.js';
import type { LineLeg, LineLegEvents } from './line-leg.js';

// The card's media commands for one line, as two calls on the same circuit race: the first
// ends while its audio is being opened, and a new call takes the circuit.

class Leg extends TypedEmitter<LineLegEvents> implements LineLeg {
  readonly line = { kind: 'e1' as const, span: 0, timeslot: 7, cic: 7 };
  readonly calling = '';
  readonly called = '';
  readonly arrivedAt = 0;
  readonly earlyMedia = true;
  constructor(private readonly card: number[]) {
    super();
  }
  alert(): void {}
  answer(): void {}
  release(): void {}
  async connectMedia(port: number): Promise<void> {
    // The card's answer takes a moment, as over the serial link.
    await new Promise((r) => setTimeout(r, 5));
    this.card.push(port);
  }
}

t.test('a call ended while its audio opened neither connects nor disconnects the line a newer call took', async (t) => {
  const card: number[] = [];
  const path = new CallMediaPath({ highway: new UdpHighway({ logger: pino({ level: 'silent' }) }), clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const first = path.open(new Leg(card));
  const second = path.open(new Leg(card)); // the same circuit, a new call, before the first is connected
  await t.rejects(first, /a newer call took the line/);
  const media = await second;
  t.teardown(() => media.close());
  t.equal(card.length, 1, 'one connect went to the card');
  t.not(card[0], 0, 'to the new call\'s port');
  media.close();
  await new Promise((r) => setTimeout(r, 30));
  t.same(card.slice(1), [0], 'the new call\'s end disconnects the line');
});

t.test('a call that ended after it connected: the next call on the line re-points it, no disconnect between', async (t) => {
  const card: number[] = [];
  const path = new CallMediaPath({ highway: new UdpHighway({ logger: pino({ level: 'silent' }) }), clock: new FakeClock(0), logger: pino({ level: 'silent' }), rtp: null });
  const one = await path.open(new Leg(card));
  one.close();
  const two = await path.open(new Leg(card));
  t.teardown(() => two.close());
  t.equal(card.length, 2, 'a connect each (the card moves a connected line to the new port)');
  t.ok(card[0] !== 0 && card[1] !== 0 && card[0] !== card[1], `to ${card[0]}, then to ${card[1]}`);
});
