import type { Logger } from 'pino';
import { describeSnm, type SnmMessage } from './network-management-codec.js';
import { serviceName } from './service-indicator.js';

/**
 * Signalling network management (Q.704 clauses 3-13) for what the box is: a signalling end
 * point with one link to one adjacent exchange, no transfer function and no other route.
 * Most of Q.704 is about moving traffic between links and routes, which such a box does
 * not have, so most messages are logged, counted and ignored. It acts on these:
 *
 * - TRA goes out each time the link becomes available (its first test passed): the box was
 *   isolated until then, and an isolated point restarting ends its MTP restart by sending
 *   TRA to its adjacent points (Q.704 9). An exchange that runs the restart procedure waits
 *   for it before it sends user traffic.
 * - CBD is answered with CBA carrying the same changeback code (Q.704 6): the exchange
 *   diverted traffic away from this link and waits for the acknowledgement to move it back.
 * - LIN is answered with LID (Q.704 10): inhibiting the only link would make the exchange
 *   inaccessible, the case in which the request is refused.
 * - LUN is answered with LUA (Q.704 10): the exchange takes back an inhibition; since we
 *   never grant one there is nothing to undo, and the answer stops its repeats.
 *
 * Logged and ignored: COO/COA/ECO/ECA (changeover needs another link to move traffic to);
 * TFP/TFR/TFA/TFC/RST/RSR/RCT (route management for destinations beyond the exchange, to
 * which the box never routes); LIA/LID/LFU/LLT/LRT (answers and tests of inhibitions the box
 * never asks for or grants); TRA and TRW from the exchange (its own restart: its ISUP resets
 * its circuits itself); UPU (a user part unavailable at the exchange; a warning when it is
 * ISUP, since calls then fail); DLC/CSS/CNS/CNP (automatic data link allocation).
 */
export interface NetworkManagementOptions {
  logger: Logger;
  /** Sends a message to the adjacent point; false when the link is not available. */
  send: (message: SnmMessage) => boolean;
  /** The adjacent point code, to tell UPUs about it from others. */
  peerPointCode: number;
}

export class NetworkManagement {
  constructor(private readonly opts: NetworkManagementOptions) {}

  /** The link just became available: end our restart (Q.704 9). */
  linkAvailable(): void {
    this.opts.send({ type: 'TRA' });
  }

  onMessage(m: SnmMessage): void {
    const log = this.opts.logger;
    const what = describeSnm(m);
    switch (m.type) {
      case 'CBD':
        return this.answer(m, { type: 'CBA', code: m.code });
      case 'LIN':
        return this.answer(m, { type: 'LID' });
      case 'LUN':
        return this.answer(m, { type: 'LUA' });
      case 'TRA':
        log.info('traffic restart allowed (TRA) from the exchange');
        return;
      case 'UPU': {
        const user = m.userPart < 16 ? serviceName(m.userPart) : m.userPart;
        const fields = { destination: m.destination, userPart: user, cause: m.cause };
        if (m.destination === this.opts.peerPointCode && user === 'isup') log.warn(fields, 'the exchange reports its ISUP unavailable (UPU): calls will fail until it is back');
        else log.info(fields, 'user part unavailable (UPU) ignored: the box sends nothing to that user part');
        return;
      }
      default:
        log.info({ message: what }, 'network management message ignored: a box with one link and one route has no use for it');
    }
  }

  private answer(received: SnmMessage, reply: SnmMessage): void {
    const sent = this.opts.send(reply);
    this.opts.logger.info({ received: describeSnm(received), reply: describeSnm(reply), sent }, sent ? 'network management message answered' : 'network management message not answered: the link is not available yet');
  }
}
