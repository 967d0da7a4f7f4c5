import { pino } from 'pino';
import { bChannel, cause, channelOf, message, setupIes, validChannel } from './q931-calls-build.js';
import { q931Reason, type Q931CallReason } from './q931-calls-reasons.js';
import { Q931CallTable, type Q931CallRecord } from './q931-calls-table.js';
import { allChannels, Q931Restarts } from './q931-calls-restart.js';
import { compatibleStates, CROSSING, EXPECTED, Q931_STATE_NUMBERS, type Q931CallState } from './q931-calls-states.js';
import { q931Timers, type Q931TimerSettings } from './q931-calls-timers.js';
import type { Q931CallInfo, Q931CallsOptions, Q931CallsSnapshot, Q931ClearedBy, Q931PlaceRequest } from './q931-calls-types.js';
import { decodeQ931, type CallReference, type Q931AnyMessage, type Q931Ies, type Q931Message } from './q931-codec.js';
import { Q931_MESSAGES, q931Verdict, type Q931Reply } from './q931-messages.js';

export type * from './q931-calls-types.js';
export type { Q931CallState } from './q931-calls-states.js';

const CLEARING_STATES: readonly Q931CallState[] = ['disconnect-request', 'release-request'];

/**
 * Q.931 user-side call control for one PRI (30B+D): the basic call of clause 5 (5.1 outgoing,
 * 5.2 incoming, 5.3 clearing), restarts (5.5, `q931-calls-restart.ts`), and the error
 * procedures of 5.8 that need the call table (call references, call states, STATUS,
 * link failure). Pure: messages in through `receive`, out through `options.send`, time
 * from the clock; the B-channels belong to `options.channels`.
 *
 * Choices Q.931 leaves open (see also q931-calls-states.ts and q931-calls-timers.ts):
 * - The network's SETUP is answered at once with CALL PROCEEDING naming the channel
 *   (exclusive); `alert` and `answer` follow when the box's user is ready.
 * - T313 expiry clears the call with DISCONNECT cause 102, as 5.2.8 and Table 9-2 say (libpri
 *   does the same, with cause 16): a network that never acknowledges CONNECT is broken, and a
 *   call it may not have connected should not hold a channel.
 * - T303 expiring twice: RELEASE COMPLETE with cause 102, so that a network that did get the
 *   SETUP drops it too.
 * - Our SETUP refused by RELEASE COMPLETE (or RELEASE) before any other answer with cause 44,
 *   or 34 when the channel was exclusive, is repeated once on another channel with a new call
 *   reference; the caller's callId stays.
 * - `call-ended` goes once, at the first clearing message either way; the channel goes back
 *   to the policy when the call reaches Null.
 * - An unexpected message (5.8.4) gets STATUS cause 101 (the box tells unknown types, 97,
 *   from misplaced ones); establishment messages crossing our DISCONNECT/RELEASE are dropped.
 * - Link failure (5.8.9): active calls wait T309, the rest end at once (cause 41); when the
 *   link returns, or after a reset of the link, every call not clearing gets STATUS ENQUIRY
 *   (5.8.10, T322 twice, then DISCONNECT cause 41), and a RESTART of ours not acknowledged
 *   yet goes again (its I frame may have been lost with the old link).
 */
export class Q931Calls extends Q931CallTable {
  private readonly timers: Q931TimerSettings;
  private readonly maxChannel: number;
  private readonly restarts: Q931Restarts;
  private up = false;
  private nextId = 1;

  constructor(private readonly opts: Q931CallsOptions) {
    super(opts.clock, opts.logger ?? pino({ level: 'silent' }), opts.channels, (m) => opts.send(m));
    this.timers = q931Timers(opts.timers);
    this.maxChannel = opts.maxChannel ?? 31;
    if (!Number.isInteger(this.maxChannel) || this.maxChannel < 1 || this.maxChannel > 31) throw new RangeError(`Q.931 maxChannel ${this.maxChannel}: an E1 PRI has B-channels 1 to 31`);
    this.restarts = new Q931Restarts({
      clock: opts.clock, log: this.log, timers: this.timers, maxChannel: this.maxChannel, channels: this.channels, counters: this.counters,
      send: (m) => this.send(m),
      clearCalls: (list, by) => this.clearOnChannels(list, by),
      restarted: (list, by) => this.emit('restart', { channels: list, by }),
      error: (e) => this.emit('error', e),
    });
  }

