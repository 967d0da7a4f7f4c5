/*
 * The callbacks libss7 makes into the exchange: its messages and errors (some of which are the
 * only sign of what it did), and its requests to clear a call.
 */
#include <stdio.h>
#include <string.h>

#include "exchange.h"

/*
 * libss7 asks the application to clear a call in two cases that matter here: dual seizure lost
 * (Q.764 2.9.1.4: our IAM gives way, theirs is to be handled as a new call) and an unexpected
 * message on an idle circuit (answered by RSC when we say the circuit is idle).
 */
static int on_hangup(struct ss7 *ss7, int cic, unsigned int dpc, int cause, int do_hangup)
{
	struct json_writer w;

	if (!equipped(ex, cic))
		return SS7_CIC_NOT_EXISTS;
	if (do_hangup == SS7_HANGUP_REEVENT_IAM) {
		cic_event(&w, "glare", cic);
		json_str(&w, "result", "lost");
		json_emit(&w);
		/* libss7 2.0.0 leaves our IAM's flag set: re-raising the IAM without clearing it
		 * would find the same dual seizure again, for ever */
		if (ex->cic[cic].call) {
			isup_clear_callflags(ss7, ex->cic[cic].call, ISUP_SENT_IAM | ISUP_PENDING_IAM);
			isup_event_iam(ss7, ex->cic[cic].call, (int)dpc);
		}
		return SS7_CIC_USED;
	}
	cic_event(&w, "hangup", cic);
	json_int(&w, "cause", cause);
	json_int(&w, "action", do_hangup);
	json_emit(&w);
	to_idle(ex, cic);
	return SS7_CIC_IDLE;
}

static void on_call_null(struct ss7 *ss7, struct isup_call *c, int lock)
{
	(void)ss7;
	(void)lock;
	for (int i = 0; i < MAX_CIC; i++)
		if (ex->cic[i].call == c)
			ex->cic[i].call = NULL;
}

static void on_message(struct ss7 *ss7, char *text, const char *level)
{
	struct json_writer w;
	char trimmed[1024];
	int cic, type;

	(void)ss7;
	snprintf(trimmed, sizeof trimmed, "%s", text);
	trimmed[strcspn(trimmed, "\n")] = '\0';
	if (sscanf(text, "Dual seizure on CIC %d", &cic) == 1 && strstr(text, "we are the controlling")) {
		cic_event(&w, "glare", cic);
		json_str(&w, "result", "won");
		json_emit(&w);
	} else if (sscanf(text, "!! Unable to handle message of type 0x%x on CIC %d", (unsigned *)&type, &cic) == 2) {
		/* libss7 drops a message type it does not know, and says nothing to the peer */
		cic_event(&w, "unrecognised", cic);
		json_int(&w, "type", type);
		json_emit(&w);
		if (ex->opt.cfn)
			schedule(ex, cic, SEND_CFN, 0); /* Q.764 2.9.5.1 a): CFN, cause 97 */
	}
	if (!strcmp(level, "error") || ex->opt.debug) {
		json_event(&w, "log");
		json_str(&w, "level", level);
		json_str(&w, "message", trimmed);
		json_emit(&w);
	}
}

static void on_error_text(struct ss7 *ss7, char *text) { on_message(ss7, text, "error"); }
static void on_message_text(struct ss7 *ss7, char *text) { on_message(ss7, text, "debug"); }

void events_install_callbacks(void)
{
	ss7_set_message(on_message_text);
	ss7_set_error(on_error_text);
	ss7_set_hangup(on_hangup);
	ss7_set_call_null(on_call_null);
}
