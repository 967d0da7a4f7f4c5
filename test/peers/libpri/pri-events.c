/* libpri's events as JSON lines, and what the network side does about some of them itself. */
#include <stdio.h>

#include "ref-pri.h"

/* libpri's event channel: B-channel in bits 0-7 (0xff: any), or -1 (see libpri.h). */
static int bchan(int channel)
{
	if (channel < 0 || (channel & 0xff) == 0xff)
		return -1;
	return channel & 0xff;
}

/* The call's id; a call libpri reports that we never saw gets one now. */
static int id_of(q931_call *call, int channel)
{
	struct call_slot *slot = call_by_ptr(call);
	if (!slot)
		slot = call_add(call, channel);
	return slot ? slot->id : -1;
}

static void with_call(struct json_writer *w, const char *event, q931_call *call, int channel)
{
	json_event(w, event);
	json_int(w, "call", id_of(call, bchan(channel)));
	json_int(w, "channel", bchan(channel));
}

void handle_event(pri_event *e)
{
	struct json_writer w;
	struct call_slot *slot;

	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		json_event(&w, "dchan_up");
		break;
	case PRI_EVENT_DCHAN_DOWN:
		json_event(&w, "dchan_down");
		break;
	case PRI_EVENT_RING: /* SETUP from the user side */
		/* libpri reuses the memory of a call it freed without telling us (it sent RELEASE
		 * COMPLETE itself): a slot still naming that pointer is an old call's. */
		call_forget(call_by_ptr(e->ring.call));
		slot = call_add(e->ring.call, bchan(e->ring.channel));
		json_event(&w, "ring");
		json_int(&w, "call", slot ? slot->id : -1);
		json_int(&w, "channel", bchan(e->ring.channel));
		json_bool(&w, "exclusive", !e->ring.flexible);
		json_str(&w, "calling", e->ring.callingnum);
		json_str(&w, "called", e->ring.callednum);
		json_bool(&w, "complete", e->ring.complete);
		json_int(&w, "bearer", e->ring.ctype);
		break;
	case PRI_EVENT_PROCEEDING:
		with_call(&w, "proceeding", e->proceeding.call, e->proceeding.channel);
		break;
	case PRI_EVENT_PROGRESS:
		with_call(&w, "progress", e->proceeding.call, e->proceeding.channel);
		json_int(&w, "progressMask", e->proceeding.progressmask);
		json_int(&w, "cause", e->proceeding.cause);
		break;
	case PRI_EVENT_SETUP_ACK:
		with_call(&w, "setup_ack", e->setup_ack.call, e->setup_ack.channel);
		break;
	case PRI_EVENT_RINGING:
		with_call(&w, "ringing", e->ringing.call, e->ringing.channel);
		break;
	case PRI_EVENT_ANSWER:
		with_call(&w, "answer", e->answer.call, e->answer.channel);
		break;
	case PRI_EVENT_CONNECT_ACK:
		with_call(&w, "connect_ack", e->connect_ack.call, e->connect_ack.channel);
		break;
	case PRI_EVENT_HANGUP_REQ:
		/* DISCONNECT from the user side: the network clears the call (RELEASE) at once. */
		with_call(&w, "hangup_req", e->hangup.call, e->hangup.channel);
		json_int(&w, "cause", e->hangup.cause);
		json_emit(&w);
		pri_hangup(rp.pri, e->hangup.call, e->hangup.cause);
		return;
	case PRI_EVENT_HANGUP:
		/* RELEASE or RELEASE COMPLETE (or a timeout): libpri frees the call on pri_hangup(). */
		with_call(&w, "hangup", e->hangup.call, e->hangup.channel);
		json_int(&w, "cause", e->hangup.cause);
		json_emit(&w);
		call_forget(call_by_ptr(e->hangup.call));
		pri_hangup(rp.pri, e->hangup.call, e->hangup.cause);
		return;
	case PRI_EVENT_HANGUP_ACK:
		with_call(&w, "hangup_ack", e->hangup.call, e->hangup.channel);
		call_forget(call_by_ptr(e->hangup.call));
		break;
	case PRI_EVENT_RESTART: /* libpri answers RESTART ACKNOWLEDGE itself */
		json_event(&w, "restart");
		json_int(&w, "channel", bchan(e->restart.channel));
		break;
	case PRI_EVENT_RESTART_ACK:
		json_event(&w, "restart_ack");
		json_int(&w, "channel", bchan(e->restartack.channel));
		break;
	case PRI_EVENT_CONFIG_ERR:
		json_event(&w, "config_err");
		json_str(&w, "message", e->err.err);
		break;
	case PRI_EVENT_INFO_RECEIVED:
		with_call(&w, "info", e->ring.call, e->ring.channel);
		json_str(&w, "digits", e->ring.callednum);
		break;
	case PRI_EVENT_KEYPAD_DIGIT:
		with_call(&w, "keypad", e->digit.call, e->digit.channel);
		json_str(&w, "digits", e->digit.digits);
		break;
	case PRI_EVENT_NOTIFY:
		with_call(&w, "notify", e->notify.call, e->notify.channel);
		json_int(&w, "info", e->notify.info);
		break;
	case PRI_EVENT_FACILITY:
		with_call(&w, "facility", e->facility.call, e->facility.channel);
		break;
	default:
		json_event(&w, "libpri");
		json_str(&w, "name", pri_event2str(e->e));
		json_int(&w, "number", e->e);
		break;
	}
	json_emit(&w);
}