  // --- the box's side -------------------------------------------------------------------

  /**
   * Places a call (Q.931 5.1): SETUP, T303. Returns the callId at once; a call that cannot
   * start (link down, no channel) ends with `call-ended` right after. A `channel` given here
   * is one the caller has already taken for the call; it comes back through `release`.
   */
  place(req: Q931PlaceRequest): number {
    const id = this.nextId++;
    this.counters.outgoingAttempted++;
    const exclusive = req.exclusive ?? true;
    const bearer = req.bearer ?? 'speech';
    if (req.channel !== undefined && !validChannel(req.channel, this.maxChannel)) throw new RangeError(`Q.931 place: ${req.channel} is not a B-channel (1-${this.maxChannel}, not 16)`);
    const channel = req.channel ?? this.channels.reserveOutgoing([]);
    if (!this.up || channel === null) {
      const why = !this.up ? q931Reason('link-down') : q931Reason('no-channel');
      if (channel !== null) this.channels.release(channel);
      this.opts.clock.setTimeout(() => this.emit('call-ended', { callId: id, direction: 'out', channel: null, cause: this.up ? 34 : 41, clearedBy: this.up ? 'box' : 'link', answered: false, ...why }), 0);
      return id;
    }
    const call = this.newCall(id, 'out', 'box', this.allocateCr(), 2, channel, req.calling, req.called);
    call.setup = { exclusive, bearer, avoid: [], repeat: req.repeat ?? true };
    this.sendSetup(call);
    return id;
  }

  /** CALL PROCEEDING went when the SETUP was taken: true while the network's call waits in U9 for `alert` or `answer`. Sends nothing. */
  proceeding(callId: number): boolean {
    return this.byId.get(callId)?.state === 'incoming-call-proceeding';
  }

  /** ALERTING for the network's call (5.2.5.1). */
  alert(callId: number): boolean {
    const call = this.byId.get(callId);
    if (call?.state !== 'incoming-call-proceeding') return false;
    this.out(call, 'ALERTING');
    this.move(call, 'call-received');
    return true;
  }

  /** PROGRESS for the network's call before answer (`description` 8: in-band information now available, 5.2.5.1). */
  progress(callId: number, description: number): boolean {
    const call = this.byId.get(callId);
    if (call?.direction !== 'in' || !['incoming-call-proceeding', 'call-received'].includes(call.state)) return false;
    this.out(call, 'PROGRESS', { progressIndicator: [{ codingStandard: 'itu-t', location: 0, description }] });
    return true;
  }

  /** CONNECT for the network's call (5.2.8): T313 until CONNECT ACKNOWLEDGE. */
  answer(callId: number): boolean {
    const call = this.byId.get(callId);
    if (call === undefined || !['incoming-call-proceeding', 'call-received'].includes(call.state)) return false;
    this.out(call, 'CONNECT');
    this.move(call, 'connect-request');
    call.answeredAt = this.opts.clock.now();
    call.timers.start('T313', this.timers.t313Ms, () => this.disconnect(call, 102, 'timer', q931Reason('connect-unacknowledged')));
    return true;
  }

  /** Clears a call from the box (5.3.3): DISCONNECT with `cause`, T305. False when there is no such call or it is already clearing. */
  release(callId: number, causeValue = 16): boolean {
    const call = this.byId.get(callId);
    if (call === undefined || call.ended || CLEARING_STATES.includes(call.state)) return false;
    this.disconnect(call, causeValue, 'box', q931Reason('box-cleared', causeValue));
    return true;
  }

  /** RESTART of these B-channels, or of the whole interface (null), Q.931 5.5.1; calls on them end at once. */
  restart(channels: number[] | null): void {
    this.restarts.request(channels);
  }

