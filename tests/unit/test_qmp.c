/*
 * QMP: the wire format (framing, request checks, message shapes) without
 * sockets, then one session against a real server on a temporary socket.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "vmm/qmp.h"


/* ------------------------------------------------------------ framing */

START_TEST(stream_one_and_two_values)
{
	const char *in = "{\"a\": 1}\r\n  {\"b\": 2}\n";
	struct qmp_error err;
	size_t used, off = 0;
	json_t *v;

	ck_assert_int_eq(qmp_stream_next(in, strlen(in), &used, &v, &err), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "a")), 1);
	json_decref(v);
	off += used;
	ck_assert_int_eq(qmp_stream_next(in + off, strlen(in) - off, &used, &v,
					 &err), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "b")), 2);
	json_decref(v);
	off += used;
	ck_assert_int_eq(qmp_stream_next(in + off, strlen(in) - off, &used, &v,
					 &err), 0);
	ck_assert_uint_eq(off + used, strlen(in));
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(stream_waits_for_cut_values)
{
	const char *cuts[] = { "{\"execute\": \"qu", "  \n ", "[1, tru",
			       "{\"a\": \"\\u00", "{\"a\": 1" };
	struct qmp_error err;
	size_t used, i;
	json_t *v;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		ck_assert_int_eq(qmp_stream_next(cuts[i], strlen(cuts[i]),
						 &used, &v, &err), 0);
		ck_assert_ptr_null(v);
	}
}
END_TEST

START_TEST(stream_error_resyncs_at_next_line)
{
	const char *in = "{\"a\" 1, \"b\": 2}\n{\"ok\": true}\n";
	struct qmp_error err;
	size_t used;
	json_t *v;

	ck_assert_int_eq(qmp_stream_next(in, strlen(in), &used, &v, &err),
			 -EINVAL);
	ck_assert_str_eq(err.class, "GenericError");
	ck_assert(!strncmp(err.desc, "JSON parse error, ", 18));
	ck_assert_str_eq(in + used, "{\"ok\": true}\n");
	ck_assert_int_eq(qmp_stream_next(in + used, strlen(in + used), &used,
					 &v, &err), 1);
	ck_assert(json_is_true(json_object_get(v, "ok")));
	json_decref(v);
}
END_TEST

/* ----------------------------------------------------------- requests */

/* Parse @text as a request; returns the error desc, or "" if it is valid. */
static const char *check_request(const char *text, struct qmp_error *err,
				 json_t **id)
{
	struct qmp_request req;
	json_t *msg = json_loads(text, JSON_DECODE_ANY, NULL);
	int ret;

	ck_assert_ptr_nonnull(msg);
	memset(err, 0, sizeof(*err));
	ret = qmp_request_parse(msg, &req, err);
	if (id)
		*id = req.id ? json_incref(req.id) : NULL;
	json_decref(msg);
	return ret ? err->desc : "";
}

START_TEST(request_valid)
{
	json_t *msg = json_loads("{\"execute\": \"device_del\", \"arguments\":"
				 " {\"id\": \"dimm1\"}, \"id\": 42}", 0, NULL);
	struct qmp_request req;
	struct qmp_error err;

	ck_assert_int_eq(qmp_request_parse(msg, &req, &err), 0);
	ck_assert_str_eq(req.execute, "device_del");
	ck_assert_str_eq(json_string_value(json_object_get(req.args, "id")),
			 "dimm1");
	ck_assert_int_eq(json_integer_value(req.id), 42);
	json_decref(msg);

	msg = json_loads("{\"execute\": \"quit\"}", 0, NULL);
	ck_assert_int_eq(qmp_request_parse(msg, &req, &err), 0);
	ck_assert_ptr_null(req.args);
	ck_assert_ptr_null(req.id);
	json_decref(msg);
}
END_TEST

START_TEST(request_invalid)
{
	struct qmp_error err;
	json_t *id;

	ck_assert_str_eq(check_request("[1, 2]", &err, NULL),
			 "QMP input must be a JSON object");
	ck_assert_str_eq(err.class, "GenericError");
	ck_assert_str_eq(check_request("42", &err, NULL),
			 "QMP input must be a JSON object");
	ck_assert_str_eq(check_request("{\"id\": \"x\"}", &err, &id),
			 "QMP input lacks member 'execute'");
	ck_assert_str_eq(json_string_value(id), "x");
	json_decref(id);
	ck_assert_str_eq(check_request("{\"execute\": 1}", &err, NULL),
			 "QMP input member 'execute' must be a string");
	ck_assert_str_eq(check_request("{\"arguments\": [], \"execute\": \"a\"}",
				       &err, NULL),
			 "QMP input member 'arguments' must be an object");
	ck_assert_str_eq(check_request("{\"execute\": \"a\", \"foo\": 1}",
				       &err, NULL),
			 "QMP input member 'foo' is unexpected");
}
END_TEST

