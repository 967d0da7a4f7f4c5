import t from 'tap';
import { notifyMessage, parseNotifySocket, parseWatchdog, socatAddress, STATUS_MAX } from './sd-notify.js';

t.test('NOTIFY_SOCKET: unset or empty is no systemd; a path; an abstract name', async (t) => {
  t.equal(parseNotifySocket(undefined), null);
  t.equal(parseNotifySocket(''), null);
  t.same(parseNotifySocket('/run/systemd/notify'), { kind: 'path', path: '/run/systemd/notify' });
  t.same(parseNotifySocket('@/org/systemd/notify/42'), { kind: 'abstract', name: '/org/systemd/notify/42' });
});

t.test('NOTIFY_SOCKET that cannot be reached is an error that names it', async (t) => {
  t.throws(() => parseNotifySocket('vsock:2:1234'), { name: 'TypeError', message: /"vsock:2:1234"/ });
  t.throws(() => parseNotifySocket('run/notify'), TypeError);
  t.throws(() => parseNotifySocket('@'), TypeError);
});

t.test('socat addresses: datagram to a path or an abstract name, special characters escaped', async (t) => {
  t.equal(socatAddress({ kind: 'path', path: '/run/systemd/notify' }), 'UNIX-SENDTO:/run/systemd/notify');
  t.equal(socatAddress({ kind: 'abstract', name: 'sd-notify-7' }), 'ABSTRACT-SENDTO:sd-notify-7');
  t.equal(socatAddress({ kind: 'path', path: '/tmp/a b:c,d!e' }), 'UNIX-SENDTO:/tmp/a\\ b\\:c\\,d\\!e');
});

t.test('the watchdog: half the timeout, only for the process it names', async (t) => {
  t.same(parseWatchdog({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1234' }, 1234), { timeoutMs: 30_000, pingEveryMs: 15_000 });
  t.same(parseWatchdog({ WATCHDOG_USEC: '3000000' }, 1234), { timeoutMs: 3000, pingEveryMs: 1500 }, 'no WATCHDOG_PID: for whoever reads it');
  t.equal(parseWatchdog({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '99' }, 1234), null, "another process's watchdog");
  t.equal(parseWatchdog({}, 1234), null);
  t.equal(parseWatchdog({ WATCHDOG_USEC: '0' }, 1234), null);
  t.equal(parseWatchdog({ WATCHDOG_USEC: '30s' }, 1234), null);
});

t.test('messages: one assignment a line, each line ended by a newline', async (t) => {
  t.equal(notifyMessage({ ready: true, status: 'card up, 2 spans' }), 'READY=1\nSTATUS=card up, 2 spans\n');
  t.equal(notifyMessage({ watchdog: true }), 'WATCHDOG=1\n');
  t.equal(notifyMessage({ stopping: true, status: 'stopping' }), 'STOPPING=1\nSTATUS=stopping\n');
  t.throws(() => notifyMessage({}), TypeError);
});

t.test('STATUS= stays one line of at most STATUS_MAX characters', async (t) => {
  t.equal(notifyMessage({ status: 'a\nb\r\nc' }), 'STATUS=a b c\n');
  t.equal(notifyMessage({ status: 'x'.repeat(500) }), `STATUS=${'x'.repeat(STATUS_MAX)}\n`);
});
