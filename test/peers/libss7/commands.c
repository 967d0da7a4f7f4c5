/*
 * Commands from stdin, one JSON object per line, {"cmd": name, ...}. A command that cannot be
 * carried out prints {"event":"error","message":...} and the exchange carries on.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "exchange.h"

/*
 * libss7 has no call to send bytes it did not build, nor CQM, COT or CFN; these internals of
 * libss7 2.0.0 put a user part in an MSU and route it. They are not in libss7.h: the prototypes
 * below were read off the Debian 2.0.0 build (mtp3_transmit takes the label by value, an ANSI
 * priority, the message, and a link that is NULL for ISUP, which is routed by SLS).
 */
struct routing_label {
	unsigned int type, dpc, opc;
	unsigned char sls;
};
struct ss7_msg;
struct ss7_msg *ss7_msg_new(void);
unsigned char *ss7_msg_userpart(struct ss7_msg *m);
void ss7_msg_userpart_len(struct ss7_msg *m, int len);
int mtp3_transmit(struct ss7 *ss7, unsigned char userpart, struct routing_label rl,
		  unsigned int priority, struct ss7_msg *m, void *link);

#define SI_ISUP 5

/* Sends CIC + the given octets (message type first) as an ISUP message. */
int send_raw_isup(struct exchange *x, int cic, const unsigned char *bytes, size_t len)
{
	struct routing_label rl = { SS7_ITU, x->opt.dpc, x->opt.opc, (unsigned char)(cic & 0x0f) };
	struct ss7_msg *m = len <= 200 ? ss7_msg_new() : NULL;
	unsigned char *p;

	if (!m)
		return -1;
	p = ss7_msg_userpart(m);
	/* ITU routing label (Q.704 2.2): DPC 14 bits, OPC 14 bits, SLS 4 bits, least significant first */
	p[0] = rl.dpc & 0xff;
	p[1] = (unsigned char)((rl.dpc >> 8 & 0x3f) | (rl.opc << 6 & 0xc0));
	p[2] = (unsigned char)(rl.opc >> 2 & 0xff);
	p[3] = (unsigned char)((rl.opc >> 10 & 0x0f) | rl.sls << 4);
	p[4] = cic & 0xff; /* Q.763 1.2: CIC, 12 bits */
	p[5] = (unsigned char)(cic >> 8 & 0x0f);
	memcpy(p + 6, bytes, len);
	ss7_msg_userpart_len(m, (int)(6 + len));
	return mtp3_transmit(x->ss7, SI_ISUP, rl, 0, m, NULL);
}

/* Confusion (Q.763): cause indicators (Q.850, location 2), then an empty optional part (pointer 0). */
int send_cfn(struct exchange *x, int cic, int cause)
{
	const unsigned char cfn[] = { 0x2f, 0x02, 0x00, 0x02, 0x82, (unsigned char)(0x80 | cause) };
	return send_raw_isup(x, cic, cfn, sizeof cfn);
}

struct args {
	struct exchange *x;
	const struct json_object *obj;
	const char *cmd;
	char err[256];
};

static int num(struct args *a, const char *key, long *out, long min, long max, int required)
{
	const struct json_field *f = json_get(a->obj, key);
	if (!f && !required)
		return 0;
	if (!f || f->type != JSON_NUMBER || f->num != (long)f->num || f->num < min || f->num > max) {
		snprintf(a->err, sizeof a->err, "%s needs \"%s\", a whole number from %ld to %ld", a->cmd, key, min, max);
		return -1;
	}
	*out = (long)f->num;
	return 0;
}

static const char *str(struct args *a, const char *key, const char *fallback)
{
	const struct json_field *f = json_get(a->obj, key);
	return f && f->type == JSON_STRING ? f->str : fallback;
}

/* The "cic" of a command; an equipped one unless any CIC will do. */
static int cic_arg(struct args *a, int any)
{
	long cic;
	if (num(a, "cic", &cic, 0, MAX_CIC - 1, 1))
		return -1;
	if (!any && !a->x->cic[cic].equipped) {
		snprintf(a->err, sizeof a->err, "CIC %ld is not one of this exchange's circuits (see --cics)", cic);
		return -1;
	}
	return (int)cic;
}

static struct isup_call *call_arg(struct args *a, int cic)
{
	struct isup_call *c = circuit_call(a->x, cic, 0);
	if (!c)
		snprintf(a->err, sizeof a->err, "libss7 could not make a call record for CIC %d", cic);
	return c;
}

