import t from 'tap';
import { CountylineError } from '../errors.js';
import { OfficeHours, checkOfficeHours, type QueueHoursConfig } from './office-hours.js';

/** A moment of the box's local time at UTC+8, e.g. at('2026-09-28', '08:30'). */
const at = (date: string, time: string, offset = '+08:00') => Date.parse(`${date}T${time}${time.length === 5 ? ':00' : ''}${offset}`);

const hours = (h: Partial<QueueHoursConfig>): QueueHoursConfig => ({ closedDates: [], openDates: {}, ...h });

// 2026-09-28 is a Monday.
const OFFICE = hours({
  mon: ['08:30-12:00', '14:00-17:30'],
  tue: ['08:30-12:00', '14:00-17:30'],
  wed: ['08:30-12:00', '14:00-17:30'],
  thu: ['08:30-12:00', '14:00-17:30'],
  fri: ['08:30-12:00', '14:00-17:30'],
  sat: [],
  sun: [],
});

t.test('without hours in the config the office is always open', async (t) => {
  const open = OfficeHours.fromConfig(undefined, 8);
  for (const time of ['00:00', '03:00', '12:00', '23:59']) t.ok(open.isOpen(at('2026-10-01', time)), `open at ${time} on a holiday`);
  t.equal(open.nextChange(at('2026-10-01', '03:00')), null);
  t.equal(open.describe(at('2026-10-01', '03:00'), 'en'), 'open at all hours');
  t.equal(open.describe(at('2026-10-01', '03:00'), 'zh'), '全天营业');
});

t.test('weekday hours: open from the first minute of a range, closed from its end', async (t) => {
  const h = OfficeHours.fromConfig(OFFICE, 8);
  t.notOk(h.isOpen(at('2026-09-28', '08:29:59.999')));
  t.ok(h.isOpen(at('2026-09-28', '08:30')));
  t.ok(h.isOpen(at('2026-09-28', '11:59:59.999')));
  t.notOk(h.isOpen(at('2026-09-28', '12:00')), 'lunch');
  t.ok(h.isOpen(at('2026-09-28', '14:00')));
  t.notOk(h.isOpen(at('2026-09-28', '17:30')));
  t.notOk(h.isOpen(at('2026-10-03', '10:00')), 'a Saturday');
  t.notOk(h.isOpen(at('2026-09-27', '10:00')), 'a Sunday');
});

t.test('nextChange: the next opening or closing, across the lunch break, the night and the weekend', async (t) => {
  const h = OfficeHours.fromConfig(OFFICE, 8);
  t.equal(h.nextChange(at('2026-09-28', '07:00')), at('2026-09-28', '08:30'));
  t.equal(h.nextChange(at('2026-09-28', '08:30')), at('2026-09-28', '12:00'), 'at the opening itself: the closing after it');
  t.equal(h.nextChange(at('2026-09-28', '12:00')), at('2026-09-28', '14:00'));
  t.equal(h.nextChange(at('2026-09-28', '17:30')), at('2026-09-29', '08:30'));
  t.equal(h.nextChange(at('2026-10-02', '17:45')), at('2026-10-05', '08:30'), 'Friday evening: Monday morning');
});

t.test('describe: what staff read, in English and Chinese', async (t) => {
  const h = OfficeHours.fromConfig(OFFICE, 8);
  const both = (when: number) => [h.describe(when, 'en'), h.describe(when, 'zh')];
  t.same(both(at('2026-09-28', '15:00')), ['open until 17:30', '营业至17:30']);
  t.same(both(at('2026-09-28', '12:30')), ['closed, opens 14:00', '休息中，14:00上班'], 'lunch: back the same day');
  t.same(both(at('2026-09-28', '06:00')), ['closed, opens 08:30', '已下班，08:30上班'], 'early morning: not a break');
  t.same(both(at('2026-10-02', '18:00')), ['closed, opens Mon 08:30', '已下班，周一08:30上班']);
});

