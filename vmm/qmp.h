/*
 * QMP server: QEMU's Machine Protocol (JSON over a unix socket) for host
 * control. One thread serves any number of clients; the modules that own a
 * command register it with qmp_register(); any thread may emit an event.
 *
 * Wire format (as QEMU): the server greets with {"QMP": {...}}; the client
 * sends {"execute": NAME, "arguments": {...}, "id": ANY} and gets
 * {"return": ..., "id": ...} or {"error": {"class": C, "desc": D}, "id": ...};
 * only "qmp_capabilities" is accepted until negotiation, after which the
 * client also receives events {"event": NAME, "data": {...},
 * "timestamp": {"seconds": S, "microseconds": U}}.
 */
#ifndef VMM_QMP_H
#define VMM_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* QEMU's error classes, the only ones QEMU still uses. */
#define QMP_ERROR_GENERIC	"GenericError"
#define QMP_ERROR_NOT_FOUND	"CommandNotFound"
#define QMP_ERROR_DEVICE	"DeviceNotFound"

/* An error answer: its class and a sentence for the user. */
struct qmp_error {
	char class[32];
	char desc[256];
};

/*
 * A command handler. Runs on the QMP thread, with no server lock held (it
 * may call qmp_emit_event, not qmp_server_destroy). @args is the request's
 * "arguments" object ({} if absent), borrowed. Returns a new reference to the
 * "return" value (json_object() if there is nothing to return), which the
 * server steals; or NULL with @err filled (qmp_error_set).
 */
typedef json_t *(*qmp_handler_fn)(void *opaque, json_t *args,
				  struct qmp_error *err);

struct qmp_server;

/*
 * Create the listening socket at @path, mode 0600. A stale socket file is
 * removed only if nothing listens on it; any other existing file is left
 * alone (-EEXIST), a live one gives -EADDRINUSE. NULL on failure, with the
 * -errno in *@err.
 */
struct qmp_server *qmp_server_create(const char *path, int *err);

/* Start the server thread. 0 or -errno. */
int qmp_server_start(struct qmp_server *srv);

/* Stop the thread (if started), close every client, unlink the socket. */
void qmp_server_destroy(struct qmp_server *srv);

/*
 * Register command @name (copied). Thread-safe, before or after start.
 * 0, -EEXIST if the name is taken, -EINVAL, -ENOMEM.
 */
int qmp_register(struct qmp_server *srv, const char *name, qmp_handler_fn fn,
		 void *opaque);

/*
 * Send event @event to every client that has negotiated. @data (an object,
 * or NULL for none) is borrowed. Thread-safe; never blocks on a slow client.
 */
void qmp_emit_event(struct qmp_server *srv, const char *event, json_t *data);

/* Fill @err (if not NULL) with @class and a printf-formatted description. */
void qmp_error_set(struct qmp_error *err, const char *class,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The wire format (qmp_wire.c), kept apart from the sockets and unit-tested
 * alone.
 */

/* A validated request; every pointer is borrowed from the request object. */
struct qmp_request {
	const char *execute;	/* command name */
	json_t *args;		/* "arguments", NULL if absent */
	json_t *id;		/* "id", NULL if absent */
};

/*
 * Take the next JSON value from the byte stream @buf/@len.
 * Returns 1 with a new reference in *@out, 0 if more input is needed, or
 * -EINVAL with @err filled (a JSON parse error). *@used is the number of
 * bytes to drop from the front of the buffer in every case.
 */
int qmp_stream_next(const char *buf, size_t len, size_t *used, json_t **out,
		    struct qmp_error *err);

/*
 * Check that @msg is a well-formed request ({"execute": "name",
 * "arguments": {...}, "id": any}). 0, or -EINVAL with @err filled. Even on
 * failure req->id is set if @msg is an object with an "id".
 */
int qmp_request_parse(json_t *msg, struct qmp_request *req,
		      struct qmp_error *err);

/* The greeting: {"QMP": {"version": ..., "capabilities": []}}. */
json_t *qmp_format_greeting(void);

/* {"return": @ret, "id": @id}; steals @ret, borrows @id (may be NULL). */
json_t *qmp_format_return(json_t *ret, json_t *id);

/* {"error": {"class": ..., "desc": ...}, "id": @id}; borrows @id. */
json_t *qmp_format_error(const struct qmp_error *err, json_t *id);

/* {"event": ..., "data": @data, "timestamp": ...}; borrows @data (NULL: no
 * "data" member); @ts is wall-clock time. */
json_t *qmp_format_event(const char *event, json_t *data,
			 const struct timespec *ts);

/* Serialise @msg as one compact line ending in "\r\n"; free() the result. */
char *qmp_encode(json_t *msg, size_t *len);

#endif
