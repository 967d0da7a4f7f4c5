/*
 * libpri's I/O callbacks (pri_new_cb) on the unix datagram socket: one Q.921 frame per
 * datagram, followed by 2 FCS octets, as on a DAHDI D-channel fd. libpri writes 2 octets
 * beyond each frame for the driver's FCS and drops the last 2 of each frame it reads, so the
 * datagrams go out as libpri writes them and come in as the card sends them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ref-pri.h"

#define FCS 2
#define MIN_FRAME 3 /* address (2) and control (1); Q.921 2.9 */
#define IE_USER_USER 0x7e

static void emit_frame(const char *dir, const unsigned char *p, int len)
{
	struct json_writer w;
	char hex[2 * MAX_FRAME + 1];
	for (int i = 0; i < len && i < MAX_FRAME; i++)
		snprintf(hex + 2 * i, 3, "%02x", p[i]);
	hex[2 * (len < MAX_FRAME ? len : MAX_FRAME)] = '\0';
	json_event(&w, "frame");
	json_str(&w, "dir", dir);
	json_str(&w, "hex", hex);
	json_emit(&w);
}

int relay_read(struct pri *pri, void *buf, int buflen)
{
	(void)pri;
	ssize_t n = recv(rp.sock, buf, buflen, MSG_DONTWAIT);
	if (n < 0)
		return 0;
	if (n < MIN_FRAME + FCS) {
		/* libpri would read a negative length after taking the FCS off */
		struct json_writer w;
		json_event(&w, "short-frame");
		json_int(&w, "length", (long)n);
		json_emit(&w);
		return 0;
	}
	if (rp.debug)
		emit_frame("in", buf, (int)n - FCS);
	return (int)n;
}

/*
 * The Q.931 message in an I or UI frame: the offset of its first IE, or -1. Q.931 4: protocol
 * discriminator, call reference length and value, message type, then the IEs.
 */
static int first_ie(const unsigned char *f, int len)
{
	int off = (f[2] & 1) == 0 ? 4 : (f[2] & 0xef) == 0x03 ? 3 : -1; /* I-frame, UI frame */
	if (off < 0 || len < off + 3)
		return -1;
	int crlen = f[off + 1] & 0x0f;
	off += 2 + crlen + 1;
	return off <= len ? off : -1;
}

/* Swaps a marked User-user IE for the unknown IE it stands for; returns the new length. */
static int swap_unknown_ie(const unsigned char *in, int len, unsigned char *out)
{
	int off = first_ie(in, len);
	while (off >= 0 && off < len) {
		int id = in[off];
		if (id & 0x80) { /* single octet IE (Q.931 4.5.1) */
			off++;
			continue;
		}
		if (off + 2 > len)
			break;
		int ielen = in[off + 1];
		if (off + 2 + ielen > len)
			break;
		for (int i = 0; id == IE_USER_USER && i < rp.unknown_count; i++) {
			const struct unknown_ie *u = &rp.unknown[i];
			int mlen = (int)strlen(u->marker);
			/* contents: protocol discriminator 4 (IA5), then the characters */
			if (ielen != 1 + mlen || memcmp(in + off + 3, u->marker, mlen))
				continue;
			memcpy(out, in, off);
			out[off] = u->ie;
			out[off + 1] = u->len;
			memcpy(out + off + 2, u->data, u->len);
			int rest = len - (off + 2 + ielen);
			memcpy(out + off + 2 + u->len, in + off + 2 + ielen, rest);
			return off + 2 + u->len + rest;
		}
		off += 2 + ielen;
	}
	memcpy(out, in, len);
	return len;
}

const char *unknown_ie_arm(int ie, const unsigned char *data, int len)
{
	static int serial;
	struct unknown_ie *u = &rp.unknown[serial % MAX_UNKNOWN_IES];
	snprintf(u->marker, sizeof u->marker, "#ref-pri-%d#", serial++ % 1000);
	u->ie = ie;
	u->len = len;
	memcpy(u->data, data, len);
	if (rp.unknown_count < MAX_UNKNOWN_IES)
		rp.unknown_count++;
	return u->marker;
}

int relay_write(struct pri *pri, void *buf, int buflen)
{
	(void)pri;
	unsigned char out[MAX_FRAME + 128];
	int len = buflen - FCS;
	if (len < 0 || len > MAX_FRAME)
		return buflen;
	len = swap_unknown_ie(buf, len, out);
	memcpy(out + len, (unsigned char *)buf + buflen - FCS, FCS); /* what libpri left for the FCS */
	if (rp.debug)
		emit_frame("out", out, len);

	struct sockaddr_un to = { .sun_family = AF_UNIX };
	snprintf(to.sun_path, sizeof to.sun_path, "%s", rp.peer_path);
	if (sendto(rp.sock, out, len + FCS, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		const char *name = errno == ENOENT ? "ENOENT" : errno == ECONNREFUSED ? "ECONNREFUSED" : errno == EAGAIN ? "EAGAIN" : "other";
		if (strcmp(rp.send_failing, name)) {
			/* once per change: the card has not bound card.sock, or went away */
			struct json_writer w;
			snprintf(rp.send_failing, sizeof rp.send_failing, "%s", name);
			json_event(&w, "send-error");
			json_str(&w, "errno", name);
			json_str(&w, "message", strerror(errno));
			json_emit(&w);
		}
	} else {
		rp.send_failing[0] = '\0';
	}
	/* A frame lost on the way is lost as on a line: Q.921's T200 sends again. */
	return buflen;
}