t.test("days follow the box's time zone, not UTC", async (t) => {
  const night = hours({ sun: ['22:00-24:00'], mon: ['00:00-02:00'] });
  const h = OfficeHours.fromConfig(night, 8);
  // Monday 01:00 at UTC+8 is still Sunday 17:00 in UTC.
  const mondayOne = at('2026-09-28', '01:00');
  t.equal(new Date(mondayOne).getUTCDay(), 0, 'a Sunday in UTC');
  t.ok(h.isOpen(mondayOne), 'open: Monday 00:00-02:00 at the box');
  t.notOk(OfficeHours.fromConfig(night, 0).isOpen(mondayOne), 'the same moment in a UTC box is Sunday 17:00: closed');
  t.ok(OfficeHours.fromConfig(hours({ mon: ['09:00-10:00'] }), 5.5).isOpen(at('2026-09-28', '09:30', '+05:30')), 'a half-hour offset');

  const sundayLate = at('2026-09-27', '23:00');
  t.equal(h.nextChange(sundayLate), at('2026-09-28', '02:00'), 'Sunday 22:00-24:00 and Monday 00:00-02:00 are one stretch: no change at midnight');
  t.equal(h.describe(sundayLate, 'en'), 'open until Mon 02:00');
  t.equal(h.describe(sundayLate, 'zh'), '营业至周一02:00');
  t.equal(h.describe(at('2026-09-28', '01:00'), 'en'), 'open until 02:00');
  t.equal(h.nextChange(at('2026-09-28', '02:00')), at('2026-10-04', '22:00'), 'then closed until next Sunday night');
});

t.test('a day open until midnight says 24:00, and closes at the midnight of the time zone', async (t) => {
  const h = OfficeHours.fromConfig(hours({ sat: ['20:00-24:00'] }), 8);
  const evening = at('2026-10-03', '21:00');
  t.equal(h.nextChange(evening), at('2026-10-04', '00:00'));
  t.equal(h.describe(evening, 'en'), 'open until 24:00');
  t.equal(h.describe(evening, 'zh'), '营业至24:00');
  t.notOk(h.isOpen(at('2026-10-04', '00:00')));
});

t.test('closed dates and make-up working days (调休) override the weekday', async (t) => {
  const holidays = hours({
    ...OFFICE,
    closedDates: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-04'],
    // Sunday 27 September works as a Monday; Saturday 10 October has its own hours.
    openDates: { '2026-09-27': 'mon', '2026-10-10': ['09:00-12:00'] },
  });
  const h = OfficeHours.fromConfig(holidays, 8);
  t.notOk(h.isOpen(at('2026-10-01', '10:00')), 'National Day, a Thursday: closed');
  t.ok(h.isOpen(at('2026-09-27', '15:00')), "the make-up Sunday keeps Monday's afternoon");
  t.notOk(h.isOpen(at('2026-09-27', '13:00')), "and Monday's lunch");
  t.ok(h.isOpen(at('2026-10-10', '11:00')));
  t.notOk(h.isOpen(at('2026-10-10', '14:00')), 'its own list: no afternoon');

  t.equal(h.nextChange(at('2026-09-26', '12:00')), at('2026-09-27', '08:30'), 'Saturday before: opens on the make-up Sunday');
  t.equal(h.nextChange(at('2026-09-30', '17:30')), at('2026-10-08', '08:30'), 'over the week of holidays');
  t.equal(h.describe(at('2026-09-30', '18:00'), 'en'), 'closed, opens 10-08 08:30', 'more than six days ahead: the date, not a weekday');
  t.equal(h.describe(at('2026-09-30', '18:00'), 'zh'), '已下班，10月8日08:30上班');
  t.equal(h.nextChange(at('2026-10-09', '17:30')), at('2026-10-10', '09:00'));
});