  /** The D-channel link is (again) in multiple frame operation; `reestablished`: it was reset while up (Q.921 lost frames). */
  linkUp(reestablished: boolean): void {
    const wasDown = !this.up;
    this.up = true;
    if (wasDown || reestablished) this.restarts.linkUp();
    for (const call of [...this.byKey.values()]) {
      call.timers.stop('T309', true);
      // 5.8.9 / 5.8.8: find out whether the network still has the call as we do.
      if ((wasDown || reestablished) && !CLEARING_STATES.includes(call.state)) this.enquire(call);
    }
  }

  /** The link failed (DL-RELEASE indication, 5.8.9): active calls wait T309, the others end now. */
  linkDown(): void {
    this.up = false;
    for (const call of [...this.byKey.values()]) {
      call.timers.stop('T322', true);
      if (call.state === 'active') {
        if (!call.timers.isRunning('T309')) call.timers.start('T309', this.timers.t309Ms, () => this.clearLocally(call, 'link', 27, q931Reason('link-not-restored')));
      } else {
        this.clearLocally(call, 'link', 41, q931Reason('link-down'));
      }
    }
  }

  calls(): Q931CallInfo[] {
    return [...this.byKey.values()].map((c) => ({
      callId: c.id, direction: c.direction, state: c.state, stateNumber: Q931_STATE_NUMBERS[c.state], callReference: c.cr, channel: c.channel,
      calling: c.calling, called: c.called, startedAt: c.startedAt, answeredAt: c.answeredAt, attempt: c.attempt, timers: c.timers.names(), ended: c.ended,
    }));
  }

  status(): Q931CallsSnapshot {
    const calls: Partial<Record<Q931CallState, number>> = {};
    let waiting = 0;
    for (const c of this.byKey.values()) {
      calls[c.state] = (calls[c.state] ?? 0) + 1;
      if (c.timers.isRunning('T309')) waiting++;
    }
    return {
      link: this.up ? 'up' : 'down', calls, total: this.byKey.size, restartsPending: this.restarts.pending(), channelsInMaintenance: this.restarts.maintenance(),
      waitingForLink: waiting, counters: structuredClone(this.counters),
    };
  }

  /** Stops every timer (the stack is stopping); calls are forgotten without messages. */
  stop(): void {
    for (const call of this.byKey.values()) call.timers.clear();
    this.byKey.clear();
    this.byId.clear();
    this.restarts.clear();
  }

  // --- the network's side ---------------------------------------------------------------

  /** One Q.931 message from the link. Never throws on what the network sends. */
  receive(info: Uint8Array): void {
    const decoded = decodeQ931(info, 'network');
    if (!decoded.ok) {
      this.counters.malformed[decoded.error.code] = (this.counters.malformed[decoded.error.code] ?? 0) + 1;
      this.action(q931Verdict(decoded).clause);
      this.log.warn({ error: decoded.error }, 'Q.931: not a message, ignored');
      return;
    }
    const m = decoded.message;
    const typeName = m.type;
    this.counters.messagesIn[typeName] = (this.counters.messagesIn[typeName] ?? 0) + 1;
    const cr = m.callReference;
    if (cr.length === 0) return this.log.info({ type: typeName }, 'Q.931: dummy call reference, ignored');
    if (cr.value === 0) return this.global(m, decoded);
    const call = this.byKey.get(`${cr.flag ? 'box' : 'network'}:${cr.value}`);
    const verdict = q931Verdict(decoded, { firstClearing: !(call?.clearing ?? false) });
    if (call === undefined) return this.unknownReference(m, verdict.act, verdict.reply, verdict.clause);
    if (m.type === 'unknown' || m.type === 'SETUP') {
      // 5.8.3.2: a SETUP for a call we have is a repeat; an unknown type gets STATUS 97 (5.8.4).
      if (m.type === 'SETUP') return this.action('5.8.3.2');
      this.action(verdict.clause);
      return this.replyStatus(call, verdict.reply!);
    }
    this.action(verdict.clause);
    if (verdict.clause !== undefined) this.log.info({ callId: call.id, type: m.type, clause: verdict.clause }, `Q.931: ${verdict.reason}`);
    if (!verdict.act) return verdict.reply ? this.replyStatus(call, verdict.reply) : undefined;
    const override = verdict.reply && verdict.reply.message !== 'STATUS' ? verdict.reply : undefined;
    this.onMessage(call, m, verdict.assumeCause, override);
    if (verdict.reply?.message === 'STATUS' && this.byKey.get(this.key(call)) === call) this.replyStatus(call, verdict.reply);
  }

