/* JSON lines in and out; see json-line.h. Only what the command and event objects need. */
#include "json-line.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *start, *p;
	char *err;
	size_t errlen;
};

static int fail(struct cursor *c, const char *what)
{
	snprintf(c->err, c->errlen, "%s at column %d", what, (int)(c->p - c->start) + 1);
	return -1;
}

static void skip_space(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int read_string(struct cursor *c, char *out, size_t outlen)
{
	size_t n = 0;

	if (*c->p != '"')
		return fail(c, "expected a string");
	c->p++;
	while (*c->p != '"') {
		char ch = *c->p++;
		if (ch == '\0')
			return fail(c, "unterminated string");
		if (ch == '\\') {
			char esc = *c->p++;
			switch (esc) {
			case '"': case '\\': case '/': ch = esc; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u': {
				char hex[5] = { 0 };
				memcpy(hex, c->p, 4);
				long code = strtol(hex, NULL, 16);
				if (strlen(hex) != 4 || code < 1 || code > 0x7f)
					return fail(c, "only \\u escapes of ASCII characters are supported");
				ch = (char)code;
				c->p += 4;
				break;
			}
			default:
				return fail(c, "bad escape in string");
			}
		}
		if (n + 1 >= outlen)
			return fail(c, "string too long");
		out[n++] = ch;
	}
	out[n] = '\0';
	c->p++;
	return 0;
}

static int read_number(struct cursor *c, double *out)
{
	char *end;
	*out = strtod(c->p, &end);
	if (end == c->p)
		return fail(c, "expected a value");
	c->p = end;
	return 0;
}

static int read_value(struct cursor *c, struct json_field *f)
{
	if (*c->p == '"') {
		f->type = JSON_STRING;
		return read_string(c, f->str, sizeof f->str);
	}
	if (!strncmp(c->p, "true", 4) || !strncmp(c->p, "false", 5)) {
		f->type = JSON_BOOL;
		f->num = *c->p == 't';
		c->p += f->num ? 4 : 5;
		return 0;
	}
	if (!strncmp(c->p, "null", 4)) {
		f->type = JSON_NULL;
		c->p += 4;
		return 0;
	}
	if (*c->p == '{')
		return fail(c, "nested objects are not supported");
	if (*c->p == '[') {
		f->type = JSON_ARRAY;
		f->arrlen = 0;
		c->p++;
		skip_space(c);
		if (*c->p == ']') {
			c->p++;
			return 0;
		}
		for (;;) {
			skip_space(c);
			if (f->arrlen == JSON_MAX_ARRAY)
				return fail(c, "array too long");
			if (read_number(c, &f->arr[f->arrlen++]))
				return fail(c, "arrays hold numbers only");
			skip_space(c);
			if (*c->p == ']') {
				c->p++;
				return 0;
			}
			if (*c->p++ != ',')
				return fail(c, "expected , or ] in array");
		}
	}
	f->type = JSON_NUMBER;
	return read_number(c, &f->num);
}

int json_parse(const char *text, struct json_object *obj, char *err, size_t errlen)
{
	struct cursor c = { text, text, err, errlen };

	obj->count = 0;
	skip_space(&c);
	if (*c.p++ != '{')
		return fail(&c, "expected a JSON object");
	skip_space(&c);
	if (*c.p == '}') {
		c.p++;
	} else {
		for (;;) {
			struct json_field *f;
			skip_space(&c);
			if (obj->count == JSON_MAX_FIELDS)
				return fail(&c, "too many fields");
			f = &obj->field[obj->count++];
			if (read_string(&c, f->key, sizeof f->key))
				return -1;
			skip_space(&c);
			if (*c.p++ != ':')
				return fail(&c, "expected :");
			skip_space(&c);
			if (read_value(&c, f))
				return -1;
			skip_space(&c);
			if (*c.p == '}') {
				c.p++;
				break;
			}
			if (*c.p++ != ',')
				return fail(&c, "expected , or }");
		}
	}
	skip_space(&c);
	if (*c.p != '\0')
		return fail(&c, "text after the object");
	return 0;
}

const struct json_field *json_get(const struct json_object *obj, const char *key)
{
	for (int i = 0; i < obj->count; i++)
		if (!strcmp(obj->field[i].key, key))
			return &obj->field[i];
	return NULL;
}

static void put(struct json_writer *w, const char *s)
{
	size_t n = strlen(s);
	if (w->len + n < sizeof w->buf - 3) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static void put_quoted(struct json_writer *w, const char *s)
{
	char tmp[8];
	put(w, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)ch;
			tmp[2] = '\0';
		} else if (ch < 0x20 || ch >= 0x7f) {
			snprintf(tmp, sizeof tmp, "\\u%04x", ch);
		} else {
			tmp[0] = (char)ch;
			tmp[1] = '\0';
		}
		put(w, tmp);
	}
	put(w, "\"");
}

static void put_key(struct json_writer *w, const char *key)
{
	put(w, ",");
	put_quoted(w, key);
	put(w, ":");
}

void json_event(struct json_writer *w, const char *event)
{
	w->len = 0;
	put(w, "{\"event\":");
	put_quoted(w, event);
}

void json_int(struct json_writer *w, const char *key, long value)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%ld", value);
	put_key(w, key);
	put(w, tmp);
}

void json_str(struct json_writer *w, const char *key, const char *value)
{
	put_key(w, key);
	put_quoted(w, value);
}

void json_bool(struct json_writer *w, const char *key, int value)
{
	put_key(w, key);
	put(w, value ? "true" : "false");
}

void json_bytes(struct json_writer *w, const char *key, const unsigned char *values, int count)
{
	char tmp[8];
	put_key(w, key);
	put(w, "[");
	for (int i = 0; i < count; i++) {
		snprintf(tmp, sizeof tmp, i ? ",%u" : "%u", values[i]);
		put(w, tmp);
	}
	put(w, "]");
}

void json_raw(struct json_writer *w, const char *key, const char *json)
{
	put_key(w, key);
	put(w, json);
}

void json_emit(struct json_writer *w)
{
	w->buf[w->len++] = '}';
	w->buf[w->len++] = '\n';
	/* stdout is the parent's pipe: a failed write means nobody listens any more */
	if (fwrite(w->buf, 1, w->len, stdout) != w->len || fflush(stdout))
		exit(0);
}

void json_error(const char *fmt, ...)
{
	struct json_writer w;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_event(&w, "error");
	json_str(&w, "message", msg);
	json_emit(&w);
}
