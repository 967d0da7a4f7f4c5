import { PROTOCOL_VERSION } from '@countyline/e1-gateway';
import type { CardError } from '../card/card-driver.js';
import type { BoxStatus } from '../status.js';
import { text, type Lang } from './i18n.js';

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

/** `countyline status` for a person: one block per card part. */
export function formatStatus(status: BoxStatus, lang: Lang, now: number): string {
  const t = (key: Parameters<typeof text>[1], ...args: unknown[]) => text(lang, key, ...args);
  const lines: string[] = [];
  const { card } = status;
  const inv = card.inventory;
  const head = inv
    ? `${t('card')} ${inv.model}  ${t('serial')} ${inv.serial}  ${t('firmware')} ${inv.firmware}  ${t('protocol')} v${card.protocolVersion}  (${card.path})`
    : `${t('card')} ${card.path}  ${t('noInventory')}`;
  lines.push(head);
  const beat = card.lastHeartbeatAt === null ? '' : `  ${t('heartbeatAgo', ((now - card.lastHeartbeatAt) / 1000).toFixed(1))}`;
  lines.push(`  ${t('link')}: ${card.link === 'up' ? t('up') : t('down')}${beat}`);
  if (card.error) lines.push(`  ! ${describeCardError(lang, card.error)}`);
  const dropped = Object.values(card.serial.dropped).reduce((a, b) => a + b, 0);
  if (dropped > 0 || card.serial.retransmits > 0) lines.push(`  ${t('framesDropped', dropped, card.serial.retransmits)}`);

  for (const span of status.spans) {
    lines.push('');
    const defects = span.causes.length > 0 ? span.causes.join(' ') : t('noDefects');
    const config = [span.crc4 ? t('crc4On') : t('crc4Off'), span.clock === 'line' ? t('clockLine') : t('clockInternal')];
    if (span.sendingRai) config.push(t('sendingRai'));
    const alarm = `${t('alarmState')}: ${t('alarmNames', span.alarm)}${span.alarmCauses.length > 0 ? ` (${span.alarmCauses.join('+')})` : ''}`;
    lines.push(`${t('span')} ${span.span}  ${t('defects')}: ${defects}   ${alarm}   ${config.join(', ')}`);
    if (span.lastSecond) {
      const s = span.lastSecond;
      lines.push(`  ${t('lastSecond', s.crc4Errors, s.eBits, s.lineCodeViolations, s.slips)}`);
    }
    for (const link of status.links.filter((l) => l.span === span.span)) {
      lines.push(`  ${t('signallingLink')} ${link.link}  ts${link.timeslot}  ${link.mode.toUpperCase()}  ${link.state}`);
    }
  }

  if (status.isup) {
    const { linkUp, ready, circuits: c } = status.isup;
    const state = ready ? t('ss7Ready') : linkUp ? t('ss7Resetting') : t('ss7LinkDown');
    lines.push('', t('ss7Line', state, c.incoming + c.outgoing + c.reserved, c.total, c.maintenanceBlocked + c.hardwareBlocked));
  }

  if (status.fxo.length > 0) {
    lines.push('', t('fxoHeader'));
    for (const port of status.fxo) {
      const cells = [
        String(port.port).padEnd(9),
        pad(port.line === 'present' ? t('present') : port.line === 'unplugged' ? t('unplugged') : t('unknown'), 10),
        `${port.voltage.toFixed(1)} V`.padEnd(9),
        `${port.loopCurrent.toFixed(1)} mA`.padEnd(9),
        pad(port.hook === 'off' ? t('hookOff') : t('hookOn'), 6),
        pad(port.polarity === 'normal' ? t('normal') : t('reversed'), 9),
        port.tone,
      ];
      let line = cells.join(' ');
      if (port.ringing) line += `  ${t('ringing')}`;
      if (port.lastCallerId) line += `  ${t('callerId', port.lastCallerId.number)}`;
      lines.push(line);
    }
  }
  return lines.join('\n');
}

/** Pads by display width: a CJK character takes two columns. */
function pad(s: string, width: number): string {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffdc]/.test(ch) ? 2 : 1;
  return s + ' '.repeat(Math.max(0, width - w));
}
