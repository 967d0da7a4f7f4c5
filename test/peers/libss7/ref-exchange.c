/*
 * ref-exchange: an ITU ISUP exchange built on Asterisk's libss7 (2.0), for tests that need a
 * far end nobody here wrote. One signalling link, MTP2 run in software by libss7
 * (SS7_TRANSPORT_DAHDIDCHAN), carried over a unix datagram socket, one signal unit per datagram:
 *
 *   BSN/BIB, FSN/FIB, LI (3 octets), then SIO+SIF (MSU) or the status octet (LSSU), then 2 FCS
 *   octets. A FISU is 5 octets, an LSSU 6, an MSU 3 + 1 + SIF + 2 (LI = 1 + SIF, or 63 above 62).
 *
 * That is what libss7 does on a DAHDI D-channel fd, where the kernel computes the FCS: it
 * writes the two octets without computing them (mostly zeros, but whatever the buffer held:
 * "1a 00" has been seen after an IAM), and on reading it drops the last two octets of the
 * datagram unread. A peer must send them (a datagram without them loses two real octets) and
 * must ignore what it gets in them.
 *
 *   ref-exchange --bind <dir>/peer.sock --peer <dir>/card.sock [--opc 2000] [--dpc 1000]
 *                [--cics 1-30] [--slc 0] [--ni national|international]
 *                [--answer-after-ms N] [--no-cfn] [--grs-on-up] [--fill-ms 100] [--debug]
 *                [--mtp3-timer name=ms]... [--isup-timer name=ms]...
 *
 * stdin takes one JSON command per line, stdout gives one JSON event per line; ref-exchange.ts
 * lists both, typed. SIGTERM, SIGINT and the end of stdin stop it with exit 0.
 *
 * libss7 is not handed the peer's socket itself: in the D-channel mode it writes a signal unit
 * each time it is asked to, and asks to be asked whenever the fd is writable, which on a
 * socket means always. So libss7 gets one end of an internal socket pair and this file relays:
 * every MSU goes on at once, a FISU or LSSU only when it differs from the last one passed on or
 * when --fill-ms has passed (the fill-in a 64 kbit/s link repeats continuously, Q.703 5.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "exchange.h"

struct exchange *ex;
static volatile sig_atomic_t stopping;

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(const char *why)
{
	fprintf(stderr, "ref-exchange: %s\n"
		"usage: ref-exchange --bind PATH --peer PATH [--opc PC] [--dpc PC] [--cics 1-30]\n"
		"  [--slc N] [--ni national|international] [--answer-after-ms N] [--no-cfn]\n"
		"  [--grs-on-up] [--fill-ms N] [--debug] [--mtp3-timer name=ms] [--isup-timer name=ms]\n", why);
	exit(2);
}

/* A 14-bit ITU point code as a number or in 3-8-3 form (Q.704 2.2.2). */
static unsigned parse_pc(const char *s)
{
	unsigned a, b, c;
	char tail;
	if (sscanf(s, "%u-%u-%u%c", &a, &b, &c, &tail) == 3 && a < 8 && b < 256 && c < 8)
		return a << 11 | b << 3 | c;
	if (sscanf(s, "%u%c", &a, &tail) == 1 && a < 16384)
		return a;
	usage("a point code is a number below 16384 or zone-area-signalling point (3-8-3 bits)");
	return 0;
}

/* "1-15,17-31": marks those CICs equipped. */
static void parse_cics(struct exchange *x, const char *s)
{
	char *copy = strdup(s), *save = NULL;
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		int first, last;
		char tail;
		int n = sscanf(part, "%d-%d%c", &first, &last, &tail);
		if (n == 1)
			last = first;
		else if (n != 2)
			usage("--cics takes ranges such as 1-15,17-31");
		if (first < 0 || last >= MAX_CIC || first > last)
			usage("CICs run from 0 to 4095");
		for (int cic = first; cic <= last; cic++)
			x->cic[cic].equipped = 1;
	}
	free(copy);
}