  private onMessage(call: Q931CallRecord, m: Q931Message, assumeCause: number | undefined, override: Q931Reply | undefined): void {
    const causeIn = assumeCause ?? m.ies.cause?.value ?? 31;
    if (!EXPECTED[call.state].includes(m.type)) {
      if (CLEARING_STATES.includes(call.state) && CROSSING.includes(m.type)) return;
      // 5.8.4: not for this state. No state change.
      this.action('5.8.4');
      return this.sendStatus(call, 101, [Q931_MESSAGES[m.type].code]);
    }
    switch (m.type) {
      case 'CALL PROCEEDING':
        if (call.state === 'call-initiated' && !this.firstAnswer(call, m)) return;
        call.timers.stop('T303');
        this.move(call, 'outgoing-call-proceeding');
        call.timers.start('T310', this.timers.t310Ms, () => this.disconnect(call, 102, 'timer', q931Reason('no-progress')));
        return this.progressIn(call, m);
      case 'ALERTING':
        if (call.state === 'call-initiated' && !this.firstAnswer(call, m)) return;
        call.timers.stop('T303');
        call.timers.stop('T310');
        this.move(call, 'call-delivered');
        this.emit('alerting', { callId: call.id });
        return this.progressIn(call, m);
      case 'CONNECT':
        if (call.state === 'call-initiated' && !this.firstAnswer(call, m)) return;
        call.timers.stop('T303');
        call.timers.stop('T310');
        // 5.1.8: CONNECT ACKNOWLEDGE, then active.
        this.out(call, 'CONNECT ACKNOWLEDGE');
        this.move(call, 'active');
        call.answeredAt = this.opts.clock.now();
        this.counters.outgoingAnswered++;
        this.emit('answered', { callId: call.id });
        return;
      case 'PROGRESS':
        call.timers.stop('T310');
        return this.progressIn(call, m);
      case 'CONNECT ACKNOWLEDGE':
        call.timers.stop('T313');
        this.move(call, 'active');
        return;
      case 'DISCONNECT':
        return this.onDisconnect(call, causeIn, override);
      case 'RELEASE':
        return this.onRelease(call, causeIn, override);
      case 'RELEASE COMPLETE':
        if (this.repeatElsewhere(call, causeIn)) return;
        call.clearing = true;
        this.end(call, 'network', causeIn, this.networkReason(call, causeIn));
        return this.toNull(call);
      case 'STATUS ENQUIRY':
        return this.sendStatus(call, 30);
      case 'STATUS':
        return this.onStatus(call, m);
      default:
        // INFORMATION: nothing the box acts on (no overlap receiving, no keypad).
        return;
    }
  }

  /** The first answer to our SETUP must name the channel (3.1.2 / 3.1.1 / 3.1.3, 5.1.2). False: the message is not acted on. */
  private firstAnswer(call: Q931CallRecord, m: Q931Message): boolean {
    const ci = m.ies.channelIdentification;
    if (ci === undefined) {
      // Only a channel we demanded can be assumed; otherwise 5.8.6.1: mandatory IE missing.
      if (call.setup?.exclusive) return this.channels.confirmOutgoing(call.channel!, call.channel!);
      this.action('5.8.6.1');
      this.sendStatus(call, 96, [0x18]);
      return false;
    }
    const got = channelOf(ci, this.maxChannel);
    const given = 'cause' in got ? null : got.channel;
    if (given === null) {
      this.action('5.8.6.2');
      this.sendStatus(call, 100, [0x18]);
      return false;
    }
    if (!this.channels.confirmOutgoing(call.channel!, given)) {
      this.emit('error', { code: 'channel-mismatch', callId: call.id, message: `the network answered our SETUP on B-channel ${given}, not ${call.channel}: refused` });
      this.disconnect(call, 6, 'box', q931Reason('channel-unacceptable', given));
      return false;
    }
    if (given !== call.channel) {
      this.log.info({ callId: call.id, reserved: call.channel, given }, 'Q.931: the network chose another B-channel for our call');
      call.channel = given;
    }
    return true;
  }

