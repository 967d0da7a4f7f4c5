import type { AgentPhones } from './call-ports.js';

/** A box with no agents configured (no SIP): every call finds nobody free. */
export const NO_AGENTS: AgentPhones = {
  list: () => [],
  phoneUp: () => false,
  onPhoneChange: () => () => {},
  setBusy: () => {},
  call: () => {
    throw new Error('this box has no agents configured');
  },
};
