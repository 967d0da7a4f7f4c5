/*
 * libss7's events as JSON lines, and what an exchange answers by itself: RLC to REL and RSC,
 * GRA to GRS, BLA/UBA, CGBA/CGUA, CQR to CQM, LPA to CCR, UCIC to a message on a CIC it does
 * not have, CFN to a message type it does not know, and (with --answer-after-ms) ACM and ANM
 * to an IAM. libss7 leaves every one of these to its application.
 */
#include <stdio.h>
#include <string.h>

#include "exchange.h"

static const char *cpg_event_name(int event)
{
	switch (event) { /* Q.763 3.21 event indicator */
	case CPG_EVENT_ALERTING: return "alerting";
	case CPG_EVENT_PROGRESS: return "progress";
	case CPG_EVENT_INBANDINFO: return "in-band";
	case CPG_EVENT_CFB: return "forward-busy";
	case CPG_EVENT_CFNR: return "forward-no-reply";
	case CPG_EVENT_CFU: return "forward-unconditional";
	default: return "spare";
	}
}

int equipped(struct exchange *x, int cic)
{
	return cic >= 0 && cic < MAX_CIC && x->cic[cic].equipped;
}

/* libss7's record for a CIC, made when there is none; NULL for a CIC we do not have. */
struct isup_call *circuit_call(struct exchange *x, int cic, int outgoing)
{
	if (!equipped(x, cic))
		return NULL;
	if (!x->cic[cic].call)
		x->cic[cic].call = isup_new_call(x->ss7, cic, x->opt.dpc, outgoing);
	return x->cic[cic].call;
}

/* libss7 keeps a record per CIC until the application frees it; free it once nothing is pending. */
void release_call(struct exchange *x, int cic)
{
	if (equipped(x, cic) && x->cic[cic].call && !isup_free_call_if_clear(x->ss7, x->cic[cic].call))
		x->cic[cic].call = NULL;
}

static void forget_call(struct exchange *x, int cic)
{
	if (equipped(x, cic) && x->cic[cic].call) {
		isup_free_call(x->ss7, x->cic[cic].call);
		x->cic[cic].call = NULL;
	}
}

void to_idle(struct exchange *x, int cic)
{
	if (equipped(x, cic)) {
		x->cic[cic].busy = IDLE;
		x->cic[cic].acm_sent = 0;
		x->cic[cic].awaiting_cot = 0;
		x->cic[cic].check_on_iam = 0;
	}
}

/* Q.763 3.14 circuit state indicator, as seen from this exchange. */
void circuit_states(struct exchange *x, int first, int count, unsigned char *states)
{
	for (int i = 0; i < count; i++) {
		const struct circuit *c = &x->cic[first + i];
		if (!equipped(x, first + i)) {
			states[i] = 0x03; /* unequipped */
			continue;
		}
		unsigned char maint = (c->local_maint ? 1 : 0) | (c->remote_maint ? 2 : 0);
		unsigned char hw = (c->local_hw ? 1 : 0) | (c->remote_hw ? 2 : 0);
		unsigned char call = c->busy == INCOMING ? 1 : c->busy == OUTGOING ? 2 : 3;
		states[i] = (unsigned char)(maint | call << 2 | hw << 4);
	}
}

void schedule(struct exchange *x, int cic, enum pending_action action, long delay_ms)
{
	if (x->npending == MAX_PENDING) {
		json_error("too many timed actions pending; dropped one for CIC %d", cic);
		return;
	}
	x->pending[x->npending++] = (struct pending){ now_ms() + delay_ms, cic, x->cic[cic].serial, action };
}

void run_pending(struct exchange *x)
{
	long long now = now_ms();
	for (int i = 0; i < x->npending;) {
		struct pending p = x->pending[i];
		if (p.due_ms > now) {
			i++;
			continue;
		}
		x->pending[i] = x->pending[--x->npending];
		if (p.action == SEND_CFN) {
			send_cfn(x, p.cic, CAUSE_UNRECOGNISED);
			continue;
		}
		struct circuit *c = &x->cic[p.cic];
		if (c->serial != p.serial || c->busy != INCOMING || !c->call)
			continue; /* that call is over */
		if (p.action == SEND_ACM && !c->acm_sent && isup_acm(x->ss7, c->call) >= 0)
			c->acm_sent = 1;
		else if (p.action == SEND_ANM && c->acm_sent)
			isup_anm(x->ss7, c->call);
		else if (p.action == SEND_ANM) /* Q.764 2.1.7.3: answered before any ACM */
			isup_con(x->ss7, c->call);
	}
}

