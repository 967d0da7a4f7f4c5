import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { registerProcessMetrics } from './process-metrics.js';
import { applyAlarmRules } from './alarms/alarm-rules.js';
import { registerAlarmMetrics } from './alarms/alarm-metrics.js';
import { AlarmStore } from './alarms/alarm-store.js';
import { CardDriver } from './card/card-driver.js';
import { registerCardMetrics } from './card/card-metrics.js';
import { openSerialTransport, type OpenTransport } from './card/card-transport.js';
import type { Config } from './config/config-schema.js';
import { ControlDispatcher } from './control/control-dispatcher.js';
import type { MethodName, ParamsOf, ProgressOf, ResultOf } from './control/control-methods.js';
import { ControlServer } from './control/control-server.js';
import { controlHandlers } from './firmware-control.js';
import { buildStatus, buildTrunks, type BoxStatus, type TrunksView } from './status.js';
import { moveAside, writeFileAtomic } from './storage/atomic-file.js';
import { CoalescingWriter } from './storage/coalescing-writer.js';
import { CardLoopbackTest, DialToneTest, type E1CircuitTest } from './trunks/circuit-tests.js';
import { parseCircuit, TestCallScheduler } from './trunks/test-call-scheduler.js';
import { checkConfigFiles } from './config/check-config-files.js';
import { ConfigError } from './config/load-config.js';
import { TrunkMonitor } from './trunks/trunk-monitor.js';
import { IsupStack } from './signalling/isup/isup-stack.js';
import { wireIsupLegs } from './signalling/isup/isup-line-leg.js';
import { wirePriLegs } from './signalling/pri/pri-line-leg.js';
import { parseBChannels } from './signalling/pri/pri-channels.js';
import { PriStack } from './signalling/pri/pri-stack.js';
import { PriTestCall } from './signalling/pri/pri-test-call.js';
import { officeQueueView } from './queue/queue-view.js';
import { AnalogLines } from './signalling/analog/analog-lines.js';
import { wireAnalogLegs } from './signalling/analog/analog-line-leg.js';
import { CallManager } from './calls/call-manager.js';
import { CallMediaPath } from './calls/call-media-path.js';
import { CdrStore } from './calls/cdr-store.js';
import { AgentStatusFile } from './queue/agent-status-file.js';
import { NO_AGENTS } from './calls/no-agents.js';
import type { AgentPhones } from './calls/call-ports.js';
import { UdpHighway } from './media/udp-highway.js';
import { RtpPorts } from './media/rtp-ports.js';
import { registerCallMetrics } from './calls/call-metrics.js';
import { sipAgentPhones } from './sip/sip-agent-phones.js';
import { SipService } from './sip/sip-service.js';
import { CircuitMapError } from './circuits/circuit-map.js';
import { readTrunkState, TrunkStateFileError, type TrunkStateFile } from './trunks/trunk-state-file.js';
import { CENTRAL_DISABLED, Telemetry } from './telemetry/telemetry.js';
import { judgeDesiredConfig, type ConfigChange, type Reported } from './telemetry/desired-config.js';
import { readRolledBack } from './config/rolled-back-file.js';
import { BulletinBoard } from './queue/bulletin-board.js';
import { BulletinAudio } from './prompts/bulletin-audio.js';
import { PromptLibrary } from './prompts/prompt-library.js';
import { callerPrompts } from './calls/caller-prompts.js';
import { messagesDir } from './calls/voice-message.js';
import { MessagePruner } from './calls/message-pruner.js';
import { OfficeQueue } from './queue/office-queue.js';
import { SipCentreTrunk } from './sip/centre-trunk.js';
import { CallbackStore } from './queue/callback-store.js';
import { OfficeHours } from './queue/office-hours.js';
import { OutboundLines } from './calls/outbound-lines.js';
import { dialOut } from './calls/outbound-dial.js';
import { CallbackDialer, DEFAULT_DIALER_TIMING } from './calls/callback-dialer.js';
import type { CallMediaFactory } from './calls/call-ports.js';

export interface FirmwareDeps {
  clock?: Clock;
  openTransport?: OpenTransport;
  /** The E1 circuit test; the card loopback test until ISUP supplies CCR/COT. */
  e1Test?: E1CircuitTest;
  /** False: no control socket; the firmware is driven in-process through `handle()` (tests). */
  controlSocket?: boolean;
  /** The config file the firmware was started from: a desired config from central is a patch on it. */
  configFile?: string;
  /**
   * Restarts the firmware on a new config (FirmwareRunner): called with a desired config from
   * central that passed every check. Without it, such a config is refused as not appliable.
   */
  applyConfig?: (change: ConfigChange) => void;
  /** Adds the process's own metrics (systemd notifications) to the firmware's registry. */
  registerMetrics?: (registry: Registry) => void;
  /**
   * Lets `countyline debug hang` block the event loop (env COUNTYLINE_DEBUG_HANG=1): for
   * testing systemd's watchdog, never on a box in service. Default false: refused.
   */
  debugHang?: boolean;
}

