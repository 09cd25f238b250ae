/*
 * QMP client (see qmp_client.h).
 *
 * Data: the socket, a receive buffer of raw bytes (qmp_stream_next() cuts
 * it into JSON messages, as the server does), the queue of events read
 * while waiting for an answer (a JSON array, oldest first) and the next
 * request id. Single-threaded; the caller owns the client.
 *
 * QEMU prints an unavailable uint64 (a balloon statistic the guest did not
 * report, in qom-get guest-stats) as 18446744073709551615, which jansson
 * (int64) rejects; such a number becomes -1, what memvisor answers there,
 * before the buffer is parsed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/qmp.h"
#include "vmm/util.h"
#include "tools/qmp/qmp_client.h"

struct qmpc {
	int fd;
	char buf[1 << 16];
	size_t len;
	json_t *events;         /* queued, oldest first */
	int next_id;
	int64_t timeout_ms;
};

double qmpc_now_ms_f(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int64_t qmpc_now_ms(void)
{
	return (int64_t)qmpc_now_ms_f();
}

int64_t qmpc_timeout_ms(const struct qmpc *c)
{
	return c->timeout_ms;
}

#define U64_MAX_TEXT "18446744073709551615"

/* Rewrite each JSON number 2^64-1 in @buf (a whole token: after ':', ','
 * '[' or a space, before a delimiter) as "-1" padded with spaces. */
static void qmpc_u64_max_to_minus1(char *buf, size_t len)
{
	const size_t n = sizeof(U64_MAX_TEXT) - 1;
	char *p = buf, *end = buf + len;

	while ((p = memmem(p, end - p, U64_MAX_TEXT, n)) != NULL) {
		if (p > buf && strchr(":,[ ", p[-1]) && p + n < end &&
		    strchr(",}] \r\n", p[n]) && p[n]) {
			memset(p, ' ', n);
			memcpy(p, "-1", 2);
		}
		p += n;
	}
}

/* Next message from the server: 1, 0 on timeout, or -errno (-EPIPE: the
 * server closed the connection). */
static int qmpc_read(struct qmpc *c, int64_t deadline, json_t **msg)
{
	struct qmp_error err;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t used;
	ssize_t n;
	int ret;

	for (;;) {
		qmpc_u64_max_to_minus1(c->buf, c->len);
		ret = qmp_stream_next(c->buf, c->len, &used, msg, &err);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		if (ret)
			return ret;
		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;
		ret = poll(&pfd, 1, deadline - qmpc_now_ms() > 0 ?
				    deadline - qmpc_now_ms() : 0);
		if (ret == 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n == 0)
			return -EPIPE;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		c->len += n > 0 ? n : 0;
	}
}

static int qmpc_send(struct qmpc *c, json_t *msg)
{
	size_t len;
	char *s = qmp_encode(msg, &len);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = write_all(c->fd, s, len);
	free(s);
	return ret;
}

int qmpc_lost(struct errmsg *e, int ret)
{
	if (!ret)
		return errmsg_set(e, -ETIMEDOUT, "the VMM did not answer (timeout)");
	if (ret == -EPIPE)
		return errmsg_set(e, ret, "the VMM closed the QMP connection");
	return errmsg_set(e, ret, "QMP connection: %s", strerror(-ret));
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* @msg (stolen) answers request @id: 1 with the result in *@r, else 0. */
static int take_answer(json_t *msg, int id, json_t **ret, struct errmsg *e,
		       int *r)
{
	json_t *jid = json_object_get(msg, "id");

	if (!json_is_integer(jid) || json_integer_value(jid) != id) {
		json_decref(msg);
		return 0;
	}
	*r = 0;
	if (json_object_get(msg, "error"))
		*r = errmsg_set(e, -EREMOTEIO, "%s",
				jstr(json_object_get(msg, "error"), "desc"));
	else if (ret)
		*ret = json_incref(json_object_get(msg, "return"));
	json_decref(msg);
	return 1;
}

int qmpc_execute(struct qmpc *c, const char *cmd, json_t *args, json_t **ret,
		 struct errmsg *e)
{
	int id = c->next_id++, r;
	int64_t deadline = qmpc_now_ms() + c->timeout_ms;
	json_t *msg = json_pack("{s:s, s:i}", "execute", cmd, "id", id);

	if (args)
		json_object_set_new(msg, "arguments", args);
	r = qmpc_send(c, msg);
	json_decref(msg);
	if (r)
		return qmpc_lost(e, r);
	while ((r = qmpc_read(c, deadline, &msg)) == 1) {
		if (json_object_get(msg, "event")) {
			json_array_append_new(c->events, msg);
			continue;
		}
		if (take_answer(msg, id, ret, e, &r))
			return r;
	}
	return qmpc_lost(e, r);
}

int qmpc_wait_event(struct qmpc *c, qmpc_event_match_fn match,
		    const void *arg, int64_t deadline, json_t **ev)
{
	size_t i;
	int r;

	for (i = 0; i < json_array_size(c->events); i++) {
		*ev = json_array_get(c->events, i);
		if (match(*ev, arg)) {
			json_incref(*ev);
			json_array_remove(c->events, i);
			return 1;
		}
	}
	while ((r = qmpc_read(c, deadline, ev)) == 1) {
		if (json_object_get(*ev, "event") && match(*ev, arg))
			return 1;
		json_decref(*ev);
	}
	return r;
}

static int qmpc_connect(struct qmpc *c, const char *path, struct errmsg *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *greeting;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return errmsg_user(e, -ENAMETOOLONG, "--qmp: path too long: %s", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errmsg_set(e, -errno, "cannot connect to %s: %s", path,
				  strerror(errno));
	r = qmpc_read(c, qmpc_now_ms() + c->timeout_ms, &greeting);
	if (r != 1)
		return qmpc_lost(e, r);
	r = json_object_get(greeting, "QMP") ? 0 :
	    errmsg_set(e, -EPROTO, "%s does not speak QMP", path);
	json_decref(greeting);
	return r ? r : qmpc_execute(c, "qmp_capabilities", NULL, NULL, e);
}

struct qmpc *qmpc_open(const char *path, int64_t timeout_ms, struct errmsg *e)
{
	struct qmpc *c = calloc(1, sizeof(*c));

	if (!c) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->events = json_array();
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	if (qmpc_connect(c, path, e)) {
		qmpc_close(c);
		return NULL;
	}
	return c;
}

void qmpc_close(struct qmpc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	json_decref(c->events);
	free(c);
}
