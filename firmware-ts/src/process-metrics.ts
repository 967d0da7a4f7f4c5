import { Gauge, type Registry } from 'prom-client';

/**
 * The firmware's own memory, as Node sees it, read when the metrics are: the JS heap a leak
 * would grow, and the resident set. No timer and no hook: a box that is never scraped pays
 * nothing. (Under an emulator the resident set Node reads may be 0 or the emulator's; the
 * heap figures are the program's own either way.)
 */
export function registerProcessMetrics(registry: Registry): void {
  new Gauge({
    name: 'countyline_process_memory_bytes',
    help: 'Memory of the firmware process by kind: heap_used, heap_total (the JS heap), external, array_buffers, rss',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set({ kind: 'heap_used' }, m.heapUsed);
      this.set({ kind: 'heap_total' }, m.heapTotal);
      this.set({ kind: 'external' }, m.external);
      this.set({ kind: 'array_buffers' }, m.arrayBuffers);
      this.set({ kind: 'rss' }, m.rss);
    },
  });
  new Gauge({
    name: 'countyline_process_uptime_seconds',
    help: 'Seconds since the firmware process started',
    registers: [registry],
    collect() {
      this.set(Math.round(process.uptime()));
    },
  });
}
