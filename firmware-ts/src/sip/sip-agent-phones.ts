import type { Clock } from '@countyline/e1-gateway';
import type { AgentCallLeg, AgentPhones } from '../calls/call-ports.js';
import type { AgentView } from './agent-directory.js';
import type { SipService } from './sip-service.js';

/** The agents' SIP phones as the call model sees them: which are up, and ringing one. */
export function sipAgentPhones(sip: SipService, clock: Clock, wrapUpMs: (user: string) => number): AgentPhones {
  const up = (a: AgentView | undefined) => a !== undefined && a.registered && a.reachable;
  return {
    list: () => sip.agents.list().map(({ user, name }) => ({ user, name, wrapUpMs: wrapUpMs(user) })),
    phoneUp: (user) => up(sip.agents.get(user)),
    onPhoneChange: (listener) => {
      const changed = (a: AgentView, isUp: boolean) => listener(a.user, isUp);
      sip.agents.on('phone', changed);
      return () => sip.agents.off('phone', changed);
    },
    setBusy: (user, busy) => {
      if (busy) sip.agents.setBusy(user, true);
      else sip.agents.callEnded(user, clock.now());
    },
    call: (request): AgentCallLeg => sip.callAgent(request),
  };
}
