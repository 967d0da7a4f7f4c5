// Types for the parts of sipp-phones.mjs that the TypeScript tests import.

/** A free UDP port on loopback (bound to port 0 and released). */
export function freeUdpPort(): Promise<number>;
/** An even RTP port for sipp's echo, free together with the three ports above it. */
export function freeMediaPort(): Promise<number>;