  private progressIn(call: Q931CallRecord, m: Q931Message): void {
    for (const pi of m.ies.progressIndicator ?? []) this.emit('progress', { callId: call.id, description: pi.description });
  }

  private onDisconnect(call: Q931CallRecord, causeIn: number, override: Q931Reply | undefined): void {
    // 5.3.4: RELEASE, T308; in U11 it is a clearing collision (5.3.5 / Table 9-2: T305 stops).
    call.clearing = true;
    for (const t of ['T303', 'T305', 'T310', 'T313', 'T322'] as const) call.timers.stop(t);
    this.end(call, 'network', causeIn, this.networkReason(call, causeIn));
    call.cause = override?.cause ?? causeIn;
    this.sendRelease(call, override ? cause(override.cause, override.diagnostics) : undefined);
  }

  private onRelease(call: Q931CallRecord, causeIn: number, override: Q931Reply | undefined): void {
    if (call.state === 'release-request') {
      // 5.3.5 clear collision: both sent RELEASE; no RELEASE COMPLETE.
      this.end(call, 'network', causeIn, this.networkReason(call, causeIn));
      return this.toNull(call);
    }
    const first = !call.clearing;
    call.clearing = true;
    const rc: Q931Ies = override ? { cause: cause(override.cause, override.diagnostics) } : first ? { cause: cause(16) } : {};
    this.out(call, 'RELEASE COMPLETE', rc);
    if (this.repeatElsewhere(call, causeIn)) return;
    this.end(call, 'network', causeIn, this.networkReason(call, causeIn));
    this.toNull(call);
  }

  /**
   * 5.8.11: the network's view of the call. Null: release everything here. Release request:
   * nothing. A state that does not fit ours: clear with cause 101.
   */
  private onStatus(call: Q931CallRecord, m: Q931Message): void {
    call.timers.stop('T322', true);
    const network = m.ies.callState!.state;
    const theirCause = m.ies.cause?.value ?? 31;
    if (network === 0) {
      this.action('5.8.11');
      return this.clearLocally(call, 'network', theirCause, q931Reason('state-mismatch', 0));
    }
    if (call.state === 'release-request' || compatibleStates(call.state, network, call.direction)) {
      if (theirCause >= 96 && theirCause <= 100) this.log.info({ callId: call.id, cause: theirCause }, 'Q.931: the network reported an error in one of our messages');
      return;
    }
    this.action('5.8.11');
    this.emit('error', { code: 'status-mismatch', callId: call.id, message: `the network reports call state ${network} for a call the box has in U${Q931_STATE_NUMBERS[call.state]}: clearing (cause 101)` });
    const why = q931Reason('state-mismatch', network);
    if (call.state === 'disconnect-request') {
      this.end(call, 'box', 101, why);
      call.timers.stop('T305');
      call.cause = 101;
      return this.sendRelease(call, cause(101));
    }
    this.disconnect(call, 101, 'box', why);
  }

  // --- messages for no call, or for the global call reference ---------------------------

  /** 5.8.3.2: a call reference the box does not know. */
  private unknownReference(m: Q931AnyMessage, act: boolean, reply: Q931Reply | undefined, clause: string | undefined): void {
    const back: CallReference = { value: m.callReference.value, flag: !m.callReference.flag, length: m.callReference.length ?? 2 };
    if (m.type === 'SETUP' && !m.callReference.flag) {
      this.action(clause);
      if (!act) return reply ? this.send(message('RELEASE COMPLETE', back, { cause: cause(reply.cause, reply.diagnostics) })) : undefined;
      return this.setupIn(m, back, reply);
    }
    this.action('5.8.3.2');
    switch (m.type) {
      case 'SETUP':
      case 'RELEASE COMPLETE':
        return;
      case 'STATUS ENQUIRY':
        return this.send(message('STATUS', back, { cause: cause(30), callState: { codingStandard: 'itu-t', state: 0 } }));
      case 'STATUS':
        // 5.8.11 a): a STATUS for a call we do not have, saying it exists: RELEASE COMPLETE 101.
        if ((m.ies.callState?.state ?? 0) !== 0) this.send(message('RELEASE COMPLETE', back, { cause: cause(101) }));
        return;
      default:
        // RELEASE, unknown types and every other message: RELEASE COMPLETE, cause 81.
        return this.send(message('RELEASE COMPLETE', back, { cause: cause(81) }));
    }
  }

