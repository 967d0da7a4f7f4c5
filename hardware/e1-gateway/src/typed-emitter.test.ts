import t from 'tap';
import { TypedEmitter } from './typed-emitter.js';

// The event name is part of the type. `tsc -p tsconfig.test.json` (part of `npm test`) checks
// the `@ts-expect-error` lines below: if a misspelt name or a wrong listener compiled, the
// directive would be unused and the type-check would fail.

interface DoorEvents {
  opened: (by: string) => void;
  closed: () => void;
}

class Door extends TypedEmitter<DoorEvents> {
  open(by: string): void {
    this.emit('opened', by);
  }
  shut(): void {
    this.emit('closed');
  }
  /** Never called: only its types are checked. */
  wrongEmits(): void {
    // @ts-expect-error: an event the map does not declare cannot be emitted
    this.emit('slammed');
    // @ts-expect-error: the arguments must match the listener
    this.emit('opened', 42);
  }
}

t.test('listeners get the arguments of their event, and only their event', async (t) => {
  const door = new Door();
  const heard: string[] = [];
  door.on('opened', (by) => heard.push(`opened by ${by}`));
  door.once('closed', () => heard.push('closed'));
  door.open('warden');
  door.shut();
  door.shut();
  t.same(heard, ['opened by warden', 'closed'], 'once() hears one close');
  t.equal(door.listenerCount('opened'), 1);
  t.equal(door.listenerCount('closed'), 0);
});

t.test('a misspelt event name or a wrong listener does not compile', async (t) => {
  const door = new Door();
  // @ts-expect-error: 'openned' is not an event of Door
  door.on('openned', () => {});
  // @ts-expect-error: 'opened' listeners take a string, not a number
  door.on('opened', (by: number) => by);
  // @ts-expect-error: off() checks the name too
  door.off('close', () => {});
  t.equal(door.listenerCount('opened'), 1, 'at run time the wrong listener was added, which is why it must not compile');
});
