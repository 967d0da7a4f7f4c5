/*
 * A look at the signal units crossing the relay, for what libss7 does not report: each ISUP
 * message that leaves ({"event":"sent"}), MTP3 management and link test messages both ways
 * ({"event":"mtp3"}), and the ISUP messages libss7 reads but raises no event for (CFN, CQR).
 *
 *   octet 0: BSN (7 bits) | BIB      octet 3: SIO = NI (2) | spare (2) | SI (4)
 *   octet 1: FSN (7 bits) | FIB      octet 4..: SIF = routing label (4) + user part
 *   octet 2: LI (6 bits)             last 2: FCS (zeros from libss7, ignored by it)
 *
 * An MSU is reported once: MTP2 may send it again (Q.703 5.3), so only the one whose FSN
 * follows the last reported is taken, and an LSSU (alignment) starts the count again at 127.
 */
#include <stdio.h>
#include <string.h>

#include "exchange.h"

#define SI_SNM 0
#define SI_SLT 1
#define SI_ISUP 5

const char *isup_name(int type)
{
	static const char *names[0x44] = { /* Q.763 Table 4 */
		[0x01] = "IAM", [0x02] = "SAM", [0x03] = "INR", [0x04] = "INF", [0x05] = "COT",
		[0x06] = "ACM", [0x07] = "CON", [0x08] = "FOT", [0x09] = "ANM", [0x0c] = "REL",
		[0x0d] = "SUS", [0x0e] = "RES", [0x10] = "RLC", [0x11] = "CCR", [0x12] = "RSC",
		[0x13] = "BLO", [0x14] = "UBL", [0x15] = "BLA", [0x16] = "UBA", [0x17] = "GRS",
		[0x18] = "CGB", [0x19] = "CGU", [0x1a] = "CGBA", [0x1b] = "CGUA", [0x1f] = "FAR",
		[0x20] = "FAA", [0x21] = "FRJ", [0x24] = "LPA", [0x28] = "PAM", [0x29] = "GRA",
		[0x2a] = "CQM", [0x2b] = "CQR", [0x2c] = "CPG", [0x2d] = "USR", [0x2e] = "UCIC",
		[0x2f] = "CFN", [0x30] = "OLM", [0x31] = "CRG", [0x32] = "NRM", [0x33] = "FAC",
		[0x34] = "UPT", [0x35] = "UPA", [0x36] = "IDR", [0x37] = "IRS", [0x38] = "SGM",
		[0x40] = "LPR", [0x41] = "APT", [0x42] = "PRI", [0x43] = "SAN",
	};
	return type >= 0 && type < 0x44 && names[type] ? names[type] : "unknown";
}

/* Q.704 15.2 (network management, H1 << 4 | H0) and Q.707 5 (test, SI 1). */
static const char *mtp3_name(int si, int h)
{
	static const struct { int h; const char *name; } snm[] = {
		{ 0x11, "COO" }, { 0x21, "COA" }, { 0x51, "CBD" }, { 0x61, "CBA" }, { 0x12, "ECO" },
		{ 0x22, "ECA" }, { 0x13, "RCT" }, { 0x23, "TFC" }, { 0x14, "TFP" }, { 0x34, "TFR" },
		{ 0x54, "TFA" }, { 0x15, "RST" }, { 0x25, "RSR" }, { 0x16, "LIN" }, { 0x26, "LUN" },
		{ 0x36, "LIA" }, { 0x46, "LUA" }, { 0x56, "LID" }, { 0x66, "LFU" }, { 0x76, "LLT" },
		{ 0x86, "LRT" }, { 0x17, "TRA" }, { 0x1a, "UPU" },
	};
	if (si == SI_SLT)
		return h == 0x11 ? "SLTM" : h == 0x21 ? "SLTA" : "unknown";
	for (size_t i = 0; i < sizeof snm / sizeof snm[0]; i++)
		if (snm[i].h == h)
			return snm[i].name;
	return "unknown";
}