static void timer_option(struct exchange *x, const char *arg, int mtp3)
{
	char name[32];
	int ms;
	if (sscanf(arg, "%31[^=]=%d", name, &ms) != 2 || ms < 0)
		usage("timers are given as name=milliseconds, e.g. q707_t1=8000");
	if (mtp3 ? !ss7_set_mtp3_timer(x->ss7, name, ms) : !ss7_set_isup_timer(x->ss7, name, ms))
		usage("libss7 does not know that timer");
}

static void parse_args(struct exchange *x, int argc, char **argv)
{
	const char *cics = "1-30";
	x->opt.opc = 2000; /* the bench rig gives the box 1000 and its exchange 2000 */
	x->opt.dpc = 1000;
	x->opt.ni = SS7_NI_NAT;
	x->opt.answer_after_ms = -1;
	x->opt.cfn = 1;
	x->opt.fill_ms = 100;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		if (!strcmp(a, "--no-cfn")) { x->opt.cfn = 0; takes = 0; }
		else if (!strcmp(a, "--grs-on-up")) { x->opt.grs_on_up = 1; takes = 0; }
		else if (!strcmp(a, "--debug")) { x->opt.debug = 1; takes = 0; }
		else if (!v) usage("an option is missing its value");
		else if (!strcmp(a, "--bind")) x->opt.bind_path = v;
		else if (!strcmp(a, "--peer")) x->opt.peer_path = v;
		else if (!strcmp(a, "--opc")) x->opt.opc = parse_pc(v);
		else if (!strcmp(a, "--dpc")) x->opt.dpc = parse_pc(v);
		else if (!strcmp(a, "--cics")) cics = v;
		else if (!strcmp(a, "--slc")) x->opt.slc = atoi(v);
		else if (!strcmp(a, "--answer-after-ms")) x->opt.answer_after_ms = atol(v);
		else if (!strcmp(a, "--fill-ms")) x->opt.fill_ms = atol(v);
		else if (!strcmp(a, "--ni")) {
			if (strcmp(v, "national") && strcmp(v, "international"))
				usage("--ni is national or international");
			x->opt.ni = strcmp(v, "national") ? SS7_NI_INT : SS7_NI_NAT;
		} else if (!strcmp(a, "--mtp3-timer")) timer_option(x, v, 1);
		else if (!strcmp(a, "--isup-timer")) timer_option(x, v, 0);
		else usage("unknown option");
		i += takes;
	}
	if (!x->opt.bind_path || !x->opt.peer_path)
		usage("--bind and --peer are required");
	if (x->opt.fill_ms < 1 || x->opt.slc < 0 || x->opt.slc > 15)
		usage("--fill-ms must be positive and --slc 0 to 15");
	parse_cics(x, cics);
}

static void open_sockets(struct exchange *x)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int pair[2];

	if (strlen(x->opt.bind_path) >= sizeof addr.sun_path || strlen(x->opt.peer_path) >= sizeof addr.sun_path)
		usage("socket paths must be shorter than 108 bytes");
	x->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	strcpy(addr.sun_path, x->opt.bind_path);
	unlink(addr.sun_path); /* a socket file left by an earlier run */
	if (x->sock < 0 || bind(x->sock, (struct sockaddr *)&addr, sizeof addr)) {
		fprintf(stderr, "ref-exchange: cannot bind %s: %s\n", x->opt.bind_path, strerror(errno));
		exit(1);
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair)) {
		perror("ref-exchange: socketpair");
		exit(1);
	}
	x->link_fd = pair[0];
	x->relay_fd = pair[1];
	fcntl(x->relay_fd, F_SETFL, O_NONBLOCK);
}

/* The peer may start after us or be restarted: connect, and connect again after a refusal. */
static void connect_peer(struct exchange *x)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct json_writer w;

	if (x->peer_connected || now_ms() < x->next_connect_ms)
		return;
	strcpy(addr.sun_path, x->opt.peer_path);
	if (connect(x->sock, (struct sockaddr *)&addr, sizeof addr)) {
		x->next_connect_ms = now_ms() + 100;
		return;
	}
	x->peer_connected = 1;
	if (x->link_in_alarm) { /* the line is back: MTP2 aligns again (Q.703 4.1) */
		x->link_in_alarm = 0;
		ss7_link_noalarm(x->ss7, x->link_fd);
		drain_events(x);
	}
	json_event(&w, "peer");
	json_str(&w, "state", "connected");
	json_emit(&w);
}

