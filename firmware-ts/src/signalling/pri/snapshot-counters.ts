import { Counter, type Registry } from 'prom-client';

/** Sets one labelled value of a counter being collected. */
export type SetCount = (labels: Record<string, string>, n: number) => void;

/**
 * Counters of one PRI span read from a snapshot at each scrape (the protocol code keeps plain
 * numbers; `countyline metrics` asks for them only when scraped). Every counter gets a `span`
 * label besides its own.
 */
export function snapshotCounters<C>(registry: Registry, span: number, read: () => C) {
  const s = String(span);
  return (name: string, help: string, labelNames: string[], fill: (counts: C, set: SetCount) => void) =>
    new Counter({
      name,
      help,
      labelNames: ['span', ...labelNames],
      registers: [registry],
      collect() {
        this.reset();
        fill(read(), (labels, n) => this.inc({ span: s, ...labels }, n));
      },
    });
}