/* The cause value of a cause indicators parameter (Q.850 2.1), octet 3a skipped when present. */
static int cause_value(const unsigned char *param, size_t len)
{
	if (len < 2)
		return -1;
	if (param[0] & 0x80)
		return param[1] & 0x7f;
	return len >= 3 ? param[2] & 0x7f : -1;
}

static void tap_isup_in(const unsigned char *u, size_t n, int cic, int type)
{
	struct json_writer w;
	const unsigned char *p = u + 3; /* pointer octets after CIC and type */

	if (type == 0x2f && n >= 5 && (size_t)(3 + p[0]) < n) { /* CFN */
		size_t at = 3 + p[0];
		json_event(&w, "CFN");
		json_int(&w, "cic", cic);
		json_int(&w, "cause", cause_value(u + at + 1, u[at] <= n - at - 1 ? u[at] : n - at - 1));
		json_emit(&w);
	} else if (type == 0x2b && n >= 6) { /* CQR: range (and no status), then circuit states */
		size_t range_at = 3 + p[0], states_at = 4 + p[1];
		if (range_at + 1 >= n || states_at >= n || u[states_at] > n - states_at - 1)
			return;
		json_event(&w, "CQR");
		json_int(&w, "cic", cic);
		json_int(&w, "count", u[range_at + 1] + 1);
		json_bytes(&w, "states", u + states_at + 1, u[states_at]);
		json_emit(&w);
	}
}

/*
 * libss7 2.0 has no call to ask for a continuity check in an IAM: its nature of connection
 * indicators (Q.763 3.35, the first octet after the message type) follow a field of its call
 * record that only a received IAM sets. The offsets are those of the ITU routing label (4
 * octets; this program runs libss7 as SS7_ITU). For a CIC whose "call" command asked for one, the
 * relay sets the continuity check indicator (bits DC) to 01, "required on this circuit", in
 * every copy of that IAM it passes on; libss7 carries the call on as any other.
 */
void mark_continuity_check(struct exchange *x, unsigned char *b, size_t n)
{
	unsigned char *sif = b + 4;
	int cic;

	if (n < 4 + 4 + 4 + 2 || (b[3] & 0x0f) != SI_ISUP || sif[6] != 0x01)
		return;
	cic = sif[4] | (sif[5] & 0x0f) << 8;
	if (x->cic[cic].check_on_iam)
		sif[7] = (unsigned char)((sif[7] & ~0x0c) | 0x04);
}

void tap_frame(struct exchange *x, const unsigned char *b, size_t n, int outgoing)
{
	struct json_writer w;
	int li = b[2] & 0x3f, fsn = b[1] & 0x7f, si, sls, h;
	const unsigned char *sif = b + 4;
	size_t siflen;

	if (n < 5 || li == 0)
		return;
	if (li <= 2) {
		x->tap_fsn[outgoing] = 127; /* Q.703 5.2.1: sequence numbers restart after alignment */
		return;
	}
	if (fsn != ((x->tap_fsn[outgoing] + 1) & 0x7f) || n < 4 + 4 + 2 + 1)
		return;
	x->tap_fsn[outgoing] = fsn;
	si = b[3] & 0x0f;
	siflen = n - 4 - 2;
	sls = sif[3] >> 4;
	if (si == SI_ISUP && siflen >= 7) {
		int cic = sif[4] | (sif[5] & 0x0f) << 8, type = sif[6];
		if (!outgoing) {
			tap_isup_in(sif + 4, siflen - 4, cic, type);
			return;
		}
		json_event(&w, "sent");
		json_str(&w, "message", isup_name(type));
		json_int(&w, "type", type);
		json_int(&w, "cic", cic);
		json_emit(&w);
	} else if ((si == SI_SNM || si == SI_SLT) && siflen >= 5) {
		h = sif[4]; /* heading: H1 in the high nibble, H0 in the low one */
		json_event(&w, "mtp3");
		json_str(&w, "dir", outgoing ? "out" : "in");
		json_str(&w, "message", mtp3_name(si, h));
		json_int(&w, "slc", sls);
		json_emit(&w);
	}
}