static void peer_lost(struct exchange *x)
{
	struct json_writer w;
	x->peer_connected = 0;
	x->out_len = 0;
	json_event(&w, "peer");
	json_str(&w, "state", "gone");
	json_emit(&w);
	/* as a card that loses the line: the link fails now, not when a timer notices */
	x->link_in_alarm = 1;
	ss7_link_alarm(x->ss7, x->link_fd);
	drain_events(x);
}

/* Sends queued frames while the peer's receive queue has room. */
static void pump_out(struct exchange *x)
{
	while (x->out_len > 0 && x->peer_connected) {
		struct frame *f = &x->out[x->out_head];
		if (send(x->sock, f->b, f->len, MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			peer_lost(x);
			return;
		}
		x->out_head = (x->out_head + 1) % OUT_QUEUE;
		x->out_len--;
	}
	if (!x->peer_connected)
		x->out_len = 0; /* nobody to hear them: MTP2 alignment starts over when the peer comes */
}

static void queue_out(struct exchange *x, const unsigned char *b, size_t n)
{
	struct frame *f;
	if (x->out_len == OUT_QUEUE)
		return;
	f = &x->out[(x->out_head + x->out_len++) % OUT_QUEUE];
	memcpy(f->b, b, n);
	f->len = n;
}

/* Asks libss7 for signal units and passes on what the peer needs to see. */
static void pull_from_libss7(struct exchange *x)
{
	unsigned char b[MAX_FRAME];
	int fill_due = now_ms() - x->fill_sent_ms >= x->opt.fill_ms;

	for (int round = 0; round < 32 && x->out_len <= OUT_QUEUE - 2; round++) {
		int msu = 0;
		ssize_t n;
		if (ss7_write(x->ss7, x->link_fd) < 0)
			break;
		while ((n = recv(x->relay_fd, b, sizeof b, MSG_DONTWAIT)) > 0) {
			if (n >= 3 && (b[2] & 0x3f) > 2) { /* LI > 2: an MSU (Q.703 2.3.3) */
				msu = 1;
				mark_continuity_check(x, b, (size_t)n);
				tap_frame(x, b, (size_t)n, 1);
				queue_out(x, b, (size_t)n);
			} else if (fill_due || (size_t)n != x->fill.len || memcmp(b, x->fill.b, (size_t)n)) {
				tap_frame(x, b, (size_t)n, 1);
				memcpy(x->fill.b, b, (size_t)n);
				x->fill.len = (size_t)n;
				x->fill_sent_ms = now_ms();
				fill_due = 0;
				queue_out(x, b, (size_t)n);
			}
		}
		if (!msu)
			break;
	}
}

static void pump_in(struct exchange *x)
{
	unsigned char b[MAX_FRAME + 16];
	ssize_t n;

	for (int i = 0; i < 64 && (n = recv(x->sock, b, sizeof b, MSG_DONTWAIT)) >= 0; i++) {
		if (n < 5 || n > MAX_FRAME) {
			json_error("dropped a %d-octet datagram from the peer: a signal unit is 3 header octets, its SIO+SIF or status, and 2 FCS octets", (int)n);
			continue;
		}
		tap_frame(x, b, (size_t)n, 0);
		if (write(x->relay_fd, b, (size_t)n) != n)
			continue;
		ss7_read(x->ss7, x->link_fd);
		drain_events(x);
	}
}

static void run_libss7_timers(struct exchange *x)
{
	for (int i = 0; i < 16; i++) {
		struct timeval *next = ss7_schedule_next(x->ss7), now;
		gettimeofday(&now, NULL);
		if (!next || timercmp(next, &now, >))
			break;
		ss7_schedule_run(x->ss7);
		drain_events(x);
	}
}

static int poll_timeout(struct exchange *x)
{
	long long wait = x->opt.fill_ms, now = now_ms();
	struct timeval *next = ss7_schedule_next(x->ss7), tv;

	if (next) {
		gettimeofday(&tv, NULL);
		long long ms = (long long)(next->tv_sec - tv.tv_sec) * 1000 + (next->tv_usec - tv.tv_usec) / 1000;
		if (ms < wait)
			wait = ms;
	}
	for (int i = 0; i < x->npending; i++)
		if (x->pending[i].due_ms - now < wait)
			wait = x->pending[i].due_ms - now;
	if (!x->peer_connected && x->next_connect_ms - now < wait)
		wait = x->next_connect_ms - now;
	if (x->hold_until_ms > now && x->hold_until_ms - now < wait)
		wait = x->hold_until_ms - now;
	return wait < 0 ? 0 : (int)wait + 1;
}

/* Reads what stdin has and runs each complete line; returns 0 at the end of stdin. */
static int read_commands(struct exchange *x)
{
	static char line[8192];
	static size_t len;
	ssize_t n = read(STDIN_FILENO, line + len, sizeof line - 1 - len);

	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	len += (size_t)n;
	line[len] = '\0';
	for (char *nl; (nl = memchr(line, '\n', len));) {
		*nl = '\0';
		handle_command(x, line);
		len -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, len);
		line[len] = '\0';
	}
	if (len == sizeof line - 1) {
		json_error("a command line longer than %d bytes was dropped", (int)sizeof line);
		len = 0;
	}
	return 1;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct json_writer w;

	ex = calloc(1, sizeof *ex);
	ex->ss7 = ss7_new(SS7_ITU);
	events_install_callbacks(); /* before anything libss7 might want to print */
	/* Q.707 2.2: SLTM when the link comes in, T1 for its SLTA, again every T2; Q.704 16.8: T21,
	 * after which an adjacent point that never sent TRA is taken as restarted anyway. libss7 runs
	 * none of them unless told (its defaults are 0); --mtp3-timer overrides these. */
	ss7_set_mtp3_timer(ex->ss7, "q707_t1", 8000);
	ss7_set_mtp3_timer(ex->ss7, "q707_t2", 30000);
	ss7_set_mtp3_timer(ex->ss7, "t21", 64000);
	parse_args(ex, argc, argv);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	open_sockets(ex);

	ss7_set_pc(ex->ss7, ex->opt.opc);
	ss7_set_network_ind(ex->ss7, ex->opt.ni);
	/* no ss7_set_default_dpc: libss7.h declares it, the 2.0.0 library does not have it; each call
	 * record carries the DPC instead (isup_new_call) */
	ss7_set_cause_location(ex->ss7, 2); /* Q.850: public network serving the local user */
	if (!ex->opt.debug)
		ss7_set_debug(ex->ss7, 0);
	else
		ss7_set_debug(ex->ss7, SS7_DEBUG_MTP2 | SS7_DEBUG_MTP3 | SS7_DEBUG_ISUP);
	if (ss7_add_link(ex->ss7, SS7_TRANSPORT_DAHDIDCHAN, ex->link_fd, ex->opt.slc, ex->opt.dpc)) {
		fprintf(stderr, "ref-exchange: libss7 refused the signalling link\n");
		return 1;
	}
	ex->tap_fsn[0] = ex->tap_fsn[1] = 127;
	ss7_start(ex->ss7);
	connect_peer(ex);

	json_event(&w, "ready");
	json_str(&w, "libss7", ss7_get_version());
	json_int(&w, "opc", (long)ex->opt.opc);
	json_int(&w, "dpc", (long)ex->opt.dpc);
	json_int(&w, "slc", ex->opt.slc);
	json_emit(&w);

	while (!stopping) {
		struct pollfd fds[2] = {
			{ .fd = ex->sock, .events = (now_ms() >= ex->hold_until_ms ? POLLIN : 0) | (ex->out_len ? POLLOUT : 0) },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		if (poll(fds, 2, poll_timeout(ex)) < 0 && errno != EINTR)
			break;
		if (stopping)
			break;
		if (fds[0].revents & POLLIN)
			pump_in(ex);
		if (fds[1].revents & (POLLIN | POLLHUP) && !read_commands(ex))
			break; /* the end of stdin: whoever started us is gone */
		run_libss7_timers(ex);
		run_pending(ex);
		connect_peer(ex);
		pump_out(ex);
		if (ex->out_len == 0)
			pull_from_libss7(ex);
		pump_out(ex);
	}
	unlink(ex->opt.bind_path);
	return 0;
}