static void auto_answer(struct exchange *x, int cic)
{
	if (x->opt.answer_after_ms < 0)
		return;
	schedule(x, cic, SEND_ACM, 0);
	schedule(x, cic, SEND_ANM, x->opt.answer_after_ms);
}

void cic_event(struct json_writer *w, const char *name, int cic)
{
	json_event(w, name);
	json_int(w, "cic", cic);
}

static void range_event(struct json_writer *w, const char *name, const ss7_event_cicrange *r, int with_status, int with_type)
{
	int count = r->endcic - r->startcic + 1;
	cic_event(w, name, r->startcic);
	json_int(w, "count", count);
	if (with_type)
		json_str(w, "type", r->type ? "hardware" : "maintenance");
	if (with_status)
		json_bytes(w, "status", r->status, count);
}

/* A message for a CIC this exchange does not have: Q.764 2.12 answers UCIC (national use). */
static int unequipped(struct exchange *x, const char *name, int cic, struct isup_call *call)
{
	struct json_writer w;
	if (equipped(x, cic))
		return 0;
	cic_event(&w, name, cic);
	json_bool(&w, "unequipped", 1);
	json_emit(&w);
	if (call)
		isup_free_call(x->ss7, call);
	isup_ucic(x->ss7, cic, x->opt.dpc);
	return 1;
}

static void on_iam(struct exchange *x, ss7_event_iam *e)
{
	struct json_writer w;
	struct circuit *c = &x->cic[e->cic];

	c->call = e->call;
	c->busy = INCOMING;
	c->acm_sent = 0;
	c->serial++;
	size_t digits = strcspn(e->called_party_num, "#");
	int end_of_pulsing = e->called_party_num[digits] == '#'; /* libss7 shows the ST signal as '#' */
	e->called_party_num[digits] = '\0';
	cic_event(&w, "IAM", e->cic);
	json_str(&w, "called", e->called_party_num);
	json_bool(&w, "endOfPulsing", end_of_pulsing);
	json_int(&w, "calledNai", e->called_nai);
	json_str(&w, "calling", e->calling_party_num);
	json_int(&w, "callingNai", e->calling_nai);
	json_int(&w, "category", e->calling_party_cat);
	json_int(&w, "presentation", e->presentation_ind);
	json_int(&w, "screening", e->screening_ind);
	json_bool(&w, "cotRequired", e->cot_check_required);
	json_emit(&w);
	/* Q.764 2.1.8: with a continuity check required, no ACM before a successful COT */
	c->awaiting_cot = (unsigned char)e->cot_check_required;
	if (!c->awaiting_cot)
		auto_answer(x, e->cic);
}

static void on_group_reset(struct exchange *x, ss7_event_cicrange *e)
{
	struct json_writer w;
	unsigned char status[32] = { 0 }, hw[32] = { 0 };
	int count = e->endcic - e->startcic + 1, any_hw = 0;

	range_event(&w, "GRS", e, 0, 0);
	json_emit(&w);
	x->cic[e->startcic].call = e->call;
	for (int i = 0; i < count && i < 32; i++) {
		int cic = e->startcic + i;
		if (!equipped(x, cic))
			continue;
		if (i > 0)
			forget_call(x, cic);
		to_idle(x, cic);
		/* Q.764 2.9.3.2: a reset removes the peer's blocks; ours go back in the GRA status
		 * (maintenance) and in a CGB after it (hardware) */
		x->cic[cic].remote_maint = x->cic[cic].remote_hw = 0;
		status[i] = x->cic[cic].local_maint;
		hw[i] = x->cic[cic].local_hw;
		any_hw |= hw[i];
	}
	isup_gra(x->ss7, e->call, e->endcic, status);
	forget_call(x, e->startcic);
	if (any_hw && circuit_call(x, e->startcic, 0))
		isup_cgb(x->ss7, x->cic[e->startcic].call, e->endcic, hw, 1);
}

static void on_group_block(struct exchange *x, ss7_event_cicrange *e, int block)
{
	struct json_writer w;
	int count = e->endcic - e->startcic + 1;

	range_event(&w, block ? "CGB" : "CGU", e, 1, 1);
	json_emit(&w);
	x->cic[e->startcic].call = e->call;
	for (int i = 0; i < count; i++)
		if (e->status[i] && equipped(x, e->startcic + i))
			*(e->type ? &x->cic[e->startcic + i].remote_hw : &x->cic[e->startcic + i].remote_maint) = (unsigned char)block;
	if (block)
		isup_cgba(x->ss7, e->call, e->endcic, e->status);
	else
		isup_cgua(x->ss7, e->call, e->endcic, e->status);
	release_call(x, e->startcic);
}