/* A range command's "count" (1 to 32, Q.763 3.43) and "status" (one 0/1 per circuit, all 1 by default). */
static int range_args(struct args *a, int cic, unsigned char *status, int with_status)
{
	long count;
	const struct json_field *f = json_get(a->obj, "status");
	if (num(a, "count", &count, 1, 32, 1))
		return -1;
	for (int i = 0; i < count; i++)
		status[i] = 1;
	if (with_status && f) {
		if (f->type != JSON_ARRAY || f->arrlen != count) {
			snprintf(a->err, sizeof a->err, "%s: \"status\" is an array of %ld 0/1 values, one per circuit", a->cmd, count);
			return -1;
		}
		for (int i = 0; i < count; i++)
			status[i] = f->arr[i] != 0;
	}
	if (cic + count > MAX_CIC) {
		snprintf(a->err, sizeof a->err, "%s: the range passes CIC 4095", a->cmd);
		return -1;
	}
	return (int)count;
}

static int check(struct args *a, int res, const char *what)
{
	if (res < 0)
		snprintf(a->err, sizeof a->err, "libss7 could not send %s (is the link up?)", what);
	return res < 0 ? -1 : 0;
}

static int cmd_call(struct args *a)
{
	int cic = cic_arg(a, 0);
	long nai = SS7_NAI_NATIONAL, cnai = SS7_NAI_NATIONAL, cat = 10;
	const char *called = str(a, "called", NULL), *calling = str(a, "calling", "");
	const struct json_field *f;
	struct isup_call *c;

	if (cic < 0 || num(a, "calledNai", &nai, 0, 127, 0) || num(a, "callingNai", &cnai, 0, 127, 0) ||
	    num(a, "category", &cat, 0, 255, 0))
		return -1;
	if (!called || !*called || strspn(called, "0123456789") != strlen(called)) {
		snprintf(a->err, sizeof a->err, "call needs \"called\", a string of digits (libss7 adds the ST digit)");
		return -1;
	}
	if (a->x->cic[cic].busy != IDLE) {
		snprintf(a->err, sizeof a->err, "CIC %d is busy with a call", cic);
		return -1;
	}
	if (!(c = circuit_call(a->x, cic, 1))) {
		snprintf(a->err, sizeof a->err, "libss7 could not make a call record for CIC %d", cic);
		return -1;
	}
	isup_set_called(c, called, (unsigned char)nai, a->x->ss7);
	isup_set_calling(c, calling, (unsigned char)cnai, SS7_PRESENTATION_ALLOWED, SS7_SCREENING_NETWORK_PROVIDED);
	isup_set_calling_party_category(c, (unsigned)cat);
	f = json_get(a->obj, "continuityCheck");
	a->x->cic[cic].check_on_iam = f && f->type == JSON_BOOL && f->num;
	if (check(a, isup_iam(a->x->ss7, c), "IAM")) {
		a->x->cic[cic].check_on_iam = 0;
		return -1;
	}
	a->x->cic[cic].busy = OUTGOING;
	return 0;
}

static int cmd_call_message(struct args *a)
{
	int cic = cic_arg(a, 0);
	struct circuit *circ;
	struct isup_call *c;
	long cause = 16; /* normal call clearing */

	if (cic < 0 || !(c = call_arg(a, cic)))
		return -1;
	circ = &a->x->cic[cic];
	if (!strcmp(a->cmd, "acm")) {
		if (check(a, isup_acm(a->x->ss7, c), "ACM"))
			return -1;
		circ->acm_sent = 1;
		return 0;
	}
	if (!strcmp(a->cmd, "answer")) /* Q.764 2.1.7.3: CON when no ACM went before the answer */
		return circ->acm_sent ? check(a, isup_anm(a->x->ss7, c), "ANM") : check(a, isup_con(a->x->ss7, c), "CON");
	if (!strcmp(a->cmd, "cpg")) {
		const char *ev = str(a, "event", "");
		int code = !strcmp(ev, "alerting") ? CPG_EVENT_ALERTING : !strcmp(ev, "progress") ? CPG_EVENT_PROGRESS
			 : !strcmp(ev, "in-band") ? CPG_EVENT_INBANDINFO : 0;
		if (!code) {
			snprintf(a->err, sizeof a->err, "cpg needs \"event\": alerting, progress or in-band");
			return -1;
		}
		return check(a, isup_cpg(a->x->ss7, c, code), "CPG");
	}
	if (!strcmp(a->cmd, "release")) {
		if (num(a, "cause", &cause, 1, 127, 0))
			return -1;
		return check(a, isup_rel(a->x->ss7, c, (int)cause), "REL");
	}
	if (!strcmp(a->cmd, "sus") || !strcmp(a->cmd, "res")) {
		const char *who = str(a, "initiator", "network");
		unsigned char ind = strcmp(who, "subscriber") != 0; /* Q.763 3.52: 1 = network initiated */
		return check(a, (!strcmp(a->cmd, "sus") ? isup_sus : isup_res)(a->x->ss7, c, ind), a->cmd);
	}
	if (!strcmp(a->cmd, "blo") || !strcmp(a->cmd, "ubl")) {
		int blo = !strcmp(a->cmd, "blo");
		if (check(a, (blo ? isup_blo : isup_ubl)(a->x->ss7, c), a->cmd))
			return -1;
		circ->local_maint = (unsigned char)blo;
		return 0;
	}
	/* rsc: our side of the circuit goes idle at once (Q.764 2.9.3.1) */
	if (check(a, isup_rsc(a->x->ss7, c), "RSC"))
		return -1;
	circ->busy = IDLE;
	circ->acm_sent = 0;
	return 0;
}

