/*
 * Fuzz the QMP wire parser (vmm/qmp_wire.c) as the server drives it: the
 * input is the byte stream a client sends; frame values out of it with
 * qmp_stream_next() until it needs more input, check each one with
 * qmp_request_parse() and format the answer the server would send.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer(json_t *msg)
{
	struct qmp_error err = { "", "" };
	struct qmp_request req;
	json_t *reply;
	char *line;
	size_t n;

	if (qmp_request_parse(msg, &req, &err))
		reply = qmp_format_error(&err, req.id);
	else
		reply = qmp_format_return(json_object(), req.id);
	line = reply ? qmp_encode(reply, &n) : NULL;
	free(line);
	json_decref(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct qmp_error err;
	size_t used;
	json_t *msg;
	int ret;

	while (size) {
		ret = qmp_stream_next(buf, size, &used, &msg, &err);
		if (used > size)
			abort();        /* the caller would drop past its buffer */
		if (ret == 1) {
			answer(msg);
			json_decref(msg);
		}
		if (ret == 0 || !used)
			break;
		buf += used;
		size -= used;
	}
	return 0;
}