/* ----------------------------------------------------------- messages */

/* Encode @msg (stolen) and compare with @want (without the "\r\n"). */
static void assert_encodes(json_t *msg, const char *want)
{
	size_t len;
	char *line;

	ck_assert_ptr_nonnull(msg);
	line = qmp_encode(msg, &len);
	json_decref(msg);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(len, strlen(want) + 2);
	ck_assert(!strncmp(line, want, strlen(want)));
	ck_assert_str_eq(line + strlen(want), "\r\n");
	free(line);
}

START_TEST(format_greeting)
{
	assert_encodes(qmp_format_greeting(),
		"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, "
		"\"major\": 0}, \"package\": \"memvisor\"}, "
		"\"capabilities\": []}}");
}
END_TEST

START_TEST(format_return_and_error)
{
	struct qmp_error err;
	json_t *id = json_string("abc");

	assert_encodes(qmp_format_return(json_object(), NULL),
		       "{\"return\": {}}");
	assert_encodes(qmp_format_return(json_integer(5), id),
		       "{\"return\": 5, \"id\": \"abc\"}");
	qmp_error_set(&err, QMP_ERROR_NOT_FOUND,
		      "The command %s has not been found", "nope");
	assert_encodes(qmp_format_error(&err, id),
		       "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		       "\"The command nope has not been found\"}, "
		       "\"id\": \"abc\"}");
	json_decref(id);
}
END_TEST

START_TEST(format_event)
{
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123456789 };
	json_t *data = json_pack("{s:s}", "device", "dimm1");

	assert_encodes(qmp_format_event("DEVICE_DELETED", data, &ts),
		       "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": "
		       "\"dimm1\"}, \"timestamp\": {\"seconds\": 1700000000, "
		       "\"microseconds\": 123456}}");
	assert_encodes(qmp_format_event("STOP", NULL, &ts),
		       "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": "
		       "1700000000, \"microseconds\": 123456}}");
	json_decref(data);
}
END_TEST

/* ------------------------------------------------------ socket session */

/* A blocking client connection with a line buffer. */
struct conn {
	int fd;
	char buf[8192];
	size_t len;
};

static void conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_int_eq(setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)),
			 0);
}

static void conn_send(struct conn *c, const char *text)
{
	ck_assert_int_eq(write(c->fd, text, strlen(text)),
			 (ssize_t)strlen(text));
}

/* Next message from the server (fails the test after 5 s). */
static json_t *conn_recv(struct conn *c)
{
	char *nl;
	ssize_t n;
	json_t *msg;

	while (!(nl = memchr(c->buf, '\n', c->len))) {
		ck_assert_uint_lt(c->len, sizeof(c->buf));
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		ck_assert_int_gt(n, 0);
		c->len += (size_t)n;
	}
	ck_assert(nl > c->buf && nl[-1] == '\r');
	msg = json_loadb(c->buf, (size_t)(nl - c->buf), 0, NULL);
	ck_assert_ptr_nonnull(msg);
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
	return msg;
}

/* Receive an error answer and check its class and desc. */
static void expect_error(struct conn *c, const char *class, const char *desc)
{
	json_t *msg = conn_recv(c), *e = json_object_get(msg, "error");

	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "class")), class);
	ck_assert_str_eq(json_string_value(json_object_get(e, "desc")), desc);
	json_decref(msg);
}

/* Receive a return answer; returns a new reference to its value. */
static json_t *expect_return(struct conn *c, json_int_t id)
{
	json_t *msg = conn_recv(c), *ret = json_object_get(msg, "return");

	ck_assert_ptr_nonnull(ret);
	if (id >= 0)
		ck_assert_int_eq(json_integer_value(json_object_get(msg, "id")),
				 id);
	json_incref(ret);
	json_decref(msg);
	return ret;
}

static json_t *echo_handler(void *opaque, json_t *args, struct qmp_error *err)
{
	atomic_fetch_add((atomic_int *)opaque, 1);
	return json_deep_copy(args);
}

static json_t *fail_handler(void *opaque, json_t *args, struct qmp_error *err)
{
	qmp_error_set(err, QMP_ERROR_DEVICE, "Device '%s' not found",
		      json_string_value(json_object_get(args, "id")));
	return NULL;
}

static bool has_command(json_t *list, const char *name)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if (!strcmp(json_string_value(json_object_get(item, "name")),
			    name))
			return true;
	return false;
}

