/* Shared state of ref-pri (see ref-pri.c for what the program is). */
#ifndef REF_PRI_H
#define REF_PRI_H

#include <libpri.h>

#include "../libss7/json-line.h"

#define MAX_CALLS 128
#define MAX_UNKNOWN_IES 16
#define MAX_FRAME 1024

/* A call libpri knows, under the small number the JSON lines use for it. */
struct call_slot {
	q931_call *call;
	int id;
	int channel; /* B-channel (E1 timeslot), or -1 for "any" */
};

/*
 * An IE libpri cannot send: libpri puts a User-user IE (0x7E) carrying `marker` into the
 * message, and the relay swaps that IE for `ie` with `data` as the frame leaves (again on each
 * Q.921 retransmission, which passes the same way).
 */
struct unknown_ie {
	char marker[16];
	int ie;
	unsigned char data[64];
	int len;
};

struct ref_pri {
	struct pri *pri;
	int sock;
	const char *bind_path, *peer_path;
	int debug;
	unsigned char span[32]; /* span[ts] set: B-channel ts exists (--span-channels) */
	struct call_slot calls[MAX_CALLS];
	int next_id;
	struct unknown_ie unknown[MAX_UNKNOWN_IES];
	int unknown_count;
	char send_failing[32]; /* errno name of the failing sends, reported once */
};

extern struct ref_pri rp;

/* calls */
struct call_slot *call_by_id(int id);
struct call_slot *call_by_ptr(q931_call *call);
struct call_slot *call_add(q931_call *call, int channel);
void call_forget(struct call_slot *slot);

/* pri-commands.c */
void handle_command(const char *line);

/* pri-events.c */
void handle_event(pri_event *e);

/* pri-relay.c: libpri's I/O callbacks on the datagram socket */
int relay_read(struct pri *pri, void *buf, int buflen);
int relay_write(struct pri *pri, void *buf, int buflen);
/* Arms a User-user marker to be swapped for an unknown IE; returns the marker. */
const char *unknown_ie_arm(int ie, const unsigned char *data, int len);

#endif