t.test('nextChange is null when nothing ever changes', async (t) => {
  const never = OfficeHours.fromConfig(hours({}), 8);
  t.notOk(never.isOpen(at('2026-09-28', '10:00')));
  t.equal(never.nextChange(at('2026-09-28', '10:00')), null);
  t.equal(never.describe(at('2026-09-28', '10:00'), 'en'), 'closed, no opening hours ahead');
  const allDay = ['00:00-24:00'];
  const always = hours({ mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay });
  t.equal(OfficeHours.fromConfig(always, 8).nextChange(at('2026-09-28', '10:00')), null);
  t.equal(OfficeHours.fromConfig(always, 8).describe(at('2026-09-28', '10:00'), 'zh'), '全天营业');
  const oneHoliday = OfficeHours.fromConfig({ ...always, closedDates: ['2027-02-17'] }, 8);
  t.equal(oneHoliday.nextChange(at('2026-09-28', '10:00')), at('2027-02-17', '00:00'), 'a holiday months ahead is found');
  t.equal(oneHoliday.nextChange(at('2027-02-17', '00:00')), at('2027-02-18', '00:00'));
  t.equal(oneHoliday.nextChange(at('2027-02-18', '00:00')), null);
});

t.test('bad schedules are refused, each problem coded with the path of its entry', async (t) => {
  const problems = checkOfficeHours(
    hours({
      mon: ['25:00-26:00', '12:00-08:00', '8:30-12:00'],
      tue: ['08:00-08:00', '24:00-24:00', '09:00-24:30'],
      wed: ['13:00-17:00', '08:00-12:00', '11:30-14:00'],
      thu: ['08:00-12:00', '12:00-13:00'],
      closedDates: ['2026-02-30', '2026/10/01', '2026-10-01'],
      openDates: { '2026-10-01': 'mon', 'next sunday': ['09:00-10:00'], '2026-09-27': ['09:00-11:00', '10:00-12:00'] },
    }),
  );
  t.same(
    problems.map((p) => [p.code, p.args.path, p.args.problem, p.args.got, p.args.other]),
    [
      ['hours-invalid', 'queue.hours.mon.0', 'time', '25:00-26:00', undefined],
      ['hours-invalid', 'queue.hours.mon.1', 'order', '12:00-08:00', undefined],
      ['hours-invalid', 'queue.hours.mon.2', 'time', '8:30-12:00', undefined],
      ['hours-invalid', 'queue.hours.tue.0', 'order', '08:00-08:00', undefined],
      ['hours-invalid', 'queue.hours.tue.1', 'order', '24:00-24:00', undefined],
      ['hours-invalid', 'queue.hours.tue.2', 'time', '09:00-24:30', undefined],
      ['hours-invalid', 'queue.hours.wed.2', 'overlap', '11:30-14:00', '08:00-12:00'],
      ['hours-invalid', 'queue.hours.wed.0', 'overlap', '13:00-17:00', '11:30-14:00'],
      ['hours-invalid', 'queue.hours.closedDates.0', 'date', '2026-02-30', undefined],
      ['hours-invalid', 'queue.hours.closedDates.1', 'date', '2026/10/01', undefined],
      ['hours-invalid', 'queue.hours.openDates.2026-10-01', 'closed-and-open', '2026-10-01', undefined],
      ['hours-invalid', 'queue.hours.openDates.next sunday', 'date', 'next sunday', undefined],
      ['hours-invalid', 'queue.hours.openDates.2026-09-27.1', 'overlap', '10:00-12:00', '09:00-11:00'],
    ],
    'every problem, in order; ranges that only touch (thu) are fine',
  );
  t.equal(problems[1]!.message, 'queue.hours.mon.1: "12:00-08:00" does not end after it starts; a range lies within one day (for hours past midnight, end it at 24:00 and go on from 00:00 the next day)');
  t.equal(problems[6]!.text('zh'), 'queue.hours.wed.2: "11:30-14:00" 与 "08:00-12:00" 重叠; 同一天的时间段不能重叠');

  const err = t.throws(() => OfficeHours.fromConfig(hours({ fri: ['17:30-08:30'] }), 8)) as CountylineError<'hours-invalid'>;
  t.type(err, CountylineError, 'fromConfig throws the coded error');
  t.equal(err.args.path, 'queue.hours.fri.0');
  t.same(checkOfficeHours(OFFICE), [], 'a good schedule has no problems');
  t.same(checkOfficeHours(undefined), []);
});
