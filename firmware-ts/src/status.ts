import type { CardDriver, CardStatusView } from './card/card-driver.js';
import type { FxoView, LinkView, SpanView } from './card/card-state.js';

/** What `countyline status --json` prints. Field names are a contract (ARCHITECTURE.md §5). */
export interface BoxStatus {
  firmware: { uptimeMs: number };
  card: CardStatusView;
  spans: SpanView[];
  links: LinkView[];
  fxo: FxoView[];
}

export function buildStatus(card: CardDriver, uptimeMs: number): BoxStatus {
  return { firmware: { uptimeMs }, card: card.status(), ...card.state.view() };
}
