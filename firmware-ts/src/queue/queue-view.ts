import type { CallManager } from '../calls/call-manager.js';
import type { QueueView } from '../control/view-schemas.js';
import type { OfficeQueue } from './office-queue.js';

/**
 * The queue now, as `countyline queue --json` shows it and the box's live snapshot to central
 * carries it: the callers waiting in queue order, with how long each has waited, and the
 * agents. An empty queue when the box has no call model or queue yet.
 */
export function officeQueueView(queue: OfficeQueue | null, calls: CallManager | null, now: number): QueueView {
  if (!queue || !calls) return { strategy: 'longest-idle', waiting: 0, longestWaitMs: 0, callers: [], agents: [] };
  const [view] = queue.acd.queues();
  const callers = calls
    .waiting()
    .map((c) => ({ ...c, waitedMs: Math.max(0, now - c.enteredAt), position: queue.acd.position(c.id)?.position ?? 0 }))
    .map(({ enteredAt: _, ...c }) => c)
    .sort((a, b) => a.position - b.position);
  return { strategy: view!.strategy, waiting: view!.waiting, longestWaitMs: view!.longestWaitMs, callers, agents: queue.agents() };
}
