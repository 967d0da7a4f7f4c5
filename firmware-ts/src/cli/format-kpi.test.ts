import t from 'tap';
import type { Cdr, CallResult } from '../calls/cdr.js';
import { kpiDay, staffingAdvice } from '../queue/kpi.js';
import { formatKpi, type KpiReport } from './format-kpi.js';

// What a person reads in each language, line by line.

const H = 3_600_000;
const M = 60_000;
const S = 1000;
const CHINA = 8 * H;
/** 2025-05-06 00:00 in China. */
const DAY = Date.UTC(2025, 4, 5, 16);
const at = (h: number, m = 0, s = 0) => DAY + h * H + m * M + s * S;
let n = 0;
function call(result: CallResult, arrivedAt: number, o: Partial<Cdr> = {}): Cdr {
  return { id: `c${n++}`, line: { kind: 'fxo', port: 0 }, calling: '1', called: '12345', agent: null, arrivedAt, offeredAt: null, answeredAt: null, endedAt: arrivedAt + M, result, reason: null, hungUpBy: 'caller', cause: null, ...o };
}
const queue = (enteredAt: number, leftAt: number) => ({ id: 'main', enteredAt, leftAt, position: 1 });
const report = (cdrs: Cdr[]): KpiReport => ({ day: kpiDay(cdrs, '2025-05-06', CHINA), staffing: staffingAdvice(cdrs, '2025-05-06', CHINA) });

// 09:02 waited 10 s and talked 3 min; 09:04 waited 30 s and talked 2 min; 09:20 hung up after
// 45 s in the queue; 09:21 hung up during the bulletin. Offered 3, answered 2 (66.7 %), one
// within 15 s (50.0 % of the answered), ASA 20 s, AHT 150 s.
const morning = [
  call('answered', at(9, 2), { queue: queue(at(9, 2, 10), at(9, 2, 20)), answeredAt: at(9, 2, 20), endedAt: at(9, 5, 20) }),
  call('answered', at(9, 4), { queue: queue(at(9, 4, 10), at(9, 4, 40)), answeredAt: at(9, 4, 40), endedAt: at(9, 6, 40) }),
  call('abandoned', at(9, 20), { queue: queue(at(9, 20, 10), at(9, 20, 55)), endedAt: at(9, 20, 55) }),
  call('deflected', at(9, 21)),
];

t.test('countyline kpi in English: the quarter hours with calls, the day, the staffing', async (t) => {
  t.equal(
    formatKpi(report(morning), 'en', { intervals: true }),
    [
      'quarter hours with calls: 2025-05-06 (UTC+8)',
      'interval     offered  answered  answer rate  15-s rate  abandoned  ASA     longest wait  peak queue',
      '09:00-09:15  2        2         100.0 %      50.0 %     0          20.0 s  30.0 s        1',
      '09:15-09:30  1        0         0.0 %        -          1          -       45.0 s        1',
      '',
      'day: 2025-05-06 (UTC+8)',
      'measure                                          value    target  result',
      'answer rate (answered / offered)                 66.7 %   ≥ 95 %  FAIL',
      '15-second answer rate (within 15 s / answered)   50.0 %   ≥ 80 %  FAIL',
      'inbound calls                                    4        -       -',
      'deflected by the bulletin                        1        -       -',
      'failed before the queue                          0        -       -',
      'offered (asked for a person)                     3        -       -',
      'answered by a person                             2        -       -',
      'answered within 15 s of joining the queue        1        -       -',
      'abandoned                                        1        -       -',
      'abandoned within 15 s                            0        -       -',
      'overflowed                                       0        -       -',
      'callback requests left                           0        -       -',
      'forwarded to the city centre                     0        -       -',
      'no agent                                         0        -       -',
      'failed in the queue                              0        -       -',
      'callbacks completed                              0        -       -',
      'repeat callers                                   0        -       -',
      'service level (within 15 s / offered)            33.3 %   -       -',
      'service level, short abandons left out           33.3 %   -       -',
      'mean wait to answer (ASA)                        20.0 s   -       -',
      'mean talk time (AHT; wrap-up is not in the CDR)  150.0 s  -       -',
      'longest wait                                     45.0 s   -       -',
      'abandoned: wait in all                           45.0 s   -       -',
      'abandoned: longest wait                          45.0 s   -       -',
      'most callers in the queue at once                1        -       -',
      '',
      'staffing by hour (Erlang C), target 80 % / 15 s',
      'hour         offered  AHT      handle time used  agents needed  measured SL',
      '09:00-10:00  3        150.0 s  150.0 s           1              33.3 %',
      'handle time is talk time only (wrap-up is not in the CDR): the agents needed are a lower bound',
    ].join('\n'),
  );
});

