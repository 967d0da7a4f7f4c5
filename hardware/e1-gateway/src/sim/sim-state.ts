import type { CardLinkStats } from '../protocol/index.js';
import type { ExchangeSummary } from './exchange/far-end-exchange.js';
import type { FxoSnapshot } from './sim-fxo-port.js';
import type { LinkSnapshot } from './sim-signalling-link.js';
import type { SpanSnapshot } from './sim-span.js';
import type { TimeslotsSnapshot } from './sim-timeslots.js';

export interface CardState {
  model: string;
  serial: string;
  firmware: string;
  spans: number;
  fxoPorts: number;
  links: number;
  /** The version written into the frames the card sends. */
  protocolVersion: number;
  running: boolean;
  /** Milliseconds since the card last booted; 0 while it resets. */
  uptimeMs: number;
  resetting: boolean;
  /** The card-silence fault is on. */
  silent: boolean;
}

export interface SerialState {
  noiseRatio: number;
  corruptedBytes: number;
  corruptedTxBytes: number;
  corruptedRxBytes: number;
  /** What the card's heartbeat reports: frames it dropped since it booted. */
  rxErrors: number;
  /** The card end's CardLink counters. */
  link: CardLinkStats;
}

export type SpanState = SpanSnapshot & { timeslots: TimeslotsSnapshot };

/** Everything `GET /state` shows. */
export interface SimState {
  card: CardState;
  spans: SpanState[];
  fxo: FxoSnapshot[];
  links: LinkSnapshot[];
  /** The far-end exchange, or null when the simulator runs without one. */
  exchange: ExchangeSummary | null;
  serial: SerialState;
}
