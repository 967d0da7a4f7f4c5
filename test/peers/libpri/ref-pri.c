/*
 * ref-pri: the network side of an ISDN PRI (EuroISDN E1, ETSI EN 300 102 / Q.931) built on
 * Asterisk's libpri (1.6), for bench tests that need a D-channel far end nobody here wrote.
 * libpri runs Q.921 and Q.931; this program carries its frames over a unix datagram socket
 * to the card simulator's HDLC peer socket (countyline-sim --hdlc-peer <dir>) and turns
 * JSON commands into libpri calls and libpri's events into JSON lines.
 *
 *   ref-pri --bind <dir>/peer.sock --peer <dir>/card.sock [--span-channels 1-15,17-31] [--debug]
 *
 * Datagrams: one Q.921 frame each, without flags, followed by 2 FCS octets, as a DAHDI
 * D-channel carries them: libpri's q921_transmit() writes 2 octets past the frame for the
 * driver to fill with the FCS, and __q921_receive() takes 2 octets off each frame unread. So
 * the 2 octets this program sends are whatever libpri left there, and the 2 it receives are
 * not checked (the simulator writes a correct CRC-16 there). A datagram shorter than 5 octets
 * is reported as {"event":"short-frame"} and not given to libpri.
 *
 * stdin, one JSON object a line (ref-pri.ts types them):
 *   {"cmd":"call","channel":N,"exclusive":true,"calling":"...","called":"..."}
 *       optional "unknownIe":N,"unknownIeHex":"0102": the SETUP carries that IE too
 *   {"cmd":"proceeding"|"alerting"|"answer","call":id}
 *   {"cmd":"hangup","call":id,"cause":16}
 *   {"cmd":"restart","channel":N}   RESTART for one B-channel (restart class 0, indicated)
 *   {"cmd":"restart"}               RESTART for each B-channel of --span-channels in turn:
 *                                   libpri has no RESTART for the whole interface (class 7)
 *   {"cmd":"unknown-ie","call":id,"message":"alerting"|"connect"|"disconnect","ie":N,"hex":"..."}
 *       sends that message for the call with the IE added; libpri has no API for an IE it
 *       does not know, so it puts a marked User-user IE in the message and the relay swaps
 *       the IE for the unknown one as the frame leaves (see pri-relay.c)
 * stdout, one JSON event a line: ready, dchan_up, dchan_down, ring, proceeding, ringing,
 *   answer, connect_ack, progress, setup_ack, hangup_req, hangup, hangup_ack, restart,
 *   restart_ack, config_err, info, keypad, notify, facility, libpri (any other event), placed
 *   and restarting (what a command did), send-error, short-frame, error, log, and with
 *   --debug {"event":"frame","dir":"in"|"out","hex":"..."} for each frame without its FCS.
 * SIGTERM, SIGINT and the end of stdin stop it with exit 0; bad arguments exit 2.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ref-pri.h"

struct ref_pri rp;
static volatile sig_atomic_t stopping;

static void usage(const char *why)
{
	fprintf(stderr, "ref-pri: %s\n"
		"usage: ref-pri --bind PATH --peer PATH [--span-channels 1-15,17-31] [--debug]\n", why);
	exit(2);
}

/* "1-15,17-31": the B-channels (E1 timeslots) of the span. */
static void parse_span(const char *s)
{
	char *copy = strdup(s), *save = NULL;
	memset(rp.span, 0, sizeof rp.span);
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		int first, last;
		char tail;
		int n = sscanf(part, "%d-%d%c", &first, &last, &tail);
		if (n == 1)
			last = first;
		else if (n != 2)
			usage("--span-channels takes ranges such as 1-15,17-31");
		if (first < 1 || last > 31 || first > last)
			usage("E1 B-channels are timeslots 1 to 31");
		for (int ts = first; ts <= last; ts++)
			rp.span[ts] = 1;
	}
	free(copy);
}

