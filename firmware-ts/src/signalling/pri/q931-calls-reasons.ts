import { causeText } from './q931-cause.js';

/**
 * Why a PRI call ended, as codes with arguments beside the English `reason` of
 * `Q931CallEnded`, and the words for each in English and zh-CN, for the CLI and the CDRs
 * (the way `isup-call-reasons.ts` does it for ISUP calls).
 */
export interface Q931CallReasons {
  /** The network cleared the call (DISCONNECT, RELEASE or RELEASE COMPLETE), after answer or, for its own call, before. */
  'network-cleared': [cause: number];
  /** The network refused or ended our call before answer. */
  'network-refused': [cause: number];
  /** The box ended the call (`release`). */
  'box-cleared': [cause: number];
  'no-channel': [];
  /** T303 ran out twice: the network never answered our SETUP. */
  'setup-unanswered': [];
  /** T310: CALL PROCEEDING, then nothing. */
  'no-progress': [];
  /** T313: our CONNECT was never acknowledged. */
  'connect-unacknowledged': [];
  /** T322 twice: our STATUS ENQUIRY was never answered. */
  'status-unanswered': [];
  /** The network's STATUS showed a call state that does not fit ours (cause 101), or the Null state. */
  'state-mismatch': [networkState: number];
  /** The network named a channel for our call the box could not take. */
  'channel-unacceptable': [channel: number];
  /** The D-channel link failed with the call not yet active. */
  'link-down': [];
  /** T309: the link stayed down. */
  'link-not-restored': [];
  'restarted-by-network': [];
  'restarted-by-box': [];
}
export type Q931CallReasonCode = keyof Q931CallReasons;
export type Q931CallReasonArg = Q931CallReasons[Q931CallReasonCode][number];

export interface Q931CallReason {
  reason: string;
  reasonCode: Q931CallReasonCode;
  reasonArgs: Q931CallReasonArg[];
}

type Words = { [K in Q931CallReasonCode]: { en: (...a: Q931CallReasons[K]) => string; zh: (...a: Q931CallReasons[K]) => string } };

/** The words for each reason; a cause is shown as its number, with Q.850's English name in `en`. */
export const Q931_CALL_REASON_TEXT: Words = {
  'network-cleared': { en: (c) => `the network cleared the call (cause ${c}: ${causeText(c)})`, zh: (c) => `网络侧拆线 (原因值 ${c})` },
  'network-refused': { en: (c) => `the network refused the call (cause ${c}: ${causeText(c)})`, zh: (c) => `网络侧拒绝呼叫 (原因值 ${c})` },
  'box-cleared': { en: (c) => `cleared by the box (cause ${c}: ${causeText(c)})`, zh: (c) => `本机拆线 (原因值 ${c})` },
  'no-channel': { en: () => 'no free B-channel for the call (cause 34)', zh: () => '没有空闲的 B 通道 (原因值 34)' },
  'setup-unanswered': { en: () => 'the network did not answer the SETUP (T303 ran out twice)', zh: () => '网络侧未响应 SETUP (T303 两次超时)' },
  'no-progress': { en: () => 'no alerting or answer after CALL PROCEEDING (T310)', zh: () => 'CALL PROCEEDING 之后无振铃或应答 (T310 超时)' },
  'connect-unacknowledged': { en: () => 'the network did not acknowledge the answer (T313)', zh: () => '网络侧未确认应答 (T313 超时)' },
  'status-unanswered': { en: () => 'the network did not answer STATUS ENQUIRY (T322)', zh: () => '网络侧未响应 STATUS ENQUIRY (T322 超时)' },
  'state-mismatch': { en: (s) => `the network reported call state ${s}, which does not fit the box's (cause 101)`, zh: (s) => `网络侧报告的呼叫状态 ${s} 与本机不一致 (原因值 101)` },
  'channel-unacceptable': { en: (ch) => `the network chose B-channel ${ch}, which the box cannot take (cause 6)`, zh: (ch) => `网络侧选择的 B 通道 ${ch} 本机无法使用 (原因值 6)` },
  'link-down': { en: () => 'the D-channel link failed before the call was active', zh: () => '呼叫接通前 D 通道链路中断' },
  'link-not-restored': { en: () => 'the D-channel link stayed down (T309, cause 27)', zh: () => 'D 通道链路未能恢复 (T309 超时, 原因值 27)' },
  'restarted-by-network': { en: () => 'the network restarted the B-channel', zh: () => '网络侧重启了 B 通道' },
  'restarted-by-box': { en: () => 'the box restarted the B-channel', zh: () => '本机重启了 B 通道' },
};

export function q931Reason<K extends Q931CallReasonCode>(code: K, ...args: Q931CallReasons[K]): Q931CallReason {
  const words = Q931_CALL_REASON_TEXT[code] as { en: (...a: Q931CallReasons[K]) => string };
  return { reason: words.en(...args), reasonCode: code, reasonArgs: args };
}

/** The reason in the reader's language. */
export function q931ReasonText(r: Pick<Q931CallReason, 'reasonCode' | 'reasonArgs'>, lang: 'en' | 'zh'): string {
  const words = Q931_CALL_REASON_TEXT[r.reasonCode] as { en: (...a: Q931CallReasonArg[]) => string; zh: (...a: Q931CallReasonArg[]) => string };
  return words[lang](...r.reasonArgs);
}