const SAVE_EVERY_MS = 60_000;

/**
 * The firmware process: wires the modules together and owns their lifetimes. Each module
 * gets its own child logger; the control socket exposes read-only views and commands.
 */
export class Firmware {
  readonly card: CardDriver;
  readonly trunks: TrunkMonitor;
  readonly testCalls: TestCallScheduler;
  readonly alarms: AlarmStore;
  /** SS7 ISUP toward the exchange, when the config has an `isup` section. */
  readonly isup: IsupStack | null;
  /** ISDN PRI toward the exchange, when the config has a `pri` section (its D-channel so far). */
  readonly pri: PriStack | null;
  /** Loop-start call control on the FXO ports. */
  readonly analog: AnalogLines;
  /**
   * Calls out (callbacks) on an idle FXO port or an E1 circuit: `place` gives the call's leg,
   * which the call model connects to its call media path (the leg is a LineLeg) and bridges to an agent.
   */
  readonly outbound: OutboundLines;
  /** The registrar and agent calls, when the config names agents. */
  readonly sip: SipService | null;
  readonly metrics = new Registry();
  /** The notice for callers that central sets and clears. */
  readonly bulletins: BulletinBoard;
  /** Its spoken copy (espeak-ng and sox), made again whenever it changes. */
  readonly bulletinAudio: BulletinAudio;
  /** The speaking of the latest bulletin change: what a `bulletin-set` answer waits for. */
  /** Why the bulletin in force could not be spoken; null once one is. */
  private bulletinError: { code: string; message: string } | null = null;
  private spoken: Promise<Pick<ResultOf<'bulletin'>, 'audio' | 'audioError'>> = Promise.resolve({ audio: null });
  /** The call model and its CDRs: from start() (the CDR journal is read then) to stop(). */
  private calls: CallManager | null = null;
  /** The office queue and its agents: from start() to stop(), with the call model. */
  private queue: OfficeQueue | null = null;
  private agentStatus: AgentStatusFile | null = null;
  private cdrs: CdrStore | null = null;
  /** Removes voice messages of done requests after `queue.voiceMessageKeepDays`. */
  private pruner: MessagePruner | null = null;
  /** Callback requests callers left (`<dataDir>/callbacks.jsonl`): from start() to stop(). */
  private callbacks: CallbackStore | null = null;
  private unwireCalls: (() => void)[] = [];
  /** Places the callbacks callers asked for (queue.callbacks 'auto'): from start() to stop(). */
  private dialer: CallbackDialer | null = null;
  /** The audio of calls over the card's PCM highway, in and out: from start() to stop(). */
  private media: CallMediaFactory | null = null;
  /** Telemetry to central, when the config has a `central` section: from start() to stop(). */
  private telemetry: Telemetry | null = null;
  private readonly dispatcher: ControlDispatcher;
  private readonly control: ControlServer | null;
  /** Aborted by stop(): long control work (calls, captures) ends early. */
  private readonly stopping = new AbortController();
  private readonly startedAt: number;
  private readonly clock: Clock;
  private readonly trunkFile: string;
  private readonly trunkWriter: CoalescingWriter;
  private saveTimer: TimerHandle | null = null;
  private stopRules: (() => void) | null = null;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    private readonly deps: FirmwareDeps = {},
  ) {
    const clock = (this.clock = deps.clock ?? systemClock);
    this.startedAt = clock.now();
    this.card = new CardDriver({
      path: config.card.path,
      baudRate: config.card.baudRate,
      openTransport: deps.openTransport ?? openSerialTransport,
      clock,
      logger: log.child({ module: 'card' }),
      hostName: config.hostName,
      spans: config.card.spans,
      links: config.card.links,
      heartbeatTimeoutMs: config.card.heartbeatTimeoutMs,
      batteryThresholdV: config.trunks.fxo.batteryThresholdV,
    });
    const t = config.trunks;
    this.isup = config.isup ? this.buildIsup(config, clock, log) : null;
    this.pri = config.pri ? this.buildPri(config, clock, log) : null;
    this.trunks = new TrunkMonitor(
      this.card,
      clock,
      {
        spanAlarm: { redIntegrationMs: t.redIntegrationMs, blueIntegrationMs: t.blueIntegrationMs, yellowIntegrationMs: t.yellowIntegrationMs, settleMs: t.settleMs },
        g826: {
          sesThreshold: t.sesThreshold,
          intervalMs: 15 * 60_000,
          historyIntervals: 96,
          intervalThresholds: t.intervalThresholds,
          dayThresholds: t.dayThresholds,
          utcOffsetMs: t.utcOffsetHours * 3_600_000,
        },
        fxo: t.fxo,
      },
      log.child({ module: 'trunks' }),
    );
    this.testCalls = new TestCallScheduler(
      {
        card: this.card,
        clock,
        logger: log.child({ module: 'test-calls' }),
        fxoTest: new DialToneTest(this.card, clock, config.testCalls.dialToneTimeoutMs),
        e1Test: deps.e1Test ?? this.isup ?? this.priTest(config, clock) ?? new CardLoopbackTest(this.card, clock, config.testCalls.toneTimeoutMs),
        isBusy: (circuit) => this.isBusy(circuit),
        spanInAlarm: (span) => {
          const state = this.trunks.spanHealth().find((s) => s.span === span)?.alarm ?? 'none';
          return state === 'red' || state === 'blue';
        },
      },
      { schedule: config.testCalls.schedule, failuresToBlock: config.testCalls.failuresToBlock, maxBlockedPerPass: config.testCalls.maxBlockedPerPass, utcOffsetHours: t.utcOffsetHours },
    );
    this.analog = new AnalogLines({ card: this.card, trunks: this.trunks, clock, logger: log.child({ module: 'analog' }) });
    this.outbound = new OutboundLines({
      card: this.card, clock, logger: log.child({ module: 'outbound' }), analog: this.analog, trunks: this.trunks, isup: this.isup, pri: this.pri,
      ...(config.isup?.callingNumber && { calling: config.isup.callingNumber }),
      ...(config.pri?.callingNumber && { priCalling: config.pri.callingNumber }),
    });
    this.alarms = new AlarmStore({ file: join(config.dataDir, 'alarms.json'), clock, logger: log.child({ module: 'alarms' }) });
    this.bulletins = new BulletinBoard({ file: join(config.dataDir, 'bulletin.json'), clock, logger: log.child({ module: 'bulletin' }) });
    this.bulletinAudio = new BulletinAudio({ dataDir: config.dataDir, logger: log.child({ module: 'bulletin' }) });
    this.bulletins.on('changed', () => this.speakBulletin());
    this.trunkFile = join(config.dataDir, 'trunks.json');
    this.trunkWriter = new CoalescingWriter({
      snapshot: () => JSON.stringify(this.trunkState()),
      write: (text) => writeFileAtomic(this.trunkFile, text),
      logger: log.child({ module: 'trunks' }),
      what: 'trunk state',
    });
    this.testCalls.on('changed', () => this.trunkWriter.changed());
    if (this.isup) this.wireIsup(this.isup);
    if (this.pri) this.wirePri(this.pri);
    registerCardMetrics(this.metrics, this.card);
    registerProcessMetrics(this.metrics);
    deps.registerMetrics?.(this.metrics);
    registerAlarmMetrics(this.metrics, this.alarms);
    // SIP runs for the agents' phones, and for the city centre's trunk (a box may send every call there).
    this.sip = config.agents.length > 0 || config.queue.centre ? new SipService({ config, logger: log.child({ module: 'sip' }), clock }) : null;
    this.sip?.registerMetrics(this.metrics);
    const refused = new Counter({ name: 'countyline_control_refused_total', help: 'Control requests refused or failed, by error code', labelNames: ['code'], registers: [this.metrics] });
    const controlLog = log.child({ module: 'control' });
    this.dispatcher = new ControlDispatcher(
      controlHandlers({
        clock,
        card: this.card,
        alarms: this.alarms,
        testCalls: this.testCalls,
        isup: this.isup,
        pri: this.pri,
        calls: () => this.calls,
        queue: () => this.queue,
        callbacks: () => this.callbacks,
        messagesDir: messagesDir(config.dataDir),
        sip: this.sip,
        metrics: this.metrics,
        status: () => this.status(),
        trunkView: () => this.trunkView(),
        stopping: this.stopping.signal,
        debugHang: deps.debugHang ?? false,
        kpi: {
          cdrs: (from, to) => this.cdrs?.between(from, to) ?? Promise.resolve([]),
          utcOffsetMs: config.trunks.utcOffsetHours * 3_600_000,
          // Erlang C's wrap-up per call: the agents' mean (staffingAdvice takes one figure).
          wrapUpMs: Math.round(config.agents.reduce((sum, a) => sum + a.wrapUpMs, 0) / Math.max(1, config.agents.length)),
        },
        dial: (params, progress) => {
          const media = this.media;
          if (!media) throw new Error('the call model is not started yet');
          return dialOut({ lines: this.outbound, media, clock, signal: this.stopping.signal }, params, progress);
        },
        bulletin: {
          view: () => {
            const audio = this.audioView();
            // Why the bulletin in force has no recording, for `countyline bulletin` as for the set's answer.
            return { bulletin: this.bulletins.current(), audio, ...(!audio && this.bulletinError && { audioError: this.bulletinError }) };
          },
          set: (text, until) => this.setBulletin(text, until),
          clear: () => this.bulletins.clear(),
        },
      }),
      controlLog,
      (code) => refused.inc({ code }),
    );
    this.control = deps.controlSocket === false ? null : new ControlServer(config.control.socket, this.dispatcher, controlLog, (code) => refused.inc({ code }));
  }

  /**
   * Runs one control method in-process, with the same parameter checks and coded errors as
   * a request on the control socket (as fastify's `inject()` does for HTTP).
   */
  handle<M extends MethodName>(method: M, params: ParamsOf<M>, onProgress?: (data: ProgressOf<M>) => void): Promise<ResultOf<M>> {
    return this.dispatcher.call(method, params, onProgress);
  }

  async start(): Promise<void> {
    // Before anything runs: a bad file named in the config is a config error, not a later failure.
    await checkConfigFiles(this.config);
    this.log.info({ dataDir: this.config.dataDir }, 'firmware starting');
    await mkdir(this.config.dataDir, { recursive: true });
    await this.alarms.load();
    await this.bulletins.load();
    // The saved bulletin is spoken again in the background: start-up does not wait for it.
    if (this.bulletins.current()) this.speakBulletin();
    await this.loadTrunkState();
    this.stopRules = applyAlarmRules({
      store: this.alarms,
      card: this.card,
      trunks: this.trunks,
      testCalls: this.testCalls,
      clock: this.clock,
      intervalMs: 15 * 60_000,
      utcOffsetMs: this.config.trunks.utcOffsetHours * 3_600_000,
      restoreSettleMs: this.config.alarms.restoreSettleMs,
      isup: this.isup,
      pri: this.pri,
      analog: this.analog,
    });
    await this.startCalls();
    await this.control?.listen();
    await this.sip?.start();
    await this.startTelemetry();
    this.card.start();
    this.pri?.start();
    this.testCalls.start();
    this.armSave();
    this.log.info({ card: this.config.card.path, socket: this.config.control.socket, arch: process.arch, node: process.version }, 'firmware started');
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.saveTimer) this.clock.clearTimeout(this.saveTimer);
    this.stopRules?.();
    // Calls first: each line released and each phone hung up while signalling still runs,
    // and every CDR on disk.
    await this.dialer?.stop();
    await this.calls?.stop();
    await this.pruner?.stop();
    this.queue?.stop();
    for (const unwire of this.unwireCalls) unwire();
    this.analog.stop();
    this.isup?.stop();
    this.pri?.stop();
    await this.sip?.stop();
    // The test under way is cut short and puts its circuit back to rest while the card still
    // listens: a line left off-hook or a timeslot left looped would outlive the firmware.
    await this.testCalls.stop();
    this.trunks.stop();
    await this.telemetry?.stop();
    await this.control?.close();
    await this.card.stop();
    this.trunkWriter.changed();
    await Promise.all([this.trunkWriter.flush(), this.alarms.close(), this.cdrs?.close(), this.callbacks?.close(), this.bulletins.close(), this.bulletinAudio.close(), this.agentStatus?.flush()]);
    this.log.info('firmware stopped');
  }

  status(): BoxStatus {
    return { ...buildStatus(this.card, this.trunks, this.clock.now() - this.startedAt, this.isup, this.pri), central: this.telemetry?.status() ?? CENTRAL_DISABLED };
  }

  /** Sets the bulletin; resolves once it is spoken too (the setter learns whether callers hear it). */
  private async setBulletin(text: string, until: number | null): Promise<ResultOf<'bulletin-set'>> {
    const bulletin = await this.bulletins.set(text, until);
    return { bulletin, ...(await this.spoken) };
  }

  private audioView(): ResultOf<'bulletin'>['audio'] {
    const recording = this.bulletinAudio.current();
    return recording ? { lang: recording.lang, seconds: recording.seconds } : null;
  }

  /**
   * Speaks the bulletin in force (or removes its recording); never rejects: a bulletin that
   * cannot be spoken is logged, and its set command's answer says so (`audioError`).
   */
  private speakBulletin(): void {
    this.spoken = this.bulletinAudio.show(this.bulletins.current()?.text ?? null).then(
      (recording) => {
        this.bulletinError = null;
        return { audio: recording ? { lang: recording.lang, seconds: recording.seconds } : null };
      },
      (err: Error & { code?: string }) => {
        this.bulletinError = { code: err.code ?? 'failed', message: err.message };
        return { audio: null, audioError: this.bulletinError };
      },
    );
  }

  /** Calls in progress (a desired config waits until there are none). */
  callsUp(): number {
    // A callback being placed counts: the agent and the line out are on it.
    return (this.calls?.active().length ?? 0) + (this.dialer?.active() ? 1 : 0);
  }

  trunkView(): TrunksView {
    return buildTrunks(this.card, this.trunks, this.testCalls);
  }

  /**
   * The call model: calls from the ISUP stack and the FXO lines go to the agents' phones,
   * their audio over the card's PCM highway, their CDRs to `<dataDir>/cdr.jsonl`.
   */
  private async startCalls(): Promise<void> {
    const log = this.log.child({ module: 'calls' });
    const cdrs = (this.cdrs = await CdrStore.open({ file: join(this.config.dataDir, 'cdr.jsonl'), logger: log, clock: this.clock, keepRecent: this.config.calls.recent }));
    const sip = this.sip;
    const { config } = this;
    const wrapUp = new Map(config.agents.map((a) => [a.user, a.wrapUpMs]));
    const agents: AgentPhones = sip ? sipAgentPhones(sip, this.clock, (user) => wrapUp.get(user) ?? 0) : NO_AGENTS;
    const media = this.log.child({ module: 'media' });
    const rtp = sip ? { ports: new RtpPorts({ min: config.media.rtpPortMin, max: config.media.rtpPortMax }), bind: config.sip.bind, address: () => sip.address } : null;
    const q = config.queue;
    // Agents keep the status they were last given (CLI, feature codes) across restarts.
    const statusFile = (this.agentStatus = new AgentStatusFile({ file: join(config.dataDir, 'agent-status.json'), clock: this.clock, logger: this.log.child({ module: 'queue' }) }));
    const restored = await statusFile.load();
    const callbacks = (this.callbacks = await CallbackStore.open({ file: join(config.dataDir, 'callbacks.jsonl'), clock: this.clock, logger: this.log.child({ module: 'callbacks' }) }));
    const queue = (this.queue = new OfficeQueue({
      restored,
      saveStatuses: (agents) => statusFile.save(agents),
      clock: this.clock,
      logger: this.log.child({ module: 'queue' }),
      agents,
      settings: { strategy: q.strategy, ringTimeoutMs: config.calls.ringTimeoutMs, maxWaitMs: q.maxWaitMs, repeatAbandonersAhead: q.repeatAbandonersAhead, agentsStart: q.agentsStart },
    }));
    const prompts = callerPrompts({
      // Recorded prompts dropped into <dataDir>/prompts/<lang>/<name>.alaw are played instead of the synthesised ones.
      library: new PromptLibrary({ overrideDir: join(config.dataDir, 'prompts') }),
      lang: q.lang,
      welcome: q.welcome,
      bulletin: () => this.bulletinAudio.current(),
      logger: log,
    });
    const mediaPath = new CallMediaPath({ highway: new UdpHighway({ logger: media }), clock: this.clock, logger: media, rtp });
    const hours = OfficeHours.fromConfig(q.hours, config.trunks.utcOffsetHours);
    const calls = (this.calls = new CallManager({
      clock: this.clock,
      logger: log,
      agents,
      queue,
      prompts,
      media: (this.media = mediaPath),
      cdrs,
      settings: { ...config.calls, announceEveryMs: q.announceEveryMs, repeatWindowMs: q.repeatWindowMs },
      callbacks,
      hours,
      ...(q.voiceMessage && { messages: { dir: messagesDir(config.dataDir), maxMs: q.voiceMessageMaxMs } }),
      ...(q.centre && sip && { centre: { trunk: new SipCentreTrunk(q.centre.uri, sip, log), when: q.centre.when, ringTimeoutMs: q.centre.ringTimeoutMs } }),
    }));
    queue.start();
    if (q.voiceMessageKeepDays > 0) {
      this.pruner = new MessagePruner({
        dir: messagesDir(config.dataDir),
        keepMs: q.voiceMessageKeepDays * 24 * 3_600_000,
        clock: this.clock,
        logger: this.log.child({ module: 'callbacks' }),
        pending: () => new Set(callbacks.pending().map((c) => c.id)),
      });
      this.pruner.start();
    }
    // Callbacks are placed only where there are agents' phones to bridge them to.
    if (q.callbacks === 'auto' && sip) {
      this.dialer = new CallbackDialer({
        clock: this.clock,
        logger: this.log.child({ module: 'callbacks' }),
        queue,
        agents,
        callbacks,
        lines: this.outbound,
        media: mediaPath,
        cdrs,
        hours,
        settings: { retryMs: q.callbackRetryMs, maxAttempts: q.callbackMaxAttempts, agentRingMs: config.calls.ringTimeoutMs, ...DEFAULT_DIALER_TIMING },
      });
      this.dialer.start();
    }
    // Agents log in, out and take breaks from their phones (sip.featureCodes).
    sip?.setFeatureCodeHandler((user, action) => {
      try {
        queue.setStatus(user, action);
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
    });
    registerCallMetrics(this.metrics, calls, cdrs);
    const take = (leg: Parameters<CallManager['incoming']>[0]) => void calls.incoming(leg);
    if (this.isup) this.unwireCalls.push(wireIsupLegs(this.isup, this.card, this.clock, take));
    if (this.pri) this.unwireCalls.push(wirePriLegs(this.pri, this.card, this.clock, take));
    this.unwireCalls.push(wireAnalogLegs(this.analog, this.card, this.clock, take));
  }

  /** Telemetry to central: what it publishes comes from the modules; central's commands run as the CLI's do. */
  private async startTelemetry(): Promise<void> {
    const central = this.config.central;
    if (!central) return;
    this.telemetry = await Telemetry.start({
      config: { ...this.config, central },
      clock: this.clock,
      logger: this.log.child({ module: 'telemetry' }),
      metrics: this.metrics,
      state: {
        hostName: this.config.hostName,
        card: this.card,
        trunks: this.trunks,
        isup: this.isup,
        pri: this.pri,
        alarms: this.alarms,
        sip: this.sip,
        bulletin: this.bulletins,
        // A box with no agents has no queue to show.
        queue: () => (this.queue && this.config.agents.length > 0 ? officeQueueView(this.queue, this.calls, this.clock.now()) : null),
        callbacks: () => this.callbacks?.pending() ?? null,
      },
      testCalls: this.testCalls,
      calls: [this.calls, this.dialer].filter((source) => source !== null),
      recentCdrs: () => this.cdrs?.recent() ?? [],
      actions: {
        'test-call': async (circuit) => ({ ...(await this.handle('test-call', { circuit })) }),
        block: async (cic) => ({ ...(await this.handle('block', { cic })) }),
        unblock: async (cic) => ({ ...(await this.handle('unblock', { cic })) }),
        // Answered once the text is spoken too: the operator learns whether callers hear it.
        'bulletin-set': async (text, until) => ({ ...(await this.setBulletin(text, until)) }),
        'bulletin-clear': async () => ({ cleared: await this.bulletins.clear() }),
      },
      desiredConfig: (raw) => this.desiredConfig(raw),
      liveChanges: (changed) => this.liveChanges(changed),
    });
  }

  /** Calls arriving and ending, callers joining and leaving the queue, agents and their phones changing: for central's live view. */
  private liveChanges(changed: () => void): () => void {
    const offs: (() => void)[] = [];
    const watch = <E extends { on(e: N, l: () => void): unknown; off(e: N, l: () => void): unknown }, N extends string>(emitter: E | null, events: readonly N[]) => {
      if (!emitter) return;
      for (const event of events) {
        emitter.on(event, changed);
        offs.push(() => emitter.off(event, changed));
      }
    };
    watch(this.calls, ['call-arrived', 'call-ended'] as const);
    watch(this.dialer, ['call-ended'] as const);
    watch(this.queue?.acd ?? null, ['entered', 'offer', 'answered', 'abandoned', 'overflowed', 'agent'] as const);
    watch(this.sip?.agents ?? null, ['available', 'unavailable', 'phone'] as const);
    watch(this.callbacks, ['changed'] as const);
    return () => {
      for (const off of offs.splice(0)) off();
    };
  }

  /**
   * Central's desired config: refused or applied as it stands (the report goes back at once),
   * or handed to the runner, which restarts the firmware with it once no call is up; the
   * restarted firmware reports it applied when the retained revision reaches it again.
   */
  private async desiredConfig(raw: Buffer): Promise<Reported | null> {
    const path = this.deps.configFile;
    let file: { path: string; raw: Record<string, unknown> } | null = null;
    let fileError: string | undefined;
    if (path && this.deps.applyConfig) {
      try {
        file = { path, raw: JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown> };
      } catch (err) {
        fileError = (err as Error).message;
        this.log.error({ err: fileError, path }, 'desired config: the config file cannot be read back');
      }
    }
    const outcome = judgeDesiredConfig({ running: this.config, file, fileError, rolledBack: await readRolledBack(this.config.dataDir) }, raw);
    if (!outcome) {
      this.log.error({ octets: raw.length }, 'desired config without a revision; cannot answer it');
      return null;
    }
    if ('report' in outcome) return outcome.report;
    this.log.info({ revision: outcome.apply.revision, changed: outcome.apply.changed, callsUp: this.callsUp() }, 'desired config accepted; the firmware restarts with it once no call is up');
    this.deps.applyConfig!(outcome.apply);
    return null;
  }

  private buildIsup(config: Config, clock: Clock, log: Logger): IsupStack {
    const isup = config.isup!;
    try {
      return new IsupStack(
        this.card,
        clock,
        { ...isup, signalling: config.card.links.map((l) => ({ span: l.span, timeslot: l.timeslot })) },
        log.child({ module: 'isup' }),
      );
    } catch (err) {
      if (err instanceof CircuitMapError) throw new ConfigError('config', [`isup.${err.entry}: ${err.message}`]);
      throw err;
    }
  }

  /**
   * The PRI stack on the D-channel `pri.link` names. Refused as a config error: a link that is
   * not there or not in `hdlc` mode, and a span that ISUP's circuits use too (a span carries
   * SS7 or PRI, not both).
   */
  private buildPri(config: Config, clock: Clock, log: Logger): PriStack {
    const pri = config.pri!;
    const link = config.card.links[pri.link];
    if (!link) throw new ConfigError('config', [`pri.link: card.links has no link ${pri.link} (it has ${config.card.links.length})`]);
    if (link.mode !== 'hdlc') throw new ConfigError('config', [`pri.link: card.links[${pri.link}] is in ${link.mode} mode; a PRI D-channel needs "mode": "hdlc"`]);
    const isup = config.isup;
    if (isup) {
      if (isup.link === pri.link) throw new ConfigError('config', [`pri.link: link ${pri.link} is isup.link too; SS7 and PRI need a link each`]);
      const shared = isup.cics.find((c) => c.span === link.span);
      if (shared) throw new ConfigError('config', [`pri.link: span ${link.span} carries ISUP circuits (isup.cics); a span is SS7 or PRI, not both`]);
    }
    if (pri.switchType !== 'euroisdn') {
      const northAmerican = ['national', 'ni1', 'ni2', 'dms100', '4ess', '5ess', 'att4ess', 'lucent5e'].includes(pri.switchType.toLowerCase());
      throw new ConfigError('config', [
        `pri.switchType: "${pri.switchType}"${northAmerican ? ' is a North American (T1) variant' : ' is not a variant the box speaks'}; an E1 PRI speaks ITU-T Q.931 as ETSI EN 300 403 has it: "euroisdn"`,
      ]);
    }
    let channels: number[];
    try {
      channels = parseBChannels(pri.channels);
    } catch (err) {
      throw new ConfigError('config', [`pri.channels: ${(err as Error).message}`]);
    }
    return new PriStack({ card: this.card, clock, logger: log.child({ module: 'pri' }), link: pri.link, span: link.span, timers: pri.q921, channels });
  }

  private wirePri(pri: PriStack): void {
    pri.registerMetrics(this.metrics);
    this.testCalls.on('circuit-blocked', (r) => this.priBlock(pri, r.circuit, 'block'));
    this.testCalls.on('circuit-unblocked', (r) => this.priBlock(pri, r.circuit, 'unblock'));
    // A span in red or blue alarm carries no call: its B-channels are not offered until it clears.
    this.trunks.on('span-alarm', (span, transition) => {
      if (span !== pri.span) return;
      if (transition.to === 'red' || transition.to === 'blue') pri.channels.group.blockSpan(span);
      else if (transition.to === 'none') pri.channels.group.unblockSpan(span);
    });
  }

  private wireIsup(isup: IsupStack): void {
    isup.registerMetrics(this.metrics);
    // Hardware blocking follows the span: red or blue (no usable signal) blocks its circuits.
    this.trunks.on('span-alarm', (span, transition) => {
      if (transition.to === 'red' || transition.to === 'blue') isup.spanFailed(span, true);
      else if (transition.to === 'none') isup.spanFailed(span, false);
    });
    // A circuit taken out of service by failed test calls is blocked toward the exchange.
    const cicOf = (circuit: string) => {
      const parsed = parseCircuit(circuit);
      return parsed?.kind === 'e1' ? isup.map.byTimeslot(parsed.span, parsed.timeslot)?.cic : undefined;
    };
    this.testCalls.on('circuit-blocked', (r) => {
      const cic = cicOf(r.circuit);
      if (cic !== undefined) isup.maintenance.block(cic);
    });
    this.testCalls.on('circuit-unblocked', (r) => {
      const cic = cicOf(r.circuit);
      if (cic !== undefined) isup.maintenance.unblock(cic);
    });
    isup.maintenance.on('ready', () => {
      for (const r of this.testCalls.toJSON()) {
        const cic = cicOf(r.circuit);
        if (r.blocked && cic !== undefined && isup.group.state(cic)?.maintenance === 'none') isup.maintenance.block(cic);
      }
    });
  }

  private isBusy(circuit: string): boolean {
    const parsed = parseCircuit(circuit);
    if (parsed?.kind === 'fxo') {
      // A line carrying a call is busy; an unplugged one is tested (and fails, as it should).
      const state = this.analog.view().find((l) => l.port === parsed.port)?.state ?? 'idle';
      return state !== 'idle' && state !== 'unplugged';
    }
    if (parsed?.kind !== 'e1') return false;
    if (this.pri?.span === parsed.span) return (this.pri.channels.group.state(parsed.timeslot)?.call ?? 'idle') !== 'idle';
    if (!this.isup) return false;
    const cic = this.isup.map.byTimeslot(parsed.span, parsed.timeslot)?.cic;
    return cic !== undefined && this.isup.group.state(cic)?.call !== 'idle';
  }

  /** The PRI's test call, calling the exchange's test line when config names one. */
  private priTest(config: Config, clock: Clock): PriTestCall | null {
    if (!this.pri || !config.pri) return null;
    const { testCall, callingNumber } = config.pri;
    const local = new CardLoopbackTest(this.card, clock, config.testCalls.toneTimeoutMs);
    return new PriTestCall({ pri: this.pri, card: this.card, clock, number: testCall.number, calling: callingNumber, loopAround: testCall.loopAround, answerTimeoutMs: testCall.answerTimeoutMs, toneTimeoutMs: config.testCalls.toneTimeoutMs, local });
  }

  /** A B-channel taken out of service by failed test calls, or back in it: at the box only. */
  private priBlock(pri: PriStack, circuit: string, action: 'block' | 'unblock'): void {
    const parsed = parseCircuit(circuit);
    if (parsed?.kind !== 'e1' || parsed.span !== pri.span || !pri.channels.group.has(parsed.timeslot)) return;
    pri.channels.group[action](parsed.timeslot, 'maintenance', 'local');
  }

  private trunkState(): TrunkStateFile {
    return { version: 1, spans: this.trunks.savedSpans(), circuits: this.testCalls.toJSON() };
  }

  private async loadTrunkState(): Promise<void> {
    try {
      const saved = await readTrunkState(this.trunkFile);
      if (!saved) return;
      for (const s of saved.spans) this.trunks.restoreSpan(s.span, s.g826);
      this.testCalls.restore(saved.circuits);
      // B-channels that failed their tests stay out of service across a restart (PRI has no
      // blocking message: the block is the box's own; ISUP blocks once its circuits are reset).
      if (this.pri) for (const r of saved.circuits) if (r.blocked) this.priBlock(this.pri, r.circuit, 'block');
    } catch (err) {
      if (!(err instanceof TrunkStateFileError)) throw err;
      const aside = await moveAside(this.trunkFile, this.clock.now()).catch(() => null);
      this.log.error({ err: err.message, movedTo: aside }, 'trunk state file unusable; starting with empty counters');
    }
  }

  private armSave(): void {
    this.saveTimer = this.clock.setTimeout(() => {
      this.trunkWriter.changed();
      this.armSave();
    }, SAVE_EVERY_MS);
  }
}
