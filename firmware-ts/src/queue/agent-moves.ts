import type { AgentState, AgentStatus } from './acd-types.js';

/**
 * The moves an agent's state may make. Everything else is a bug in the ACD and throws: a
 * ringing agent cannot go to wrap-up without a call, an idle one cannot be in a call without
 * ringing first. The sweep only ever moves an agent back to idle, which is always legal.
 */
const STATE_MOVES: Record<AgentState, readonly AgentState[]> = {
  idle: ['ringing'],
  ringing: ['idle', 'in-call'],
  'in-call': ['wrap-up', 'idle'],
  'wrap-up': ['idle'],
};

/** Status moves an agent (or the CLI) may ask for; logging in onto a break is not one. */
const STATUS_MOVES: Record<AgentStatus, readonly AgentStatus[]> = {
  'logged-out': ['available'],
  available: ['on-break', 'logged-out'],
  'on-break': ['available', 'logged-out'],
};

export function isStateMove(from: AgentState, to: AgentState): boolean {
  return STATE_MOVES[from].includes(to);
}

export function isStatusMove(from: AgentStatus, to: AgentStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

export function checkStateMove(agentId: string, from: AgentState, to: AgentState): void {
  if (!isStateMove(from, to)) throw new Error(`ACD bug: agent ${agentId} cannot go from ${from} to ${to}`);
}
