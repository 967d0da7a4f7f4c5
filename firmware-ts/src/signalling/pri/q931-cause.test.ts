import t from 'tap';
import { causeText, locationText, Q850_CAUSE, Q850_LOCATION } from './q931-cause.js';

t.test('cause values and their words (Q.850)', async (t) => {
  t.equal(Q850_CAUSE.normalClearing, 16);
  t.equal(causeText(Q850_CAUSE.userBusy), 'user busy');
  t.equal(causeText(Q850_CAUSE.mandatoryIeMissing), 'mandatory information element is missing');
  t.equal(causeText(60), 'cause 60 (read as: service or option not available, unspecified)', 'an unlisted value reads as its class');
  t.equal(causeText(12), 'cause 12 (read as: normal, unspecified)');
  t.equal(new Set(Object.values(Q850_CAUSE)).size, Object.keys(Q850_CAUSE).length, 'no two names share a value');
  for (const v of Object.values(Q850_CAUSE)) t.notMatch(causeText(v), /read as/, `cause ${v} has its own words`);
});

t.test('locations (Q.850 2.2.4)', async (t) => {
  t.equal(locationText(Q850_LOCATION.publicLocal), 'public network serving the local user');
  t.equal(locationText(6), 'location 6 (reserved)');
});
