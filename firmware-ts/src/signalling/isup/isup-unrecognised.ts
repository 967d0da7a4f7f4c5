/**
 * A message whose type code the box does not know (Q.764 2.9.5.1): its CIC, its type code,
 * and what its sender asks done with it, when it says.
 *
 * The sender says it in the message compatibility information parameter, Q.763 3.33 (code
 * 0x38), octet 1:
 *
 *     H   | G F       | E                | D       | C           | B       | A
 *     ext | interwork | pass on not poss.| discard | send notif. | release | transit at
 *         | (spare)   |                  | message | (CFN)       | call    | intermediate
 *
 * To find it in a message it cannot read, the receiver relies on Q.763's rule for messages
 * added after the 1992 edition: no mandatory part, the message type followed at once by the
 * pointer to the optional part. A message that does not read that way carries no
 * instructions the box can find: it gets the default treatment (discard, CFN).
 */
export interface CompatibilityInstructions {
  /** B: release the call. */
  releaseCall: boolean;
  /** C: send a notification (CFN) when the message is discarded. */
  sendNotification: boolean;
  /** D: discard the message (else pass it on, which an end node cannot: then E decides). */
  discardMessage: boolean;
  /** E: when passing on is not possible, 0 release the call, 1 discard the information. */
  passOnNotPossibleDiscard: boolean;
}

export interface UnrecognisedMessage {
  cic: number;
  typeCode: number;
  instructions: CompatibilityInstructions | null;
}

const MESSAGE_COMPATIBILITY_INFORMATION = 0x38;

/** Reads CIC and type of the message at `start`; the caller knows its type is unknown. */
export function readUnrecognised(bytes: Uint8Array, start: number): UnrecognisedMessage {
  const cic = bytes[start]! | ((bytes[start + 1]! & 0x0f) << 8);
  return { cic, typeCode: bytes[start + 2]!, instructions: findInstructions(bytes, start + 3) };
}

function findInstructions(bytes: Uint8Array, pointerAt: number): CompatibilityInstructions | null {
  if (pointerAt >= bytes.length || bytes[pointerAt] === 0) return null;
  let at = pointerAt + bytes[pointerAt]!;
  while (at + 1 < bytes.length && bytes[at] !== 0x00) {
    const length = bytes[at + 1]!;
    if (at + 2 + length > bytes.length) return null;
    if (bytes[at] === MESSAGE_COMPATIBILITY_INFORMATION && length >= 1) {
      const octet = bytes[at + 2]!;
      return {
        releaseCall: (octet & 0x02) !== 0,
        sendNotification: (octet & 0x04) !== 0,
        discardMessage: (octet & 0x08) !== 0,
        passOnNotPossibleDiscard: (octet & 0x10) !== 0,
      };
    }
    at += 2 + length;
  }
  return null;
}

/**
 * What an end node does with an unrecognised message (Q.764 2.9.5.1 and 2.9.5.3): without
 * instructions, discard it and send CFN (cause 97); with them, release the call when asked
 * to (or when asked to pass the message on, which an end node cannot do, and E says
 * release), else discard it, with CFN only when C asks for a notification.
 */
export function unrecognisedAction(instructions: CompatibilityInstructions | null): 'confusion' | 'release' | 'discard' {
  if (instructions === null) return 'confusion';
  if (instructions.releaseCall) return 'release';
  if (!instructions.discardMessage && !instructions.passOnNotPossibleDiscard) return 'release';
  return instructions.sendNotification ? 'confusion' : 'discard';
}