/* Negotiation, commands, errors, framing over the wire. */
static void session_commands(struct conn *c, atomic_int *calls)
{
	json_t *ret, *greeting = conn_recv(c);

	ck_assert_ptr_nonnull(json_object_get(greeting, "QMP"));
	json_decref(greeting);
	conn_send(c, "{\"execute\": \"test-echo\"}\n");
	expect_error(c, "CommandNotFound",
		     "Expecting capabilities negotiation with 'qmp_capabilities'");
	conn_send(c, "{\"execute\": \"qmp_capabilities\", \"id\": 1}\r\n");
	json_decref(expect_return(c, 1));
	conn_send(c, "{\"execute\": \"test-echo\", \"arguments\": {\"x\": 7},"
		     " \"id\": 2}\n");
	ret = expect_return(c, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(ret, "x")), 7);
	json_decref(ret);
	ck_assert_int_eq(atomic_load(calls), 1);
	conn_send(c, "{\"execute\": \"nope\"}\n");
	expect_error(c, "CommandNotFound", "The command nope has not been found");
	conn_send(c, "{\"execute\": \"test-fail\", \"arguments\": {\"id\": \"d\"}}");
	expect_error(c, "DeviceNotFound", "Device 'd' not found");
	/* one request cut in two writes, then two in one write */
	conn_send(c, "{\"execute\": \"test-ec");
	usleep(20000);
	conn_send(c, "ho\", \"id\": 3}{\"execute\": \"query-commands\", "
		     "\"id\": 4} {\"execute\": \"qmp_capabilities\"}\n");
	json_decref(expect_return(c, 3));
	ret = expect_return(c, 4);
	ck_assert(has_command(ret, "test-echo") && has_command(ret, "quit") &&
		  has_command(ret, "qmp_capabilities"));
	json_decref(ret);
	expect_error(c, "CommandNotFound",
		     "Capabilities negotiation is already complete, command ignored");
	conn_send(c, "{\"execute\" 1}\n[]\n");
	expect_error(c, "GenericError",
		     "JSON parse error, ':' expected near '1'");
	expect_error(c, "GenericError", "QMP input must be a JSON object");
}

static void session_event(struct qmp_server *srv, struct conn *c)
{
	json_t *data = json_pack("{s:s}", "device", "dimm1"), *msg;

	qmp_emit_event(srv, "DEVICE_DELETED", data);
	json_decref(data);
	msg = conn_recv(c);
	ck_assert_str_eq(json_string_value(json_object_get(msg, "event")),
			 "DEVICE_DELETED");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(msg, "data"), "device")), "dimm1");
	ck_assert(json_integer_value(json_object_get(
		json_object_get(msg, "timestamp"), "seconds")) > 1600000000);
	json_decref(msg);
}

START_TEST(server_session)
{
	char dir[] = "/tmp/qmp-test-XXXXXX", path[64];
	struct qmp_server *srv, *other;
	struct conn c, idle;
	struct stat st;
	atomic_int calls = 0;
	int err = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	srv = qmp_server_create(path, &err);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(qmp_register(srv, "test-echo", echo_handler, &calls), 0);
	ck_assert_int_eq(qmp_register(srv, "test-echo", echo_handler, &calls),
			 -EEXIST);
	ck_assert_int_eq(qmp_register(srv, "test-fail", fail_handler, NULL), 0);
	ck_assert_int_eq(qmp_server_start(srv), 0);
	ck_assert_int_eq(qmp_register(srv, "quit", echo_handler, &calls), 0);
	other = qmp_server_create(path, &err);
	ck_assert_ptr_null(other);
	ck_assert_int_eq(err, -EADDRINUSE);

	conn_open(&idle, path);		/* never negotiates: gets no event */
	conn_open(&c, path);
	session_commands(&c, &calls);
	session_event(srv, &c);
	close(c.fd);
	close(idle.fd);
	qmp_server_destroy(srv);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(server_stale_socket)
{
	char dir[] = "/tmp/qmp-test-XXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct qmp_server *srv;
	int fd, err = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);			/* leaves a dead socket file */
	srv = qmp_server_create(path, &err);
	ck_assert_ptr_nonnull(srv);
	qmp_server_destroy(srv);	/* never started */
	ck_assert_int_eq(access(path, F_OK), -1);

	fd = creat(path, 0600);		/* a regular file is left alone */
	close(fd);
	ck_assert_ptr_null(qmp_server_create(path, &err));
	ck_assert_int_eq(err, -EEXIST);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *wire = tcase_create("wire");
	TCase *server = tcase_create("server");

	tcase_add_test(wire, stream_one_and_two_values);
	tcase_add_test(wire, stream_waits_for_cut_values);
	tcase_add_test(wire, stream_error_resyncs_at_next_line);
	tcase_add_test(wire, request_valid);
	tcase_add_test(wire, request_invalid);
	tcase_add_test(wire, format_greeting);
	tcase_add_test(wire, format_return_and_error);
	tcase_add_test(wire, format_event);
	tcase_add_test(server, server_session);
	tcase_add_test(server, server_stale_socket);
	tcase_set_timeout(server, 20);
	suite_add_tcase(s, wire);
	suite_add_tcase(s, server);
	return s;
}