  /** The network's call (5.2): take a channel, CALL PROCEEDING, `incoming`. */
  private setupIn(m: Q931Message, back: CallReference, reply: Q931Reply | undefined): void {
    const refuse = (value: number, why: string) => {
      this.counters.incomingRefused++;
      this.log.info({ cr: m.callReference.value, cause: value }, `Q.931: incoming call refused: ${why}`);
      this.send(message('RELEASE COMPLETE', back, { cause: cause(value) }));
    };
    const bc = m.ies.bearerCapability!;
    // Annex B.3: the box is a voice gateway; data calls are for another destination (88).
    if (!(bc.capability === 'speech' || bc.capability === 'audio-3.1khz') || bc.transferMode !== 'circuit' || bc.rate !== '64k') return refuse(88, `bearer ${bc.capability} ${bc.transferMode} ${bc.rate} is not voice`);
    const offered = channelOf(m.ies.channelIdentification, this.maxChannel);
    if ('cause' in offered) return refuse(offered.cause, 'channel identification the box cannot use');
    const taken = this.channels.takeIncoming(offered.channel, offered.exclusive);
    if (typeof taken !== 'number') return refuse(taken.cause, 'channel policy');
    if (offered.exclusive && offered.channel !== null && taken !== offered.channel) {
      this.channels.release(taken);
      this.emit('error', { code: 'policy', message: `channel policy took B-channel ${taken} for a call offered exclusively on ${offered.channel}` });
      return refuse(44, 'channel policy answered another channel for an exclusive offer');
    }
    const calling = m.ies.callingPartyNumber;
    const call = this.newCall(this.nextId++, 'in', 'network', m.callReference.value, (back.length === 1 ? 1 : 2) as 1 | 2, taken, calling?.digits ?? '', m.ies.calledPartyNumber?.digits ?? '');
    this.counters.incomingOffered++;
    // 5.2.3.2 / 3.1.2: the first answer names the channel, exclusive.
    this.out(call, 'CALL PROCEEDING', { channelIdentification: bChannel(taken, true) });
    this.move(call, 'incoming-call-proceeding');
    if (reply?.message === 'STATUS') this.replyStatus(call, reply);
    this.emit('incoming', {
      callId: call.id, channel: taken, calling: call.calling, called: call.called,
      callingPresentation: calling === undefined ? null : (calling.presentation ?? 'allowed'), sendingComplete: m.ies.sendingComplete === true,
    });
  }

  /** 5.5 / 5.8.3.2: the global call reference is for RESTART and RESTART ACKNOWLEDGE only. */
  private global(m: Q931AnyMessage, decoded: Parameters<typeof q931Verdict>[0]): void {
    const verdict = q931Verdict(decoded);
    this.action(verdict.clause);
    const globalStatus = (value: number, diagnostics: number[]) => this.send(message('STATUS', { value: 0, flag: !m.callReference.flag, length: m.callReference.length ?? 2 }, { cause: cause(value, diagnostics), callState: { codingStandard: 'itu-t', state: 0 } }));
    if (!verdict.act) return verdict.reply?.message === 'STATUS' ? globalStatus(verdict.reply.cause, verdict.reply.diagnostics) : undefined;
    if (m.type === 'RESTART') return this.restarts.onRestart(m);
    if (m.type === 'RESTART ACKNOWLEDGE') return this.restarts.onRestartAck();
    if (m.type === 'STATUS') return;
    this.action('5.8.3.2');
    globalStatus(81, []);
  }

  // --- procedures -------------------------------------------------------------------------

  private sendSetup(call: Q931CallRecord): void {
    const s = call.setup!;
    this.out(call, 'SETUP', setupIes({ called: call.called, calling: call.calling, channel: call.channel!, exclusive: s.exclusive, bearer: s.bearer }));
    call.timers.start('T303', this.timers.t303Ms, (n) => {
      if (n === 1) return this.sendSetup(call);
      // Second expiry (5.1.1): the call is over; the RELEASE COMPLETE lets a network that got the SETUP drop it too.
      this.out(call, 'RELEASE COMPLETE', { cause: cause(102) });
      this.end(call, 'timer', 102, q931Reason('setup-unanswered'));
      this.toNull(call);
    });
  }

