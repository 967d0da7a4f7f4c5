import { EventEmitter } from 'node:events';

/**
 * The shape an event map must have: every event a listener signature. It is a mapped type
 * over the map's own keys, not an index signature, so the map's event names are the only
 * names `on`, `off`, `once` and `emit` accept: a misspelt event does not compile.
 */
export type EventMap<E> = { [K in keyof E]: (...args: any[]) => void };

/**
 * EventEmitter with an event map, so that `on('x', fn)` checks the name and fn's arguments.
 * Producers declare their events once as an interface; consumers subscribe and never import
 * the producer's internals.
 */
export class TypedEmitter<E extends EventMap<E>> {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.emitter.on(event, listener);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.emitter.once(event, listener);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.emitter.off(event, listener);
    return this;
  }

  protected emit<K extends keyof E & string>(event: K, ...args: Parameters<E[K]>): boolean {
    return this.emitter.emit(event, ...args);
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(): this {
    this.emitter.removeAllListeners();
    return this;
  }
}
