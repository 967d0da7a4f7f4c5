import type { AgentCallLeg, CentreReason, CentreTrunk } from './call-ports.js';
import { NORMAL_CLEARING, type Call, type CallOps } from './call-record.js';

/** The city centre's trunk (config `queue.centre`) and the calls it takes. */
export interface CentreSettings {
  trunk: CentreTrunk;
  /** The kinds of call that ring there first. */
  when: readonly CentreReason[];
  ringTimeoutMs: number;
}

/**
 * Calls the office cannot take sent to the city centre's SIP trunk first: the caller hears
 * ringing while it rings, and talks to the centre once it answers. The office keeps a call
 * the centre does not take (busy, no answer, unreachable). The call's CDR says why it went
 * and how it went (`centre`), and `forwarded` when the centre talked with the caller.
 */
export class CentreForward {
  /** `centre` absent: no trunk set up, every call stays with the office. */
  constructor(
    private readonly ops: CallOps,
    private readonly centre: CentreSettings | undefined,
  ) {}

  /**
   * Nobody here takes the call (`reason`): with the city centre's trunk set up for it, the
   * call rings there, the caller hearing ringing; answered, the caller talks to the centre.
   * Otherwise, or when the centre does not answer (busy, no answer, unreachable), `here`: the
   * office's own way, a callback request or the announcement.
   */
  route(call: Call, reason: CentreReason, here: () => void): void {
    const { ops, centre } = this;
    if (!centre || !centre.when.includes(reason)) return here();
    ops.move(call, 'forward');
    call.onKey = null;
    ops.clearTimer(call);
    call.centre = { reason, outcome: null };
    ops.logger.info({ call: call.id, reason, centre: centre.trunk.uri }, 'sending the call to the city centre');
    if (call.lineAnswered) call.media!.play('ringback');
    else ops.alert(call);
    let leg: AgentCallLeg;
    try {
      leg = centre.trunk.call({ callerNumber: call.calling, localMedia: call.media!.local, ringTimeoutMs: centre.ringTimeoutMs });
    } catch (err) {
      ops.logger.error({ call: call.id, centre: centre.trunk.uri, err: (err as Error).message }, 'could not call the city centre: the office keeps the call');
      call.centre.outcome = 'failed';
      return here();
    }
    call.centreLeg = leg;
    leg.on('answered', (media) => {
      if (call.centreLeg !== leg || call.state !== 'forwarding') return;
      ops.move(call, 'answer');
      call.centre!.outcome = 'answered';
      call.answeredAt = ops.clock.now();
      ops.answerLine(call);
      call.media!.connectPhone(media);
      ops.logger.info({ call: call.id, centre: centre.trunk.uri }, 'the city centre answered');
    });
    leg.on('hold', (on) => {
      if (call.centreLeg === leg && call.state === 'connected') call.media!.hold(on);
    });
    leg.on('ended', (end) => {
      if (call.centreLeg !== leg) return; // the box hung it up itself
      call.centreLeg = null;
      if (call.state === 'forwarding') {
        call.centre!.outcome = end.reason;
        ops.logger.warn({ call: call.id, centre: centre.trunk.uri, why: end.reason, status: end.status }, 'the city centre did not take the call: the office keeps it');
        return here();
      }
      if (call.state === 'connected') {
        call.leg.release(NORMAL_CLEARING);
        ops.finish(call, { result: 'forwarded', hungUpBy: 'agent', cause: NORMAL_CLEARING, reason: null });
      }
    });
  }
}
