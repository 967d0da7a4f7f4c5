import t from 'tap';
import { DEFAULT_CARD, parseCardDescription } from './card-description.js';

t.test('a partial description keeps the defaults for the rest', async (t) => {
  t.same(parseCardDescription({ spans: 2, serial: 'X-9' }), { ...DEFAULT_CARD, spans: 2, serial: 'X-9' });
  t.same(parseCardDescription({}), DEFAULT_CARD);
});

t.test('bad descriptions name the field', async (t) => {
  t.throws(() => parseCardDescription([]), /JSON object/);
  t.throws(() => parseCardDescription({ spans: 1.5 }), /spans must be a whole number/);
  t.throws(() => parseCardDescription({ links: 300 }), /links must be a whole number from 0 to 255/);
  t.throws(() => parseCardDescription({ model: '' }), /model must be a non-empty string/);
  t.throws(() => parseCardDescription({ colour: 'red' }), /unknown card field "colour"/);
});
