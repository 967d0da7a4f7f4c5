import type { Strategy } from './acd-types.js';

/** What a strategy looks at in an agent that could take the call now. */
export interface Candidate {
  readonly id: string;
  /** Since the end of the agent's last call, or since logging in. */
  readonly idleSince: number;
  /** Calls answered since logging in. */
  readonly callsAnswered: number;
}

/**
 * The agents to ring for one caller. `members` is the queue's member list in its configured
 * order with null for a member who cannot take the call now (so round-robin keeps its place);
 * `cursor` is the member index round-robin starts looking from. Returns the agents to ring
 * (several only for ring-all) and where round-robin starts next time.
 */
export function pickAgents(strategy: Strategy, members: readonly (Candidate | null)[], cursor: number): { agents: Candidate[]; cursor: number } {
  switch (strategy) {
    case 'ring-all':
      return { agents: members.filter((m): m is Candidate => m !== null), cursor };
    case 'round-robin': {
      const n = members.length;
      for (let k = 0; k < n; k++) {
        const i = (cursor + k) % n;
        const m = members[i];
        if (m) return { agents: [m], cursor: (i + 1) % n };
      }
      return { agents: [], cursor };
    }
    case 'fewest-calls':
      return { agents: best(members, (a, b) => a.callsAnswered - b.callsAnswered || a.idleSince - b.idleSince), cursor };
    case 'longest-idle':
      return { agents: best(members, (a, b) => a.idleSince - b.idleSince), cursor };
  }
}

/** The first member that no later one beats (ties: member order). */
function best(members: readonly (Candidate | null)[], compare: (a: Candidate, b: Candidate) => number): Candidate[] {
  let chosen: Candidate | null = null;
  for (const m of members) if (m && (chosen === null || compare(m, chosen) < 0)) chosen = m;
  return chosen ? [chosen] : [];
}
