/*
 * QMP wire format: the pure half of the QMP server (see qmp.c). It frames
 * JSON values out of a byte stream, checks that a value is a well-formed
 * request, and builds the messages the server sends: greeting, return,
 * error and event, each encoded as one line. No sockets, no state: every
 * function here is unit-tested on its own (tests/unit/test_qmp.c).
 *
 * Messages and error descriptions follow QEMU's, so that QEMU's clients
 * (libvirt, qmp-shell, the Python qemu.qmp library) see what they expect.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/qmp.h"

/* memvisor's version, reported where QEMU reports its own. */
#define QMP_VERSION_MAJOR	0
#define QMP_VERSION_MINOR	1
#define QMP_VERSION_MICRO	0
#define QMP_PACKAGE		"memvisor"

void qmp_error_set(struct qmp_error *err, const char *class,
		   const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	snprintf(err->class, sizeof(err->class), "%s", class);
	va_start(ap, fmt);
	vsnprintf(err->desc, sizeof(err->desc), fmt, ap);
	va_end(ap);
}

static size_t skip_space(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
			   buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

/*
 * jansson parses one value and reports where it stopped. An error that
 * stops at the end of the input may just be a value cut by the read
 * boundary ("premature end of input", or a token such as "tru"), so wait
 * for more. Any other error drops the input through the end of the line the
 * error is on, so that the next line starts afresh.
 */
int qmp_stream_next(const char *buf, size_t len, size_t *used, json_t **out,
		    struct qmp_error *err)
{
	const size_t flags = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY |
			     JSON_REJECT_DUPLICATES;
	size_t start = skip_space(buf, len), pos;
	const char *nl;
	json_error_t jerr;

	*out = NULL;
	*used = start;
	if (start == len)
		return 0;
	*out = json_loadb(buf + start, len - start, flags, &jerr);
	pos = start + (size_t)jerr.position;
	if (*out) {
		*used = pos;
		return 1;
	}
	if (json_error_code(&jerr) == json_error_premature_end_of_input ||
	    pos >= len)
		return 0;
	nl = memchr(buf + pos, '\n', len - pos);
	*used = nl ? (size_t)(nl - buf) + 1 : len;
	qmp_error_set(err, QMP_ERROR_GENERIC, "JSON parse error, %s",
		      jerr.text);
	return -EINVAL;
}

/* The checks and messages are QEMU's (qmp_dispatch_check_obj). */
static int check_member(const char *key, json_t *val, struct qmp_request *req,
			struct qmp_error *err)
{
	if (!strcmp(key, "execute")) {
		if (!json_is_string(val))
			goto bad_type;
		req->execute = json_string_value(val);
	} else if (!strcmp(key, "arguments")) {
		if (!json_is_object(val))
			goto bad_type;
		req->args = val;
	} else if (strcmp(key, "id")) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "QMP input member '%s' is unexpected", key);
		return -EINVAL;
	}
	return 0;
bad_type:
	qmp_error_set(err, QMP_ERROR_GENERIC,
		      "QMP input member '%s' must be %s", key,
		      strcmp(key, "execute") ? "an object" : "a string");
	return -EINVAL;
}

int qmp_request_parse(json_t *msg, struct qmp_request *req,
		      struct qmp_error *err)
{
	const char *key;
	json_t *val;

	memset(req, 0, sizeof(*req));
	if (!json_is_object(msg)) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "QMP input must be a JSON object");
		return -EINVAL;
	}
	req->id = json_object_get(msg, "id");
	json_object_foreach(msg, key, val) {
		if (check_member(key, val, req, err))
			return -EINVAL;
	}
	if (!req->execute) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "QMP input lacks member 'execute'");
		return -EINVAL;
	}
	return 0;
}

json_t *qmp_format_greeting(void)
{
	return json_pack("{s:{s:{s:{s:i,s:i,s:i},s:s},s:[]}}", "QMP",
			 "version", "qemu",
			 "micro", QMP_VERSION_MICRO,
			 "minor", QMP_VERSION_MINOR,
			 "major", QMP_VERSION_MAJOR,
			 "package", QMP_PACKAGE,
			 "capabilities");
}

/* Add "id" to @msg if @id is set; returns @msg, or NULL (and frees it). */
static json_t *with_id(json_t *msg, json_t *id)
{
	if (msg && id && json_object_set(msg, "id", id)) {
		json_decref(msg);
		return NULL;
	}
	return msg;
}

json_t *qmp_format_return(json_t *ret, json_t *id)
{
	if (!ret)
		return NULL;
	return with_id(json_pack("{s:o}", "return", ret), id);
}

json_t *qmp_format_error(const struct qmp_error *err, json_t *id)
{
	return with_id(json_pack("{s:{s:s,s:s}}", "error", "class", err->class,
				 "desc", err->desc), id);
}

json_t *qmp_format_event(const char *event, json_t *data,
			 const struct timespec *ts)
{
	json_t *msg = json_pack("{s:s}", "event", event);

	if (msg && data && json_object_set(msg, "data", data))
		goto fail;
	if (msg && json_object_set_new(msg, "timestamp",
			json_pack("{s:I,s:I}",
				  "seconds", (json_int_t)ts->tv_sec,
				  "microseconds",
				  (json_int_t)(ts->tv_nsec / 1000))))
		goto fail;
	return msg;
fail:
	json_decref(msg);
	return NULL;
}

char *qmp_encode(json_t *msg, size_t *len)
{
	char *line = json_dumps(msg, JSON_PRESERVE_ORDER), *grown;
	size_t n;

	if (!line)
		return NULL;
	n = strlen(line);
	grown = realloc(line, n + 3);
	if (!grown) {
		free(line);
		return NULL;
	}
	memcpy(grown + n, "\r\n", 3);
	*len = n + 2;
	return grown;
}
