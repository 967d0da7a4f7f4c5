/* The JSON commands on stdin (listed in ref-pri.c), each turned into libpri calls. */
#include <stdio.h>
#include <string.h>

#include "ref-pri.h"

static const struct json_field *field(const struct json_object *o, const char *key, enum json_type type)
{
	const struct json_field *f = json_get(o, key);
	return f && f->type == type ? f : NULL;
}

static int number(const struct json_object *o, const char *key, int fallback)
{
	const struct json_field *f = field(o, key, JSON_NUMBER);
	return f ? (int)f->num : fallback;
}

static struct call_slot *the_call(const struct json_object *o, const char *cmd)
{
	const struct json_field *f = field(o, "call", JSON_NUMBER);
	struct call_slot *slot = f ? call_by_id((int)f->num) : NULL;
	if (!f)
		json_error("%s needs \"call\": the id from ring or placed", cmd);
	else if (!slot)
		json_error("%s: no call %d (it ended, or never was)", cmd, (int)f->num);
	return slot;
}

/* "01 02ff": up to 64 octets; returns the count or -1. */
static int parse_hex(const char *s, unsigned char *out, int max)
{
	int n = 0;
	unsigned v;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (n == max || sscanf(s, "%2x", &v) != 1 || !s[1] || s[1] == ' ')
			return -1;
		out[n++] = v;
		s += 2;
	}
	return n;
}

/* The unknown IE named by ie/hex fields: a User-user marker for libpri to carry, or NULL. */
static const char *arm_ie(const struct json_object *o, const char *ie_key, const char *hex_key, int *bad)
{
	const struct json_field *ie = field(o, ie_key, JSON_NUMBER);
	const struct json_field *hex = field(o, hex_key, JSON_STRING);
	unsigned char data[64];
	*bad = 0;
	if (!ie)
		return NULL;
	int len = hex ? parse_hex(hex->str, data, sizeof data) : 0;
	/* Q.931 4.5.1: bit 8 set is a single octet IE, which has no contents to carry */
	if (ie->num < 0 || ie->num > 0x7f || len < 0) {
		json_error("%s is an IE identifier 0-127 (0x00-0x7f), %s up to 64 octets of hex", ie_key, hex_key);
		*bad = 1;
		return NULL;
	}
	return unknown_ie_arm((int)ie->num, data, len);
}

