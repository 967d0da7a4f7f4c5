import type { Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import type { AgentPhones } from '../calls/call-ports.js';
import { CountylineError } from '../errors.js';
import { Acd, type AgentStatus, type AgentView, type Strategy } from './acd.js';

/** The one queue of a box: every configured agent is a member. */
export const OFFICE_QUEUE = 'office';

export interface OfficeQueueSettings {
  strategy: Strategy;
  ringTimeoutMs: number;
  /** 0: no limit. */
  maxWaitMs: number;
  repeatAbandonersAhead: boolean;
  agentsStart: 'available' | 'logged-out';
}

/** An agent as `countyline queue` shows it. */
export interface OfficeAgentView extends AgentView {
  name: string;
}

export type AgentAction = 'login' | 'logout' | 'break';

const STATUS_OF: Record<AgentAction, AgentStatus> = { login: 'available', logout: 'logged-out', break: 'on-break' };

/**
 * The box's queue: the ACD with one queue, its agents those of the config, their phones'
 * comings and goings fed to it from the SIP registrar and keep-alive. Agents log in, out
 * and take breaks here (feature codes from their phones, and the CLI).
 */
export class OfficeQueue {
  readonly acd: Acd;
  private readonly names = new Map<string, string>();
  private readonly unwatch: () => void;

  /** The status each agent was last given (restored, or set since): what is saved. */
  private readonly given = new Map<string, AgentStatus>();

  constructor(
    private readonly d: {
      clock: Clock;
      logger: Logger;
      agents: AgentPhones;
      settings: OfficeQueueSettings;
      /** Statuses last given before a restart (AgentStatusFile): they override `agentsStart`; agents no longer configured are ignored. */
      restored?: ReadonlyMap<string, AgentStatus>;
      /** Keeps the statuses given, after each change (AgentStatusFile.save). */
      saveStatuses?: (agents: Record<string, AgentStatus>) => Promise<void>;
    },
  ) {
    const { settings } = d;
    this.acd = new Acd({ clock: d.clock, logger: d.logger });
    for (const a of d.agents.list()) {
      this.names.set(a.user, a.name);
      const restored = d.restored?.get(a.user);
      if (restored) this.given.set(a.user, restored);
      this.acd.addAgent({ id: a.user, wrapUpMs: a.wrapUpMs, status: restored ?? settings.agentsStart });
      if (!d.agents.phoneUp(a.user)) this.acd.agentPhoneGone(a.user);
    }
    this.acd.addQueue({
      id: OFFICE_QUEUE,
      members: [...this.names.keys()],
      strategy: settings.strategy,
      ringTimeoutMs: settings.ringTimeoutMs,
      maxWaitMs: settings.maxWaitMs > 0 ? settings.maxWaitMs : null,
      repeatAbandonersAhead: settings.repeatAbandonersAhead,
    });
    this.unwatch = d.agents.onPhoneChange((user, up) => {
      if (!this.names.has(user)) return;
      d.logger.info({ agent: user, up }, up ? "agent's phone is up: it may be offered calls" : "agent's phone is gone: no calls are offered to it");
      if (up) this.acd.agentPhoneBack(user);
      else this.acd.agentPhoneGone(user);
    });
    this.acd.on('agent-freed', (e) => d.logger.warn(e, 'queue sweep freed a stuck agent'));
  }

  /** How long one offer rings before it goes to the next agent. */
  get ringTimeoutMs(): number {
    return this.d.settings.ringTimeoutMs;
  }

  start(): void {
    this.acd.start();
  }

  stop(): void {
    this.unwatch();
    this.acd.stop();
  }

  /**
   * Agents who could take a call now or soon: logged in (available or on a break) with a
   * phone up. None: a caller would wait for nobody.
   */
  staffed(): number {
    return this.acd.agents().filter((a) => a.status !== 'logged-out' && a.phoneUp).length;
  }

  /** Callers waiting in the queue, offered or not. */
  waiting(): number {
    return this.acd.queues().reduce((n, q) => n + q.waiting, 0);
  }

  /**
   * Holds an idle available agent for callback call `callId` (none while a caller waits:
   * inbound callers come first); its phone may ring up to `ringMs`. The agent's id, or null.
   * Then `acd.reservationAnswered`, `acd.releaseReservation` and `acd.callEnded` (acd.ts).
   */
  holdForCallback(callId: string, ringMs: number): string | null {
    const agent = this.acd.reserve(callId, ringMs);
    if (agent) this.d.logger.info({ agent, call: callId }, 'agent held for a callback');
    return agent;
  }

  /** Logs an agent in or out, or puts it on a break; coded errors for an unknown agent or a break while logged out. */
  setStatus(user: string, action: AgentAction): OfficeAgentView {
    if (!this.names.has(user)) throw new CountylineError('no-such-agent', { user, known: [...this.names.keys()] });
    const to = STATUS_OF[action];
    const now = this.acd.agents().find((a) => a.id === user)!;
    if (to === 'on-break' && now.status === 'logged-out') throw new CountylineError('agent-logged-out', { user });
    this.acd.setStatus(user, to);
    this.d.logger.info({ agent: user, from: now.status, to }, 'agent status changed');
    this.given.set(user, to);
    void this.d.saveStatuses?.(Object.fromEntries(this.given));
    return this.agent(user)!;
  }

  agent(user: string): OfficeAgentView | null {
    const a = this.acd.agents().find((x) => x.id === user);
    return a ? { ...a, name: this.names.get(user)! } : null;
  }

  agents(): OfficeAgentView[] {
    return this.acd.agents().map((a) => ({ ...a, name: this.names.get(a.id)! }));
  }
}
