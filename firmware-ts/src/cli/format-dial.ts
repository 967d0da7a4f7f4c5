import type { ProgressOf, ResultOf } from '../control/control-methods.js';
import type { Lang } from './i18n.js';

// `countyline dial`: one line a step of the call out, then how it ended, in the reader's language.

type Words = Record<Lang, string>;

const EVENT: Record<ProgressOf<'dial'>['event'], Words> = {
  placed: { en: 'line seized', zh: '已占用线路' },
  dialled: { en: 'number dialled', zh: '号码已拨出' },
  alerting: { en: 'the number is ringing', zh: '被叫振铃' },
  answered: { en: 'answered, test tone (1004 Hz) in the line', zh: '已应答, 线路中送测试音 (1004 Hz)' },
  'far-end-answered': { en: 'the far end answered (polarity reversal)', zh: '对端应答 (反极)' },
};

const SIGNAL: Record<NonNullable<ResultOf<'dial'>['answeredBy']>, Words> = {
  anm: { en: 'ANM from the exchange', zh: '交换机应答信号 ANM' },
  connect: { en: 'CONNECT from the network (PRI)', zh: '网络侧连接消息 CONNECT (PRI)' },
  'polarity-reversal': { en: 'polarity reversal', zh: '反极' },
  'dialling-complete': { en: 'taken as answered once dialled: the line gives no answer signal', zh: '拨号完成即视为应答: 该线路无应答信号' },
};

const ENDED: Record<ResultOf<'dial'>['endedBy'], Words> = {
  box: { en: 'released by the box', zh: '本机释放' },
  'far-end': { en: 'the far end hung up or refused', zh: '对端挂机或拒绝' },
  line: { en: 'the line failed', zh: '线路故障' },
};

export function formatDialProgress(p: ProgressOf<'dial'>, lang: Lang): string {
  const how = p.signal ? ` (${SIGNAL[p.signal][lang]})` : '';
  return `${p.line.padEnd(9)} ${EVENT[p.event][lang]}${how}`;
}

export function formatDialResult(r: ResultOf<'dial'>, lang: Lang): string {
  const answered = r.answered ? (lang === 'zh' ? '已应答' : 'answered') : lang === 'zh' ? '未应答' : 'not answered';
  const cause = r.cause === null ? '' : lang === 'zh' ? `, 原因值 ${r.cause}` : `, cause ${r.cause}`;
  const reason = r.reason ? `: ${r.reason}` : '';
  const seconds = (r.durationMs / 1000).toFixed(1);
  return lang === 'zh'
    ? `${r.line} ${answered}, ${ENDED[r.endedBy].zh}${cause}${reason}, 历时 ${seconds} 秒`
    : `${r.line} ${answered}, ${ENDED[r.endedBy].en}${cause}${reason}, ${seconds} s`;
}