t.test('countyline kpi --day in Chinese: the day and the staffing only, lined up', async (t) => {
  t.equal(
    formatKpi(report(morning), 'zh', { intervals: false }),
    [
      '全天: 2025-05-06 (UTC+8)',
      '指标                                     数值      目标    结果',
      '人工接通率 (人工接通 / 请求人工)         66.7 %    ≥ 95 %  未达标',
      '人工应答及时率 (15 秒内接通 / 人工接通)  50.0 %    ≥ 80 %  未达标',
      '呼入总数                                 4         -       -',
      '听公告后挂机                             1         -       -',
      '进入排队前失败                           0         -       -',
      '请求人工                                 3         -       -',
      '人工接通                                 2         -       -',
      '排队 15 秒内接通                         1         -       -',
      '放弃                                     1         -       -',
      '15 秒内放弃                              0         -       -',
      '溢出转出                                 0         -       -',
      '留号回拨请求                             0         -       -',
      '转市中心接通                             0         -       -',
      '无坐席                                   0         -       -',
      '排队中失败                               0         -       -',
      '已完成回拨                               0         -       -',
      '重复来电                                 0         -       -',
      '服务水平 (15 秒内接通 / 请求人工)        33.3 %    -       -',
      '服务水平 (不计 15 秒内放弃)              33.3 %    -       -',
      '平均应答等待                             20.0 秒   -       -',
      '平均通话时长 (话单不含话后处理)          150.0 秒  -       -',
      '最长等待                                 45.0 秒   -       -',
      '放弃呼叫总等待                           45.0 秒   -       -',
      '放弃呼叫最长等待                         45.0 秒   -       -',
      '同时排队最多                             1         -       -',
      '',
      '按小时排班建议 (爱尔兰排队公式), 目标 80 % / 15 秒',
      '小时         请求人工  平均通话  测算处理时长  所需坐席  实测服务水平',
      '09:00-10:00  3         150.0 秒  150.0 秒      1         33.3 %',
      '处理时长仅为通话时长 (话单不含话后处理): 所需坐席数为下限',
    ].join('\n'),
  );
});

t.test('the two work-standard rates pass at their targets exactly', async (t) => {
  // 20 offered: 19 answered (95 %), 16 of them within 15 s (84.2 %), 1 abandoned.
  const cdrs = [
    ...Array.from({ length: 19 }, (_, i) => {
      const joined = at(10, i);
      const answeredAt = joined + (i < 16 ? 12 * S : 20 * S);
      return call('answered', joined, { queue: queue(joined, answeredAt), answeredAt, endedAt: answeredAt + 2 * M });
    }),
    call('abandoned', at(10, 30), { queue: queue(at(10, 30), at(10, 31)), endedAt: at(10, 31) }),
  ];
  const lines = (lang: 'en' | 'zh') => formatKpi(report(cdrs), lang, { intervals: false }).split('\n');
  t.equal(lines('en')[2], 'answer rate (answered / offered)                 95.0 %   ≥ 95 %  pass');
  t.equal(lines('en')[3], '15-second answer rate (within 15 s / answered)   84.2 %   ≥ 80 %  pass');
  t.equal(lines('zh')[2], '人工接通率 (人工接通 / 请求人工)         95.0 %    ≥ 95 %  达标');
});

t.test('a day without calls: no rate, no verdict, nothing to staff', async (t) => {
  const zh = formatKpi(report([]), 'zh', { intervals: true }).split('\n');
  t.same(zh.slice(0, 2), ['有呼叫的时段: 2025-05-06 (UTC+8)', '无呼叫']);
  t.equal(zh[5], '人工接通率 (人工接通 / 请求人工)         -       ≥ 95 %  -');
  t.same(zh.slice(-2), ['按小时排班建议 (爱尔兰排队公式), 目标 80 % / 15 秒', '无人工请求']);
  const en = formatKpi(report([]), 'en', { intervals: true }).split('\n');
  t.same(en.slice(0, 2), ['quarter hours with calls: 2025-05-06 (UTC+8)', 'no calls']);
  t.same(en.slice(-2), ['staffing by hour (Erlang C), target 80 % / 15 s', 'no call asked for a person']);
});

t.test('local times and the zone name follow the offset', async (t) => {
  const nepal = 5 * H + 45 * M;
  const cdrs = [call('answered', Date.UTC(2025, 4, 6, 3, 20), { answeredAt: Date.UTC(2025, 4, 6, 3, 20, 5) })];
  const text = formatKpi({ day: kpiDay(cdrs, '2025-05-06', nepal), staffing: staffingAdvice(cdrs, '2025-05-06', nepal) }, 'en', { intervals: true }).split('\n');
  t.equal(text[0], 'quarter hours with calls: 2025-05-06 (UTC+5:45)');
  t.match(text[2], /^09:00-09:15 /, '03:20 UTC is 09:05 in Nepal');
  t.match(text.at(-2), /^09:00-10:00 /);
  const west = formatKpi({ day: kpiDay([], '2025-05-06', -3 * H), staffing: staffingAdvice([], '2025-05-06', -3 * H) }, 'en', { intervals: false });
  t.match(west, /^day: 2025-05-06 \(UTC-3\)\n/);
});
