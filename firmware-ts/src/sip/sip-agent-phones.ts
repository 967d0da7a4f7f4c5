import type { Clock } from '@countyline/e1-gateway';
import type { AgentCallLeg, AgentPhones } from '../calls/call-ports.js';
import type { SipService } from './sip-service.js';

/** The agents' SIP phones as the call model sees them: who is free, and ringing one. */
export function sipAgentPhones(sip: SipService, clock: Clock): AgentPhones {
  return {
    available: () => sip.agents.available().map(({ user, name }) => ({ user, name })),
    setBusy: (user, busy) => {
      sip.agents.setBusy(user, busy);
      // Longest idle first: an agent's idle time counts from the end of the last offer.
      if (!busy) sip.agents.callEnded(user, clock.now());
    },
    call: (request): AgentCallLeg => sip.callAgent(request),
  };
}