static void cmd_call(const struct json_object *o)
{
	int channel = number(o, "channel", -1);
	const struct json_field *ex = field(o, "exclusive", JSON_BOOL);
	const struct json_field *calling = field(o, "calling", JSON_STRING);
	const struct json_field *called = field(o, "called", JSON_STRING);
	int bad;
	if (channel < 1 || channel > 31 || !rp.span[channel]) {
		json_error("call: channel %d is not a B-channel of --span-channels", channel);
		return;
	}
	if (!called) {
		json_error("call needs \"called\"");
		return;
	}
	const char *marker = arm_ie(o, "unknownIe", "unknownIeHex", &bad);
	if (bad)
		return;
	q931_call *call = pri_new_call(rp.pri);
	struct pri_sr *sr = pri_sr_new();
	if (!call || !sr) {
		json_error("call: libpri could not make a call record");
		return;
	}
	char called_buf[256], calling_buf[256];
	snprintf(called_buf, sizeof called_buf, "%s", called->str);
	snprintf(calling_buf, sizeof calling_buf, "%s", calling ? calling->str : "");
	pri_sr_set_channel(sr, channel, ex ? (int)ex->num : 1, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, called_buf, PRI_UNKNOWN, 1);
	if (calling_buf[0])
		pri_sr_set_caller(sr, calling_buf, NULL, PRI_UNKNOWN, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
	if (marker)
		pri_sr_set_useruser(sr, marker);
	call_forget(call_by_ptr(call)); /* a freed call's memory reused (see pri-events.c) */
	struct call_slot *slot = call_add(call, channel);
	int res = pri_setup(rp.pri, call, sr);
	pri_sr_free(sr);
	if (res || !slot) {
		json_error("call: pri_setup failed (%d)", res);
		call_forget(slot);
		return;
	}
	struct json_writer w;
	json_event(&w, "placed");
	json_int(&w, "call", slot->id);
	json_int(&w, "channel", channel);
	json_emit(&w);
}

/* proceeding, alerting, answer, hangup: one libpri call on an existing call. */
static void cmd_on_call(const struct json_object *o, const char *cmd)
{
	struct call_slot *slot = the_call(o, cmd);
	int res = 0;
	if (!slot)
		return;
	if (!strcmp(cmd, "proceeding"))
		res = pri_proceeding(rp.pri, slot->call, slot->channel, 0);
	else if (!strcmp(cmd, "alerting"))
		res = pri_acknowledge(rp.pri, slot->call, slot->channel, 0);
	else if (!strcmp(cmd, "answer"))
		res = pri_answer(rp.pri, slot->call, slot->channel, 0);
	else
		res = pri_hangup(rp.pri, slot->call, number(o, "cause", PRI_CAUSE_NORMAL_CLEARING));
	if (res)
		json_error("%s: libpri refused it for call %d (%d)", cmd, slot->id, res);
}

static void cmd_unknown_ie(const struct json_object *o)
{
	const struct json_field *msg = field(o, "message", JSON_STRING);
	struct call_slot *slot = the_call(o, "unknown-ie");
	int bad;
	if (!slot)
		return;
	if (!msg || (strcmp(msg->str, "alerting") && strcmp(msg->str, "connect") && strcmp(msg->str, "disconnect"))) {
		json_error("unknown-ie: \"message\" is alerting, connect or disconnect (the messages libpri puts a User-user IE in)");
		return;
	}
	if (!field(o, "ie", JSON_NUMBER)) {
		json_error("unknown-ie needs \"ie\"");
		return;
	}
	const char *marker = arm_ie(o, "ie", "hex", &bad);
	if (bad)
		return;
	pri_call_set_useruser(slot->call, marker);
	int res = !strcmp(msg->str, "alerting") ? pri_acknowledge(rp.pri, slot->call, slot->channel, 0)
		: !strcmp(msg->str, "connect") ? pri_answer(rp.pri, slot->call, slot->channel, 0)
		: pri_hangup(rp.pri, slot->call, number(o, "cause", PRI_CAUSE_NORMAL_CLEARING));
	if (res)
		json_error("unknown-ie: libpri refused the %s for call %d (%d)", msg->str, slot->id, res);
}

static void cmd_restart(const struct json_object *o)
{
	struct json_writer w;
	char list[128] = "[";
	int channel = number(o, "channel", 0);
	if (json_get(o, "channel") && (channel < 1 || channel > 31 || !rp.span[channel])) {
		json_error("restart: channel %d is not a B-channel of --span-channels", channel);
		return;
	}
	for (int ts = 1; ts <= 31; ts++) {
		if (channel ? ts != channel : !rp.span[ts])
			continue;
		/* q931_restart(): restart class 0 (indicated channels), one channel a message */
		if (pri_reset(rp.pri, ts)) {
			json_error("restart: libpri refused channel %d", ts);
			continue;
		}
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", list[1] ? "," : "", ts);
	}
	strcat(list, "]");
	json_event(&w, "restarting");
	json_raw(&w, "channels", list);
	json_emit(&w);
}

void handle_command(const char *line)
{
	struct json_object o;
	char err[128];
	if (json_parse(line, &o, err, sizeof err) < 0) {
		json_error("not a JSON command (%s): %s", err, line);
		return;
	}
	const struct json_field *cmd = field(&o, "cmd", JSON_STRING);
	if (!cmd)
		json_error("a command needs \"cmd\"");
	else if (!strcmp(cmd->str, "call"))
		cmd_call(&o);
	else if (!strcmp(cmd->str, "proceeding") || !strcmp(cmd->str, "alerting") || !strcmp(cmd->str, "answer") || !strcmp(cmd->str, "hangup"))
		cmd_on_call(&o, cmd->str);
	else if (!strcmp(cmd->str, "unknown-ie"))
		cmd_unknown_ie(&o);
	else if (!strcmp(cmd->str, "restart"))
		cmd_restart(&o);
	else
		json_error("unknown command \"%s\"", cmd->str);
}
