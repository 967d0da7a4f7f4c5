/**
 * RFC 3261 section 17.1.1.1 / table 4 timer values for UDP. T1 is the round-trip estimate,
 * T2 the longest interval between retransmissions of a non-INVITE request, T4 how long a
 * message may linger in the network.
 */
export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;
/** Timers B, F, H, J, and the 2xx retransmission window: 64*T1. */
export const TRANSACTION_TIMEOUT = 64 * T1;