static void on_reset(struct exchange *x, ss7_event_rsc *e)
{
	struct json_writer w;
	struct circuit *c = &x->cic[e->cic];

	cic_event(&w, "RSC", e->cic);
	json_emit(&w);
	c->call = e->call;
	to_idle(x, e->cic);
	c->remote_maint = c->remote_hw = 0; /* Q.764 2.9.3.1 */
	isup_rlc(x->ss7, e->call);
	forget_call(x, e->cic);
	if (c->local_maint && circuit_call(x, e->cic, 0)) /* ... and our block is sent again */
		isup_blo(x->ss7, c->call);
}

static void on_query(struct exchange *x, ss7_event_cicrange *e)
{
	struct json_writer w;
	unsigned char states[32];
	int count = e->endcic - e->startcic + 1;

	range_event(&w, "CQM", e, 0, 0);
	json_emit(&w);
	if (count > 32)
		return;
	circuit_states(x, e->startcic, count, states);
	isup_cqr(x->ss7, e->startcic, e->endcic, e->opc, states);
	x->cic[e->startcic].call = e->call;
	release_call(x, e->startcic);
}

static int single_cic(ss7_event *e, struct isup_call **call)
{
	switch (e->e) {
	case ISUP_EVENT_IAM: *call = e->iam.call; return e->iam.cic;
	case ISUP_EVENT_REL: *call = e->rel.call; return e->rel.cic;
	case ISUP_EVENT_ACM: *call = e->acm.call; return e->acm.cic;
	case ISUP_EVENT_ANM: *call = e->anm.call; return e->anm.cic;
	case ISUP_EVENT_CON: *call = e->con.call; return e->con.cic;
	case ISUP_EVENT_CPG: *call = e->cpg.call; return e->cpg.cic;
	case ISUP_EVENT_RSC: *call = e->rsc.call; return e->rsc.cic;
	case ISUP_EVENT_COT: *call = e->cot.call; return e->cot.cic;
	case ISUP_EVENT_SUS: *call = e->sus.call; return e->sus.cic;
	case ISUP_EVENT_RES: *call = e->res.call; return e->res.cic;
	case ISUP_EVENT_SAM: *call = e->sam.call; return e->sam.cic;
	case ISUP_EVENT_RLC: case ISUP_EVENT_CCR: case ISUP_EVENT_BLO: case ISUP_EVENT_UBL:
	case ISUP_EVENT_BLA: case ISUP_EVENT_UBA: case ISUP_EVENT_LPA: case ISUP_EVENT_CVT:
		*call = e->rlc.call; /* these share ss7_event_cic */
		return e->rlc.cic;
	default: return -1;
	}
}

static const char *event_name(int e)
{
	const char *name = ss7_event2str(e);
	return strncmp(name, "ISUP_EVENT_", 11) ? name : name + 11;
}

