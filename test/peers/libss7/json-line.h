/*
 * JSON lines for the reference exchange: a reader for the flat command objects that arrive on
 * stdin (string, number, boolean and null values, arrays of numbers) and a writer for the
 * event objects it prints on stdout, one per line.
 */
#ifndef JSON_LINE_H
#define JSON_LINE_H

#include <stddef.h>

#define JSON_MAX_FIELDS 16
#define JSON_MAX_ARRAY 32

enum json_type { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL, JSON_ARRAY };

struct json_field {
	char key[32];
	enum json_type type;
	char str[256];
	double num; /* JSON_NUMBER, and 0/1 for JSON_BOOL */
	double arr[JSON_MAX_ARRAY];
	int arrlen;
};

struct json_object {
	struct json_field field[JSON_MAX_FIELDS];
	int count;
};

/* Parses one line holding one object; on failure returns -1 with a reason in err. */
int json_parse(const char *text, struct json_object *obj, char *err, size_t errlen);
const struct json_field *json_get(const struct json_object *obj, const char *key);

/* An event line under construction: json_event(), then fields, then json_emit(). */
struct json_writer {
	char buf[8192];
	size_t len;
};

void json_event(struct json_writer *w, const char *event);
void json_int(struct json_writer *w, const char *key, long value);
void json_str(struct json_writer *w, const char *key, const char *value);
void json_bool(struct json_writer *w, const char *key, int value);
void json_bytes(struct json_writer *w, const char *key, const unsigned char *values, int count);
/* A value already in JSON form, such as an array of objects. */
void json_raw(struct json_writer *w, const char *key, const char *json);
void json_emit(struct json_writer *w);

/* The common case: {"event":"error","message":...}. */
void json_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
