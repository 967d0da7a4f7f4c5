import { PROTOCOL_VERSION } from '@countyline/e1-gateway';
import type { CardError } from '../card/card-driver.js';
import type { LinkTestView } from '../signalling/mtp3/link-test.js';
import { Q921_STATE_NUMBERS } from '../signalling/pri/q921-link.js';
import type { BoxStatus } from '../status.js';
import { clockTime } from './clock-time.js';
import { heads, stateText, text, type Lang, type TextKey } from './i18n.js';
import { renderTable } from './table.js';

/** Explains a card error in the reader's language. */
export function describeCardError(lang: Lang, error: CardError): string {
  switch (error.code) {
    case 'open-failed':
    case 'setup-failed':
      return text(lang, error.code, error.path, error.detail ?? '');
    case 'version-mismatch':
      return text(lang, 'version-mismatch', error.path, error.peerVersion ?? '?', PROTOCOL_VERSION);
    default:
      return text(lang, error.code, error.path);
  }
}

/** `signalling link test: passed, last test 10:02:11`, with why the last one failed and the restarts. */
export function formatLinkTest(test: LinkTestView, lang: Lang, now: number): string {
  let line = `${text(lang, 'linkTest')}: ${stateText(lang, 'linkTest', test.state)}`;
  if (test.lastResult === 'failed' && test.lastFailure) line += ` (${stateText(lang, 'linkTestFailure', test.lastFailure)})`;
  if (test.lastTestAt !== null) line += `, ${text(lang, 'lastTest', clockTime(test.lastTestAt, 8, now))}`;
  if (test.restarts > 0) line += `, ${text(lang, 'linkRestarts', test.restarts)}`;
  return line;
}

/** `countyline status` for a person: one block per card part, FXO lines as a table. */
export function formatStatus(status: BoxStatus, lang: Lang, now: number): string {
  const t = (key: TextKey, ...args: unknown[]) => text(lang, key, ...args);
  const lines: string[] = [];
  const { card } = status;
  const inv = card.inventory;
  const head = inv
    ? `${t('card')} ${inv.model}  ${t('serial')} ${inv.serial}  ${t('firmware')} ${inv.firmware}  ${t('protocolVersion', card.protocolVersion)}  (${card.path})`
    : `${t('card')} ${card.path}  ${t('noInventory')}`;
  lines.push(head);
  const beat = card.lastHeartbeatAt === null ? '' : `  ${t('heartbeatAgo', ((now - card.lastHeartbeatAt) / 1000).toFixed(1))}`;
  lines.push(`  ${t('link')}: ${stateText(lang, 'cardLink', card.link)}${beat}`);
  if (card.error) lines.push(`  ! ${describeCardError(lang, card.error)}`);
  const dropped = Object.values(card.serial.dropped).reduce((a, b) => a + b, 0);
  if (dropped > 0 || card.serial.retransmits > 0) lines.push(`  ${t('framesDropped', dropped, card.serial.retransmits)}`);

  for (const span of status.spans) {
    lines.push('');
    // Defect names (LOS, AIS, ...) are read as they are in both languages.
    const defects = span.causes.length > 0 ? span.causes.join(' ') : t('noDefects');
    const config = [span.crc4 ? t('crc4On') : t('crc4Off'), stateText(lang, 'clock', span.clock)];
    if (span.sendingRai) config.push(t('sendingRai'));
    const alarm = `${t('alarmState')}: ${stateText(lang, 'spanAlarm', span.alarm)}${span.alarmCauses.length > 0 ? ` (${span.alarmCauses.join('+')})` : ''}`;
    lines.push(`${t('span')} ${span.span}  ${t('defects')}: ${defects}   ${alarm}   ${config.join(', ')}`);
    if (span.lastSecond) {
      const s = span.lastSecond;
      lines.push(`  ${t('lastSecond', s.crc4Errors, s.eBits, s.lineCodeViolations, s.slips)}`);
    }
    for (const link of status.links.filter((l) => l.span === span.span)) {
      lines.push(`  ${t('signallingLink')} ${link.link}  ${t('timeslot', link.timeslot)}  ${stateText(lang, 'linkMode', link.mode)}  ${stateText(lang, 'linkState', link.state)}`);
    }
  }

  if (status.isup) {
    const { linkUp, ready, linkTest, circuits: c } = status.isup;
    const testing = { pending: t('ss7Testing'), failed: t('ss7LinkFailed') } as Partial<Record<LinkTestView['state'], string>>;
    const state = ready ? t('ss7Ready') : linkUp ? t('ss7Resetting') : (testing[linkTest.state] ?? t('ss7LinkDown'));
    lines.push('', t('ss7Line', state, c.incoming + c.outgoing + c.reserved, c.total, c.blocked));
    lines.push(`  ${formatLinkTest(linkTest, lang, now)}`);
  }

  if (status.pri) {
    const p = status.pri;
    const state = p.dChannelUp ? t('priUp') : p.linkInService ? t('priEstablishing') : t('priNoLink');
    lines.push('', t('priLine', state, Q921_STATE_NUMBERS[p.q921], clockTime(p.since, 8, now), p.establishments, p.failures));
  }

  // Without a `central` section the box sends no telemetry: nothing to say then.
  const central = status.central;
  if (central.state !== 'disabled') {
    const acked = central.lastPubackAt === null ? '-' : clockTime(central.lastPubackAt, 8, now);
    lines.push('', t('centralLine', stateText(lang, 'central', central.state), central.outbox.messages, central.outbox.dropped, acked));
  }

  if (status.fxo.length > 0) {
    const rows = status.fxo.map((port) => [
      String(port.port),
      stateText(lang, 'fxoLine', port.line),
      `${port.voltage.toFixed(1)} V`,
      `${port.loopCurrent.toFixed(1)} mA`,
      stateText(lang, 'hook', port.hook),
      stateText(lang, 'polarity', port.polarity),
      stateText(lang, 'tone', port.tone),
      stateText(lang, 'ringing', port.ringing),
      port.lastCallerId?.number || '-',
    ]);
    lines.push('', renderTable(heads(lang, 'fxoPort', 'line', 'voltage', 'loopCurrent', 'hook', 'polarity', 'tone', 'ringing', 'lastCaller'), rows));
  }
  return lines.join('\n');
}
