/*
 * The reference exchange's shared state: one libss7 linkset with one signalling link, the
 * circuit table the exchange keeps beside libss7's call records, and the relay between
 * libss7's end of an internal socket pair and the peer's datagram socket.
 */
#ifndef EXCHANGE_H
#define EXCHANGE_H

#include <libss7.h>
#include <stddef.h>

#include "json-line.h"

#define MAX_CIC 4096     /* ITU CICs are 12 bits (Q.763 1.2) */
#define MAX_FRAME 300    /* an MSU carries at most 272 octets of SIF (Q.703 2.3.8) */
#define OUT_QUEUE 64
#define MAX_PENDING 128
#define CAUSE_UNRECOGNISED 97 /* Q.850: message type non-existent or not implemented */

enum busy { IDLE, INCOMING, OUTGOING };

struct circuit {
	struct isup_call *call;    /* libss7's record of this CIC, NULL when libss7 holds none */
	unsigned char equipped;
	unsigned char busy;        /* enum busy */
	unsigned char acm_sent;
	unsigned char awaiting_cot;
	unsigned char check_on_iam;  /* our next IAM on this CIC asks for a continuity check */
	unsigned char local_maint, local_hw;   /* blocks this exchange put on the circuit */
	unsigned char remote_maint, remote_hw; /* blocks the peer put on it */
	unsigned serial;           /* counts incoming calls, so a timed answer never hits a later one */
};

enum pending_action { SEND_ACM, SEND_ANM, SEND_CFN };

struct pending {
	long long due_ms;
	int cic;
	unsigned serial;
	enum pending_action action;
};

struct frame {
	size_t len;
	unsigned char b[MAX_FRAME];
};

struct options {
	const char *bind_path, *peer_path;
	unsigned opc, dpc;
	int ni, slc;
	long answer_after_ms; /* < 0: incoming calls wait for commands */
	int cfn, debug, grs_on_up;
	long fill_ms;
};

struct exchange {
	struct options opt;
	struct ss7 *ss7;
	int sock;     /* datagram socket bound to opt.bind_path, connected to opt.peer_path */
	int link_fd;  /* libss7's end of the internal pair */
	int relay_fd; /* our end of it */
	int peer_connected, link_in_alarm;
	long long next_connect_ms;
	long long hold_until_ms;     /* reading from the peer paused until then (the hold command) */
	struct frame out[OUT_QUEUE]; /* frames waiting for room in the peer's receive queue */
	int out_head, out_len;
	struct frame fill;           /* last FISU/LSSU passed on */
	long long fill_sent_ms;
	int tap_fsn[2];              /* last MSU sequence number reported, per direction */
	int up;
	struct circuit cic[MAX_CIC];
	struct pending pending[MAX_PENDING];
	int npending;
};

/* libss7's callbacks carry no user pointer; there is one exchange per process. */
extern struct exchange *ex;

long long now_ms(void);

/* libss7-callbacks.c */
void events_install_callbacks(void);

/* events.c: libss7 events to JSON lines, and the answers an exchange gives by itself */
int equipped(struct exchange *x, int cic);
void to_idle(struct exchange *x, int cic);
void cic_event(struct json_writer *w, const char *name, int cic);
void drain_events(struct exchange *x);
void run_pending(struct exchange *x);
void schedule(struct exchange *x, int cic, enum pending_action action, long delay_ms);
struct isup_call *circuit_call(struct exchange *x, int cic, int outgoing);
void release_call(struct exchange *x, int cic);
void circuit_states(struct exchange *x, int first, int count, unsigned char *states);

/* commands.c: one JSON command line from stdin */
void handle_command(struct exchange *x, const char *line);
int send_raw_isup(struct exchange *x, int cic, const unsigned char *bytes, size_t len);
int send_cfn(struct exchange *x, int cic, int cause);

/* su-tap.c: what crosses the relay, for events libss7 does not report */
void tap_frame(struct exchange *x, const unsigned char *b, size_t n, int outgoing);
void mark_continuity_check(struct exchange *x, unsigned char *b, size_t n);
const char *isup_name(int type);

#endif