static void parse_args(int argc, char **argv)
{
	parse_span("1-15,17-31");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--debug")) {
			rp.debug = 1;
			continue;
		}
		if (!v)
			usage("an option is missing its value");
		if (!strcmp(a, "--bind")) rp.bind_path = v;
		else if (!strcmp(a, "--peer")) rp.peer_path = v;
		else if (!strcmp(a, "--span-channels")) parse_span(v);
		else usage("unknown option");
		i++;
	}
	if (!rp.bind_path || !rp.peer_path)
		usage("--bind and --peer are required");
	if (strlen(rp.bind_path) >= sizeof(((struct sockaddr_un *)0)->sun_path) ||
	    strlen(rp.peer_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		usage("a socket path is too long for a unix socket");
}

static void bind_socket(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", rp.bind_path);
	rp.sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (rp.sock < 0) {
		perror("ref-pri: socket");
		exit(2);
	}
	unlink(rp.bind_path); /* a socket left by an earlier run */
	if (bind(rp.sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
		fprintf(stderr, "ref-pri: cannot bind %s: %s\n", rp.bind_path, strerror(errno));
		exit(2);
	}
}

/* libpri's messages and errors (pri_message() output needs a debug flag set). */
static void pri_log(const char *level, char *s)
{
	struct json_writer w;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	if (!n)
		return;
	json_event(&w, "log");
	json_str(&w, "level", level);
	json_str(&w, "message", s);
	json_emit(&w);
}
static void on_pri_message(struct pri *pri, char *s) { (void)pri; if (rp.debug) pri_log("message", s); }
static void on_pri_error(struct pri *pri, char *s) { (void)pri; pri_log("error", s); }

struct call_slot *call_by_id(int id)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (rp.calls[i].call && rp.calls[i].id == id)
			return &rp.calls[i];
	return NULL;
}

struct call_slot *call_by_ptr(q931_call *call)
{
	for (int i = 0; call && i < MAX_CALLS; i++)
		if (rp.calls[i].call == call)
			return &rp.calls[i];
	return NULL;
}

struct call_slot *call_add(q931_call *call, int channel)
{
	for (int i = 0; i < MAX_CALLS; i++) {
		if (!rp.calls[i].call) {
			rp.calls[i] = (struct call_slot){ .call = call, .id = rp.next_id++, .channel = channel };
			return &rp.calls[i];
		}
	}
	return NULL;
}

void call_forget(struct call_slot *slot)
{
	if (slot)
		slot->call = NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Milliseconds until libpri's next timer, or -1 for none. */
static int next_timeout(void)
{
	struct timeval *tv = pri_schedule_next(rp.pri), now;
	if (!tv)
		return -1;
	gettimeofday(&now, NULL);
	long long ms = (long long)(tv->tv_sec - now.tv_sec) * 1000 + (tv->tv_usec - now.tv_usec) / 1000;
	return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

/* Splits what came on stdin into lines; returns 0 at the end of stdin. */
static int read_commands(void)
{
	static char buf[16384];
	static size_t have;
	ssize_t n = read(STDIN_FILENO, buf + have, sizeof buf - 1 - have);
	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	have += n;
	char *start = buf, *nl;
	while ((nl = memchr(start, '\n', buf + have - start))) {
		*nl = '\0';
		if (nl > start)
			handle_command(start);
		start = nl + 1;
	}
	have -= start - buf;
	memmove(buf, start, have);
	if (have == sizeof buf - 1) {
		json_error("a command line is longer than %zu octets; dropped", sizeof buf - 1);
		have = 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	bind_socket();
	rp.next_id = 1;
	pri_set_message(on_pri_message);
	pri_set_error(on_pri_error);

	struct json_writer w;
	json_event(&w, "ready");
	json_str(&w, "libpri", pri_get_version());
	json_str(&w, "bind", rp.bind_path);
	json_str(&w, "peer", rp.peer_path);
	json_emit(&w);

	/* Network side, EuroISDN E1, point-to-point: libpri sends SABME at once (q921_start). */
	rp.pri = pri_new_cb(rp.sock, PRI_NETWORK, PRI_SWITCH_EUROISDN_E1, relay_read, relay_write, NULL);
	if (!rp.pri) {
		fprintf(stderr, "ref-pri: pri_new_cb failed\n");
		return 1;
	}
	if (rp.debug)
		pri_set_debug(rp.pri, PRI_DEBUG_Q921_STATE | PRI_DEBUG_Q931_STATE);

	while (!stopping) {
		struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = rp.sock, .events = POLLIN } };
		int res = poll(fds, 2, next_timeout());
		if (res < 0) {
			if (errno == EINTR)
				continue;
			perror("ref-pri: poll");
			return 1;
		}
		pri_event *e;
		if (fds[1].revents & POLLIN && (e = pri_check_event(rp.pri)))
			handle_event(e);
		if (next_timeout() == 0 && (e = pri_schedule_run(rp.pri)))
			handle_event(e);
		if (fds[0].revents & (POLLIN | POLLHUP) && !read_commands())
			break;
	}
	close(rp.sock);
	unlink(rp.bind_path);
	return 0;
}