static int cmd_group(struct args *a)
{
	unsigned char status[32];
	int cic = cic_arg(a, 0), cgb = !strcmp(a->cmd, "cgb"), count;
	const char *type = str(a, "type", "maintenance");
	struct isup_call *c;

	if (cic < 0 || (count = range_args(a, cic, status, strcmp(a->cmd, "grs"))) < 0)
		return -1;
	if (!strcmp(a->cmd, "grs")) {
		/* the circuits reset here start from nothing: drop what libss7 still holds for them */
		for (int i = 0; i < count; i++) {
			struct circuit *circ = &a->x->cic[cic + i];
			if (circ->call) {
				isup_free_call(a->x->ss7, circ->call);
				circ->call = NULL;
			}
			if (circ->equipped)
				circ->busy = IDLE, circ->acm_sent = 0, circ->remote_maint = circ->remote_hw = 0;
		}
		if (!(c = call_arg(a, cic)))
			return -1;
		return check(a, isup_grs(a->x->ss7, c, cic + count - 1), "GRS");
	}
	if (strcmp(type, "maintenance") && strcmp(type, "hardware")) {
		snprintf(a->err, sizeof a->err, "%s: \"type\" is maintenance or hardware", a->cmd);
		return -1;
	}
	int hw = !strcmp(type, "hardware");
	if (!(c = call_arg(a, cic)))
		return -1;
	if (check(a, (cgb ? isup_cgb : isup_cgu)(a->x->ss7, c, cic + count - 1, status, hw), a->cmd))
		return -1;
	for (int i = 0; i < count; i++)
		if (status[i] && a->x->cic[cic + i].equipped)
			*(hw ? &a->x->cic[cic + i].local_hw : &a->x->cic[cic + i].local_maint) = (unsigned char)cgb;
	return 0;
}

static int cmd_grs_all(struct args *a)
{
	/* one GRS per run of up to 32 contiguous equipped CICs, as an exchange does after a restart */
	for (int cic = 0; cic < MAX_CIC;) {
		if (!a->x->cic[cic].equipped) {
			cic++;
			continue;
		}
		int count = 1;
		while (count < 32 && cic + count < MAX_CIC && a->x->cic[cic + count].equipped)
			count++;
		char line[96];
		snprintf(line, sizeof line, "{\"cmd\":\"grs\",\"cic\":%d,\"count\":%d}", cic, count);
		handle_command(a->x, line);
		cic += count;
	}
	return 0;
}

static int hex_bytes(struct args *a, unsigned char *out, size_t max)
{
	const char *s = str(a, "hex", NULL);
	size_t n = 0;
	if (!s) {
		snprintf(a->err, sizeof a->err, "raw needs \"hex\": the octets after the CIC, message type first");
		return -1;
	}
	while (*s) {
		unsigned v;
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (n == max || !isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || sscanf(s, "%2x", &v) != 1) {
			snprintf(a->err, sizeof a->err, "raw: \"hex\" must be pairs of hex digits, at most %d octets", (int)max);
			return -1;
		}
		out[n++] = (unsigned char)v;
		s += 2;
	}
	if (n == 0) {
		snprintf(a->err, sizeof a->err, "raw: \"hex\" is empty; it starts with the message type");
		return -1;
	}
	return (int)n;
}

