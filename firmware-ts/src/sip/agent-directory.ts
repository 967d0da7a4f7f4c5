import { TypedEmitter } from '@countyline/e1-gateway';
import type { Peer } from './sip-endpoint.js';

/** One configured agent as the call model and `countyline agents` see it. */
export interface AgentView {
  user: string;
  name: string;
  /** A phone holds an unexpired registration. */
  registered: boolean;
  /** The registered Contact URI, or null. */
  contact: string | null;
  /** Where requests to the phone go: the address and port its REGISTER came from. */
  target: Peer | null;
  /** False after keep-alive OPTIONS went unanswered; true again on an answer or a new REGISTER. */
  reachable: boolean;
  /** In a call (set by the call model). */
  busy: boolean;
  /** When the agent's last call ended (ms since the epoch), or null: never. */
  lastCallEndedAt: number | null;
  /** When the registration runs out (ms since the epoch), or null. */
  expiresAt: number | null;
}

export interface AgentDirectoryEvents {
  /** The agent became registered, reachable and not busy. */
  available: (agent: AgentView) => void;
  /** The agent stopped being available (unregistered, expired, unreachable or busy). */
  unavailable: (agent: AgentView) => void;
  /** The agent's phone came up (registered and reachable) or went, busy or not. */
  phone: (agent: AgentView, up: boolean) => void;
}

export interface AgentConfig {
  user: string;
  password: string;
  name: string;
}

/**
 * The office's agents and the state of each one's phone. The registrar and keep-alive write
 * registration and reachability; the call model writes busy and call ends; `available()`
 * answers who can be offered a call, longest idle first.
 */
export class AgentDirectory extends TypedEmitter<AgentDirectoryEvents> {
  private readonly agents = new Map<string, AgentView>();
  private readonly passwords = new Map<string, string>();

  constructor(config: readonly AgentConfig[]) {
    super();
    for (const a of config) {
      this.agents.set(a.user, { user: a.user, name: a.name, registered: false, contact: null, target: null, reachable: false, busy: false, lastCallEndedAt: null, expiresAt: null });
      this.passwords.set(a.user, a.password);
    }
  }

  /** The digest password of a configured user, or undefined. */
  password(user: string): string | undefined {
    return this.passwords.get(user);
  }

  get(user: string): AgentView | undefined {
    const a = this.agents.get(user);
    return a && { ...a };
  }

  list(): AgentView[] {
    return [...this.agents.values()].map((a) => ({ ...a }));
  }

  /** Agents that can take a call now: registered, reachable, not busy; longest idle first. */
  available(): AgentView[] {
    // Never having had a call counts as idle longest; among those, config order.
    return this.list()
      .filter(isAvailable)
      .sort((a, b) => (a.lastCallEndedAt ?? -Infinity) - (b.lastCallEndedAt ?? -Infinity));
  }

  setBusy(user: string, busy: boolean): void {
    this.update(user, (a) => (a.busy = busy));
  }

  /** A call of this agent ended at `at`: not busy any more, and idle from then. */
  callEnded(user: string, at: number): void {
    this.update(user, (a) => {
      a.busy = false;
      a.lastCallEndedAt = at;
    });
  }

  /** A registration was accepted or refreshed (registrar). */
  bind(user: string, contact: string, target: Peer, expiresAt: number): void {
    this.update(user, (a) => {
      a.registered = true;
      a.contact = contact;
      a.target = { ...target };
      a.expiresAt = expiresAt;
      a.reachable = true; // RFC 3261 10.3: it just reached us from there
    });
  }

  /** The registration was removed or ran out (registrar). */
  unbind(user: string): void {
    this.update(user, (a) => {
      a.registered = false;
      a.contact = null;
      a.target = null;
      a.expiresAt = null;
      a.reachable = false;
    });
  }

  /** Keep-alive's verdict on the phone. */
  setReachable(user: string, reachable: boolean): void {
    this.update(user, (a) => (a.reachable = reachable));
  }

  private update(user: string, change: (a: AgentView) => void): void {
    const a = this.agents.get(user);
    if (!a) return;
    const before = isAvailable(a);
    const wasUp = isUp(a);
    change(a);
    const after = isAvailable(a);
    if (wasUp !== isUp(a)) this.emit('phone', { ...a }, isUp(a));
    if (before !== after) this.emit(after ? 'available' : 'unavailable', { ...a });
  }
}

function isUp(a: AgentView): boolean {
  return a.registered && a.reachable;
}

function isAvailable(a: AgentView): boolean {
  return isUp(a) && !a.busy;
}