  /**
   * Our SETUP refused before any other answer because of its channel (44; or 34 when the
   * channel was exclusive): once, a new SETUP on another channel with a new call reference.
   * True when the call goes on.
   */
  private repeatElsewhere(call: Q931CallRecord, causeIn: number): boolean {
    const s = call.setup;
    if (s === undefined || !s.repeat || call.state !== 'call-initiated' || call.attempt > 1 || !(causeIn === 44 || (causeIn === 34 && s.exclusive))) return false;
    const old = call.channel!;
    this.channels.release(old);
    s.avoid.push(old);
    const next = this.channels.reserveOutgoing(s.avoid);
    if (next === null) return false;
    this.counters.outgoingRepeated++;
    this.log.info({ callId: call.id, refused: old, next, cause: causeIn }, 'Q.931: the network refused the channel; repeating the SETUP on another');
    call.timers.clear();
    this.byKey.delete(this.key(call));
    call.cr = this.allocateCr();
    call.channel = next;
    call.attempt++;
    call.clearing = false;
    this.byKey.set(this.key(call), call);
    this.sendSetup(call);
    return true;
  }

  /** 5.3.3: DISCONNECT, T305 (then RELEASE with the same cause, T308). */
  private disconnect(call: Q931CallRecord, value: number, by: Q931ClearedBy, why: Q931CallReason): void {
    for (const t of ['T303', 'T310', 'T313', 'T322'] as const) call.timers.stop(t);
    this.end(call, by, value, why);
    call.clearing = true;
    call.cause = value;
    this.out(call, 'DISCONNECT', { cause: cause(value) });
    this.move(call, 'disconnect-request');
    call.timers.start('T305', this.timers.t305Ms, () => this.sendRelease(call, cause(call.cause)));
  }

  /** RELEASE, T308; the second expiry gives the channel up to a restart (5.3.4.3, Table 9-2). */
  private sendRelease(call: Q931CallRecord, causeIe: ReturnType<typeof cause> | undefined): void {
    this.out(call, 'RELEASE', causeIe ? { cause: causeIe } : {});
    if (call.state !== 'release-request') this.move(call, 'release-request');
    call.timers.start('T308', this.timers.t308Ms, (n) => {
      if (n === 1) return this.sendRelease(call, causeIe);
      this.counters.releasesUnanswered++;
      const channel = call.channel;
      this.emit('error', { code: 'release-unanswered', callId: call.id, channels: channel === null ? [] : [channel], message: `RELEASE unanswered twice (T308)${channel === null ? '' : `: restarting B-channel ${channel}`}` });
      this.toNull(call, true);
      if (channel !== null) this.restarts.request([channel]);
    });
  }

  /** 5.8.10: STATUS ENQUIRY, T322; sent once more, then the call is cleared with cause 41. */
  private enquire(call: Q931CallRecord): void {
    this.out(call, 'STATUS ENQUIRY');
    call.timers.start('T322', this.timers.t322Ms, (n) => {
      if (n === 1) return this.enquire(call);
      call.timers.stop('T322', true);
      this.action('5.8.10');
      this.disconnect(call, 41, 'timer', q931Reason('status-unanswered'));
    });
  }

  /** Ends calls on the channels a restart idles (5.5): no message, the restart's owner hands the channels back. */
  private clearOnChannels(list: readonly number[] | null, by: 'network' | 'box'): void {
    const all = list ?? allChannels(this.maxChannel);
    for (const call of [...this.byKey.values()]) {
      if (call.channel === null || !all.includes(call.channel)) continue;
      this.end(call, 'restart', 41, q931Reason(by === 'network' ? 'restarted-by-network' : 'restarted-by-box'));
      this.toNull(call, true);
    }
  }

  /** The call ends here without a message (link failure, the network's STATUS saying Null). */
  private clearLocally(call: Q931CallRecord, by: Q931ClearedBy, value: number, why: Q931CallReason): void {
    this.end(call, by, value, why);
    this.toNull(call);
  }

}
