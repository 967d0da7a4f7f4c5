import type { Caller } from './acd-records.js';
import type { CallerPosition } from './acd-types.js';

/**
 * What a caller at `index` (0: the head) is told, with `staffed` agents logged in: never a
 * later place or a longer wait than it was told before (a priority caller joining ahead, an
 * agent logging out, must not make an announcement go backwards). The wait is rough on
 * purpose: each agent frees up about once per handling time, so the p-th caller waits about
 * p handling times shared among the agents (one assumed when none is in).
 */
export function tellPosition(caller: Caller, index: number, staffed: number): CallerPosition {
  const position = Math.min(index + 1, caller.lastPosition);
  const expected = Math.round(((index + 1) * caller.queue.handleMs) / Math.max(1, staffed));
  const expectedWaitMs = Math.min(expected, caller.lastExpectedWaitMs);
  caller.lastPosition = position;
  caller.lastExpectedWaitMs = expectedWaitMs;
  return { position, expectedWaitMs };
}