static int cmd_raw(struct args *a)
{
	unsigned char bytes[200], msg[8];
	int cic = cic_arg(a, 1), n;
	long count, passed = 1;
	const struct json_field *f;

	if (cic < 0)
		return -1;
	if (!strcmp(a->cmd, "ucic"))
		return check(a, isup_ucic(a->x->ss7, cic, a->x->opt.dpc), "UCIC");
	if (!strcmp(a->cmd, "cqm")) { /* Q.763: CQM carries range and status with the range only */
		if (num(a, "count", &count, 1, 32, 1))
			return -1;
		msg[0] = 0x2a, msg[1] = 0x01, msg[2] = 0x01, msg[3] = (unsigned char)(count - 1);
		return check(a, send_raw_isup(a->x, cic, msg, 4), "CQM");
	}
	if (!strcmp(a->cmd, "cot")) {
		if ((f = json_get(a->obj, "passed")) && f->type == JSON_BOOL)
			passed = (long)f->num;
		msg[0] = 0x05, msg[1] = passed ? 0x01 : 0x00; /* Q.763 3.18 continuity indicators */
		return check(a, send_raw_isup(a->x, cic, msg, 2), "COT");
	}
	if ((n = hex_bytes(a, bytes, sizeof bytes)) < 0)
		return -1;
	return check(a, send_raw_isup(a->x, cic, bytes, (size_t)n), "the raw message");
}

static int cmd_circuits(struct args *a)
{
	static const char *calls[] = { "idle", "incoming", "outgoing" };
	static const char *blocks[] = { "none", "maintenance", "hardware", "both" };
	struct json_writer w;
	char line[160];

	char list[6000] = "[";
	size_t len = 1;

	for (int cic = 0; cic < MAX_CIC; cic++) {
		const struct circuit *c = &a->x->cic[cic];
		if (!c->equipped)
			continue;
		snprintf(line, sizeof line, "%s{\"cic\":%d,\"call\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\"}",
			 len > 1 ? "," : "", cic, calls[c->busy], blocks[c->local_maint | c->local_hw << 1],
			 blocks[c->remote_maint | c->remote_hw << 1]);
		if (len + strlen(line) + 2 < sizeof list)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s", line);
	}
	snprintf(list + len, sizeof list - len, "]");
	json_event(&w, "circuits");
	json_raw(&w, "circuits", list);
	json_emit(&w);
	return 0;
}

/* Stops reading from the peer for a while, so that messages sent meanwhile cross the peer's
 * (to provoke dual seizure, Q.764 2.9.1.4). Kept short: the peer's MTP2 waits for our
 * acknowledgements no longer than its T7 (0.5 to 2 s, Q.703 12.3). */
static int cmd_hold(struct args *a)
{
	struct json_writer w;
	long ms;
	if (num(a, "ms", &ms, 1, 1000, 1))
		return -1;
	a->x->hold_until_ms = now_ms() + ms;
	json_event(&w, "hold"); /* the test knows from here on nothing is read for ms */
	json_int(&w, "ms", ms);
	json_emit(&w);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct args *a);
} commands[] = {
	{ "call", cmd_call }, { "acm", cmd_call_message }, { "answer", cmd_call_message },
	{ "cpg", cmd_call_message }, { "release", cmd_call_message }, { "sus", cmd_call_message },
	{ "res", cmd_call_message }, { "blo", cmd_call_message }, { "ubl", cmd_call_message },
	{ "rsc", cmd_call_message }, { "grs", cmd_group }, { "cgb", cmd_group }, { "cgu", cmd_group },
	{ "grs-all", cmd_grs_all }, { "ucic", cmd_raw }, { "cqm", cmd_raw }, { "cot", cmd_raw },
	{ "raw", cmd_raw }, { "circuits", cmd_circuits },
	{ "hold", cmd_hold },
};

void handle_command(struct exchange *x, const char *line)
{
	struct json_object obj;
	struct args a = { .x = x, .obj = &obj };
	char err[200];

	if (strspn(line, " \t\r") == strlen(line))
		return;
	if (json_parse(line, &obj, err, sizeof err)) {
		json_error("not a JSON command (%s): %.200s", err, line);
		return;
	}
	a.cmd = str(&a, "cmd", NULL);
	if (!a.cmd) {
		json_error("a command needs \"cmd\", a string: %.200s", line);
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(commands[i].name, a.cmd))
			continue;
		if (commands[i].run(&a))
			json_error("%s", a.err);
		return;
	}
	json_error("unknown command \"%.40s\"", a.cmd);
}
