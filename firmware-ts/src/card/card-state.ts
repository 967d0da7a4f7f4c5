import type { CardMessage, FxoTone, LinkState, MessageOf, SpanDefect } from '@countyline/e1-gateway';

/**
 * What the firmware knows of its card, built only from what the card reported. Pure: the
 * driver feeds it messages; `countyline status` reads `view()`.
 */
export type Inventory = Omit<MessageOf<'inventory'>, 'type'>;

export interface SpanView {
  span: number;
  /** Defects the framer reports right now, as operators name them (LOS, LOF, ...). */
  causes: string[];
  defects: Record<SpanDefect, boolean>;
  crc4: boolean;
  clock: 'line' | 'internal';
  sendingRai: boolean;
  /** The last one-second counters the card sent. */
  lastSecond: Omit<MessageOf<'spanCounters'>, 'type' | 'span'> | null;
  /** Sums of the per-second counters since the firmware started. */
  totals: { seconds: number; crc4Errors: number; eBits: number; lineCodeViolations: number; slips: number };
}

export interface LinkView {
  link: number;
  span: number;
  timeslot: number;
  mode: 'mtp2' | 'hdlc';
  state: LinkState;
}

export interface FxoView {
  port: number;
  /** `present` when the line voltage shows exchange battery, `unplugged` when it does not. */
  line: 'present' | 'unplugged';
  voltage: number;
  loopCurrent: number;
  hook: 'on' | 'off';
  ringing: boolean;
  polarity: 'normal' | 'reversed';
  tone: FxoTone;
  lastCallerId: { number: string; name: string; time: string } | null;
}

export const DEFECT_CAUSES: Record<SpanDefect, string> = {
  los: 'LOS',
  lof: 'LOF',
  lmfa: 'LMFA',
  ais: 'AIS',
  rai: 'RAI',
  ts16mfl: 'TS16-MFL',
};

/**
 * Below this line voltage (magnitude, volts) a port has no exchange battery (DAHDI battthresh);
 * the default of `trunks.fxo.batteryThresholdV`.
 */
export const DEFAULT_BATTERY_THRESHOLD_V = 3;

export class CardState {
  inventory: Inventory | null = null;
  readonly spans = new Map<number, SpanView>();
  readonly links = new Map<number, LinkView>();
  readonly fxo = new Map<number, FxoView>();

  /** `batteryThresholdV`: the configured line voltage below which a port has no battery. */
  constructor(private readonly batteryThresholdV = DEFAULT_BATTERY_THRESHOLD_V) {}

  /** Sets the card's shape from its inventory; keeps what is already known of each part. */
  setInventory(inventory: Inventory): void {
    this.inventory = inventory;
    for (let span = 0; span < inventory.spans; span++) if (!this.spans.has(span)) this.spans.set(span, emptySpan(span));
    for (let port = 0; port < inventory.fxoPorts; port++) if (!this.fxo.has(port)) this.fxo.set(port, emptyFxo(port));
    for (const key of [...this.spans.keys()]) if (key >= inventory.spans) this.spans.delete(key);
    for (const key of [...this.fxo.keys()]) if (key >= inventory.fxoPorts) this.fxo.delete(key);
  }

  setLinkConfig(config: Omit<LinkView, 'state'>): void {
    const previous = this.links.get(config.link);
    this.links.set(config.link, { ...config, state: previous?.state ?? 'out-of-service' });
  }

  /** Applies one message from the card; returns false for messages that carry no state. */
  apply(message: CardMessage): boolean {
    switch (message.type) {
      case 'spanStatus': {
        const span = this.spans.get(message.span) ?? emptySpan(message.span);
        span.defects = { ...message.defects };
        span.causes = (Object.keys(DEFECT_CAUSES) as SpanDefect[]).filter((d) => message.defects[d]).map((d) => DEFECT_CAUSES[d]);
        span.crc4 = message.crc4;
        span.clock = message.clock;
        span.sendingRai = message.sendingRai;
        this.spans.set(message.span, span);
        return true;
      }
      case 'spanCounters': {
        const span = this.spans.get(message.span) ?? emptySpan(message.span);
        const { type: _type, span: _span, ...counters } = message;
        span.lastSecond = counters;
        span.totals.seconds++;
        span.totals.crc4Errors += counters.crc4Errors;
        span.totals.eBits += counters.eBits;
        span.totals.lineCodeViolations += counters.lineCodeViolations;
        span.totals.slips += counters.slips;
        this.spans.set(message.span, span);
        return true;
      }
      case 'linkState': {
        const link = this.links.get(message.link);
        if (link) link.state = message.state;
        return true;
      }
      case 'fxoStatus': {
        const port = this.fxoPort(message.port);
        port.voltage = message.voltage;
        port.loopCurrent = message.loopCurrent;
        port.hook = message.offHook ? 'off' : 'on';
        port.ringing = message.ringing;
        port.polarity = message.polarity;
        port.line = Math.abs(message.voltage) >= this.batteryThresholdV ? 'present' : 'unplugged';
        return true;
      }
      case 'fxoRing':
        this.fxoPort(message.port).ringing = message.on;
        return true;
      case 'fxoPolarity':
        this.fxoPort(message.port).polarity = message.polarity;
        return true;
      case 'fxoTone':
        this.fxoPort(message.port).tone = message.tone;
        return true;
      case 'fxoCallerId':
        this.fxoPort(message.port).lastCallerId = { number: message.number, name: message.name, time: message.time };
        return true;
      default:
        return false;
    }
  }

  /** Links fall out of service when the card restarts; the driver sets them up again. */
  markLinksDown(): void {
    for (const link of this.links.values()) link.state = 'out-of-service';
  }

  view(): { spans: SpanView[]; links: LinkView[]; fxo: FxoView[] } {
    const byKey = <T>(map: Map<number, T>) => [...map.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => structuredClone(v));
    return { spans: byKey(this.spans), links: byKey(this.links), fxo: byKey(this.fxo) };
  }

  private fxoPort(port: number): FxoView {
    let view = this.fxo.get(port);
    if (!view) this.fxo.set(port, (view = emptyFxo(port)));
    return view;
  }
}

function emptySpan(span: number): SpanView {
  return {
    span,
    causes: [],
    defects: { los: false, lof: false, lmfa: false, ais: false, rai: false, ts16mfl: false },
    crc4: true,
    clock: 'line',
    sendingRai: false,
    lastSecond: null,
    totals: { seconds: 0, crc4Errors: 0, eBits: 0, lineCodeViolations: 0, slips: 0 },
  };
}

function emptyFxo(port: number): FxoView {
  return { port, line: 'unplugged', voltage: 0, loopCurrent: 0, hook: 'on', ringing: false, polarity: 'normal', tone: 'none', lastCallerId: null };
}
