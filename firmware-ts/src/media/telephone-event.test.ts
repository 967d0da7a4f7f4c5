import t from 'tap';
import { dtmfDigit, encodeTelephoneEvent, parseTelephoneEvent } from './telephone-event.js';

t.test('the end packet of digit 5: annotated bytes, fields, re-encoded', async (t) => {
  const wire = Buffer.from([
    0x05, //       event 5
    0x8a, //       E=1 R=0 volume 10 (-10 dBm0)
    0x03, 0x20, // duration 800 = 100 ms
  ]);
  const r = parseTelephoneEvent(wire);
  t.same(r, { ok: true, event: { event: 5, end: true, volume: 10, duration: 800 } });
  if (r.ok) t.same([...encodeTelephoneEvent(r.event)], [...wire]);
});

t.test('digits of the event codes (RFC 4733 3.2)', async (t) => {
  t.same([0, 9, 10, 11, 12, 15].map(dtmfDigit), ['0', '9', '*', '#', 'A', 'D']);
  t.equal(dtmfDigit(16), undefined, 'flash is not a digit');
});

t.test('a short payload is refused with the reason', async (t) => {
  t.match(parseTelephoneEvent(Buffer.from([5, 0x8a, 3])), { ok: false, detail: /3 octets/ });
});
