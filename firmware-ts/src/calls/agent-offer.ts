import type { OfficeQueue } from '../queue/office-queue.js';
import type { AgentCallEnd, AgentCallLeg, AgentPhones } from './call-ports.js';
import { NORMAL_CLEARING, type Call, type CallOps } from './call-record.js';

/**
 * The agents' phones ringing for a waiting call, as the ACD offers it: the first to answer
 * talks with the caller; a phone that does not take it goes back to the ACD, and a caller no
 * phone rings for any more waits in the queue again. The ACD chooses the agents; this only
 * rings them and tells it what they did.
 */
export class AgentOffers {
  /** `waitAgain`: the caller is back in the queue, hearing what a waiting caller hears. */
  constructor(
    private readonly ops: CallOps,
    private readonly agents: AgentPhones,
    private readonly queue: OfficeQueue,
    private readonly waitAgain: (call: Call) => void,
  ) {}

  /** The ACD chose an agent for the call: ring its phone. */
  offer(call: Call, user: string): void {
    const { ops } = this;
    const agent = this.agents.list().find((a) => a.user === user);
    if (!agent || !call.media) {
      this.queue.acd.agentNoAnswer(user, call.id);
      return;
    }
    ops.move(call, 'offer');
    ops.clearTimer(call);
    call.agent = { user: agent.user, name: agent.name };
    call.offeredAt ??= ops.clock.now();
    // The caller hears ringing: from the exchange on a line not yet answered, from the box on one that is.
    if (call.lineAnswered) call.media.play('ringback');
    else ops.alert(call);
    this.agents.setBusy(user, true);
    ops.logger.info({ call: call.id, agent: user }, 'offering the call to an agent');
    let phone: AgentCallLeg;
    try {
      // The queue's ring timeout decides; the phone's own is a backstop past it.
      phone = this.agents.call({ agent: user, callerNumber: call.calling, localMedia: call.media.local, ringTimeoutMs: this.queue.ringTimeoutMs + 10_000 });
    } catch (err) {
      this.agents.setBusy(user, false);
      ops.logger.error({ call: call.id, agent: user, err: (err as Error).message }, 'could not call the agent');
      this.queue.acd.agentNoAnswer(user, call.id);
      return;
    }
    call.phones.set(user, phone);
    phone.on('answered', (media) => {
      if (call.phones.get(user) !== phone) return;
      if (call.state !== 'offering' || !this.queue.acd.agentAnswered(user, call.id)) {
        // Another phone took the call first (ring-all), or the offer was withdrawn as it answered.
        ops.logger.info({ call: call.id, agent: user }, 'agent answered too late: hanging that phone up');
        call.phones.delete(user);
        phone.hangUp();
        return;
      }
      ops.move(call, 'answer');
      call.onKey = null;
      ops.leaveQueue(call);
      call.agent = { user: agent.user, name: agent.name };
      call.answeredAt = ops.clock.now();
      ops.answerLine(call);
      call.media!.connectPhone(media);
      ops.logger.info({ call: call.id, agent: user, ringMs: call.answeredAt - (call.offeredAt ?? call.answeredAt) }, 'agent answered');
    });
    phone.on('hold', (on) => {
      if (call.phones.get(user) === phone && call.state === 'connected') call.media!.hold(on);
    });
    phone.on('ended', (end) => this.phoneEnded(call, user, phone, end));
  }

  /** The ACD stopped the offer (ring timeout, answered elsewhere, phone gone, agent on a break). */
  withdrawn(call: Call, user: string, reason: string): void {
    const phone = call.phones.get(user);
    call.phones.delete(user);
    this.ops.logger.info({ call: call.id, agent: user, why: reason }, 'offer withdrawn');
    phone?.hangUp();
    this.agents.setBusy(user, false);
    this.requeueIfUnrung(call);
  }

  private phoneEnded(call: Call, user: string, phone: AgentCallLeg, end: AgentCallEnd): void {
    this.agents.setBusy(user, false);
    if (call.phones.get(user) !== phone) return; // the box hung this phone up itself
    call.phones.delete(user);
    if (call.state === 'offering') {
      this.ops.logger.info({ call: call.id, agent: user, why: end.reason, status: end.status }, 'agent did not take the call');
      this.queue.acd.agentNoAnswer(user, call.id);
      this.requeueIfUnrung(call);
      return;
    }
    if (call.state === 'connected') {
      call.leg.release(NORMAL_CLEARING);
      this.ops.finish(call, { result: 'answered', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
    }
  }

  /** No phone rings for the call any more: it waits in the queue again (unless the ACD offered it on already). */
  private requeueIfUnrung(call: Call): void {
    if (call.state !== 'offering' || call.phones.size > 0) return;
    if (!this.queue.acd.position(call.id)) return;
    this.ops.move(call, 'requeue');
    this.waitAgain(call);
  }
}