static void on_event(struct exchange *x, ss7_event *e)
{
	struct json_writer w;
	struct isup_call *call = NULL;
	int cic = single_cic(e, &call);

	if (cic >= 0 && e->e != ISUP_EVENT_UCIC && unequipped(x, event_name(e->e), cic, call))
		return;
	if (cic >= 0)
		x->cic[cic].call = call;
	switch (e->e) {
	case SS7_EVENT_UP:
	case SS7_EVENT_DOWN:
		x->up = e->e == SS7_EVENT_UP;
		json_event(&w, x->up ? "up" : "down");
		json_emit(&w);
		if (!x->up) /* libss7 has freed every call record (isup_free_all_calls) */
			for (int i = 0; i < MAX_CIC; i++)
				x->cic[i].call = NULL;
		if (x->up && x->opt.grs_on_up)
			handle_command(x, "{\"cmd\":\"grs-all\"}");
		return;
	case MTP2_LINK_UP:
	case MTP2_LINK_DOWN:
		json_event(&w, e->e == MTP2_LINK_UP ? "mtp2-up" : "mtp2-down");
		json_emit(&w);
		return;
	case ISUP_EVENT_IAM:
		on_iam(x, &e->iam);
		return;
	case ISUP_EVENT_REL:
		cic_event(&w, "REL", cic);
		json_int(&w, "cause", e->rel.cause);
		json_emit(&w);
		to_idle(x, cic);
		isup_rlc(x->ss7, call);
		release_call(x, cic);
		return;
	case ISUP_EVENT_RLC:
		to_idle(x, cic);
		release_call(x, cic);
		break;
	case ISUP_EVENT_ACM:
		cic_event(&w, "ACM", cic);
		json_int(&w, "calledPartyStatus", e->acm.called_party_status_ind);
		json_emit(&w);
		return;
	case ISUP_EVENT_CPG:
		cic_event(&w, "CPG", cic);
		json_str(&w, "cpgEvent", cpg_event_name(e->cpg.event));
		json_int(&w, "cpgEventValue", e->cpg.event);
		json_emit(&w);
		return;
	case ISUP_EVENT_GRS:
		on_group_reset(x, &e->grs);
		return;
	case ISUP_EVENT_GRA:
		range_event(&w, "GRA", &e->gra, 1, 0);
		json_emit(&w);
		for (int i = 0; i <= e->gra.endcic - e->gra.startcic; i++)
			if (equipped(x, e->gra.startcic + i))
				x->cic[e->gra.startcic + i].remote_maint = e->gra.status[i];
		x->cic[e->gra.startcic].call = e->gra.call;
		release_call(x, e->gra.startcic);
		return;
	case ISUP_EVENT_CGB:
	case ISUP_EVENT_CGU:
		on_group_block(x, &e->cgb, e->e == ISUP_EVENT_CGB);
		return;
	case ISUP_EVENT_CGBA:
	case ISUP_EVENT_CGUA:
		range_event(&w, e->e == ISUP_EVENT_CGBA ? "CGBA" : "CGUA", &e->cgba, 1, 1);
		json_emit(&w);
		x->cic[e->cgba.startcic].call = e->cgba.call;
		release_call(x, e->cgba.startcic);
		return;
	case ISUP_EVENT_CQM:
		on_query(x, &e->cqm);
		return;
	case ISUP_EVENT_RSC:
		on_reset(x, &e->rsc);
		return;
	case ISUP_EVENT_BLO:
	case ISUP_EVENT_UBL:
		x->cic[cic].remote_maint = e->e == ISUP_EVENT_BLO;
		cic_event(&w, event_name(e->e), cic);
		json_emit(&w);
		e->e == ISUP_EVENT_BLO ? isup_bla(x->ss7, call) : isup_uba(x->ss7, call);
		release_call(x, cic);
		return;
	case ISUP_EVENT_BLA:
	case ISUP_EVENT_UBA:
	case ISUP_EVENT_LPA:
		release_call(x, cic);
		break;
	case ISUP_EVENT_UCIC:
		cic_event(&w, "UCIC", e->ucic.cic);
		json_emit(&w);
		if (equipped(x, e->ucic.cic)) { /* Q.764 2.12: the call attempt there is over, without REL */
			x->cic[e->ucic.cic].call = e->ucic.call;
			to_idle(x, e->ucic.cic);
			forget_call(x, e->ucic.cic);
		}
		return;
	case ISUP_EVENT_CCR:
		cic_event(&w, "CCR", cic);
		json_emit(&w);
		isup_lpa(x->ss7, cic, x->opt.dpc); /* the loop is "connected": Q.764 2.1.8 */
		return;
	case ISUP_EVENT_COT:
		cic_event(&w, "COT", cic);
		json_bool(&w, "passed", e->cot.passed);
		json_emit(&w);
		if (x->cic[cic].awaiting_cot && e->cot.passed) {
			x->cic[cic].awaiting_cot = 0;
			auto_answer(x, cic);
		}
		return;
	case ISUP_EVENT_SUS:
	case ISUP_EVENT_RES:
		cic_event(&w, event_name(e->e), cic);
		json_str(&w, "initiator", e->sus.network_isdn_indicator ? "network" : "subscriber");
		json_emit(&w);
		return;
	case ISUP_EVENT_SAM:
		e->sam.called_party_num[strcspn(e->sam.called_party_num, "#")] = '\0';
		cic_event(&w, "SAM", cic);
		json_str(&w, "called", e->sam.called_party_num);
		json_emit(&w);
		return;
	case ISUP_EVENT_DIGITTIMEOUT:
		cic_event(&w, "digit-timeout", e->digittimeout.cic);
		json_emit(&w);
		return;
	}
	if (cic >= 0) {
		cic_event(&w, event_name(e->e), cic);
	} else {
		json_event(&w, "libss7");
		json_str(&w, "name", ss7_event2str(e->e));
		json_int(&w, "number", e->e);
	}
	json_emit(&w);
}

void drain_events(struct exchange *x)
{
	ss7_event *e;
	while ((e = ss7_check_event(x->ss7)))
		on_event(x, e);
}
