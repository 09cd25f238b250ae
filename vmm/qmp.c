/*
 * QMP server: QEMU's Machine Protocol over a unix socket.
 *
 * The wire format (stream framing, request validation, message formatting)
 * is pure and lives in qmp_wire.c; this file is the server around it,
 * ordered from client output and events to command dispatch, client input,
 * the poll loop, and the entry points.
 *
 * Data structures. A struct qmp_server owns the listening socket, an eventfd
 * that wakes its thread (to stop it, or to poll a client for POLLOUT after
 * another thread queued output), the table of registered commands and a
 * singly linked list of clients. Each client has an input buffer (bytes not
 * yet framed into a JSON value) and an output buffer (encoded lines not yet
 * written: the socket is non-blocking, so a client that does not read never
 * stalls the QMP thread or a vCPU thread emitting an event; past
 * QMP_MAX_OUTPUT it is disconnected).
 *
 * Protocol state. A client starts in capabilities negotiation mode: only
 * "qmp_capabilities" is accepted. Once its answer is queued the client is
 * "negotiated": it may run every command and receives events. Its answer is
 * queued before the flag is set, under the lock, so no event can overtake it.
 *
 * Locking. srv->lock protects the client list links, every client's output
 * buffer and negotiated flag, and the command table. Only the QMP thread
 * adds or removes clients and touches input buffers, so it may walk the list
 * and read the flags it alone writes without the lock. A client's "dead"
 * flag is atomic: any thread that finds the client gone sets it, and the QMP
 * thread closes it. Handlers run without the lock (they may emit events).
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "vmm/qmp.h"

#define QMP_READ_CHUNK		4096
#define QMP_MAX_INPUT		(1u << 20)	/* bytes of one unfinished value */
#define QMP_MAX_OUTPUT		(8u << 20)	/* unread output before dropping */
#define QMP_BACKLOG		16

/* A growable byte buffer; bytes [0, len) are valid. */
struct qmp_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* A registered command. */
struct qmp_command {
	char *name;
	qmp_handler_fn fn;
	void *opaque;
};

struct qmp_client {
	int fd;
	bool negotiated;	/* capabilities negotiated (lock to write) */
	bool negotiating;	/* qmp_capabilities answered, not yet sent */
	atomic_bool dead;	/* to be closed by the QMP thread */
	struct qmp_buf in;	/* QMP thread only */
	struct qmp_buf out;	/* under srv->lock */
	struct qmp_client *next;
};

struct qmp_server {
	char *path;		/* socket path, unlinked on destroy */
	dev_t sock_dev;		/* identity of the socket file we bound */
	ino_t sock_ino;
	int listen_fd;
	int wake_fd;		/* eventfd: stop, or output queued */
	pthread_t thread;
	bool started;
	atomic_bool stopping;
	pthread_mutex_t lock;
	struct qmp_client *clients;
	struct qmp_command *cmds;
	size_t nr_cmds;
	size_t cap_cmds;
};

/* ------------------------------------------------------- buffers, output */

static int buf_append(struct qmp_buf *b, const char *p, size_t n, size_t max)
{
	size_t cap = b->cap ? b->cap : QMP_READ_CHUNK;
	char *data;

	if (b->len + n > max)
		return -ENOBUFS;
	while (cap < b->len + n)
		cap *= 2;
	if (cap != b->cap) {
		data = realloc(b->data, cap);
		if (!data)
			return -ENOMEM;
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static void buf_consume(struct qmp_buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

static void qmp_wake(struct qmp_server *srv)
{
	uint64_t one = 1;

	if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
		/* counter saturated: the thread is awake anyway */
	}
}

/* Write what the socket takes now. Caller holds srv->lock. */
static void __client_flush(struct qmp_client *c)
{
	ssize_t n;

	while (c->out.len && !c->dead) {
		n = send(c->fd, c->out.data, c->out.len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->dead = true;
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
}

/* Queue one encoded line and try to send it. Caller holds srv->lock. */
static void __client_write(struct qmp_client *c, const char *line,
			   size_t len)
{
	if (c->dead)
		return;
	if (buf_append(&c->out, line, len, QMP_MAX_OUTPUT))
		c->dead = true;
	else
		__client_flush(c);
}

/* Send @msg (stolen) to @c, from the QMP thread. */
static void client_send(struct qmp_server *srv, struct qmp_client *c,
			json_t *msg)
{
	size_t len;
	char *line = msg ? qmp_encode(msg, &len) : NULL;

	json_decref(msg);
	pthread_mutex_lock(&srv->lock);
	if (line)
		__client_write(c, line, len);
	else
		c->dead = true;
	if (c->negotiating) {
		c->negotiating = false;
		c->negotiated = true;
	}
	pthread_mutex_unlock(&srv->lock);
	free(line);
}

void qmp_emit_event(struct qmp_server *srv, const char *event, json_t *data)
{
	struct qmp_client *c;
	struct timespec ts;
	json_t *msg;
	char *line;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	msg = qmp_format_event(event, data, &ts);
	line = msg ? qmp_encode(msg, &len) : NULL;
	json_decref(msg);
	if (!line)
		return;
	pthread_mutex_lock(&srv->lock);
	for (c = srv->clients; c; c = c->next)
		if (c->negotiated)
			__client_write(c, line, len);
	pthread_mutex_unlock(&srv->lock);
	free(line);
	qmp_wake(srv);
}

/* ------------------------------------------------------------- dispatch */

static json_t *cmd_capabilities(struct qmp_client *c, json_t *args,
				struct qmp_error *err)
{
	json_t *enable = args ? json_object_get(args, "enable") : NULL;
	const char *key;
	json_t *val;

	if (c->negotiated) {
		qmp_error_set(err, QMP_ERROR_NOT_FOUND,
			"Capabilities negotiation is already complete, command ignored");
		return NULL;
	}
	json_object_foreach(args, key, val) {
		if (strcmp(key, "enable")) {
			qmp_error_set(err, QMP_ERROR_GENERIC,
				      "Parameter '%s' is unexpected", key);
			return NULL;
		}
	}
	if (enable && (!json_is_array(enable) || json_array_size(enable))) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "Capability '%s' not available",
			      json_string_value(json_array_get(enable, 0)) ?:
			      "?");
		return NULL;
	}
	c->negotiating = true;
	return json_object();
}

static json_t *cmd_query_commands(struct qmp_server *srv)
{
	json_t *list = json_pack("[{s:s},{s:s}]", "name", "qmp_capabilities",
				 "name", "query-commands");
	size_t i;

	pthread_mutex_lock(&srv->lock);
	for (i = 0; list && i < srv->nr_cmds; i++)
		json_array_append_new(list, json_pack("{s:s}", "name",
						      srv->cmds[i].name));
	pthread_mutex_unlock(&srv->lock);
	return list;
}

static bool is_builtin(const char *name)
{
	return !strcmp(name, "qmp_capabilities") ||
	       !strcmp(name, "query-commands");
}

/* Caller holds srv->lock. */
static struct qmp_command *__cmd_find(struct qmp_server *srv,
				      const char *name)
{
	size_t i;

	for (i = 0; i < srv->nr_cmds; i++)
		if (!strcmp(srv->cmds[i].name, name))
			return &srv->cmds[i];
	return NULL;
}

static json_t *run_registered(struct qmp_server *srv,
			      const struct qmp_request *req,
			      struct qmp_error *err)
{
	struct qmp_command *cmd, found = { 0 };
	json_t *args, *ret;

	pthread_mutex_lock(&srv->lock);
	cmd = __cmd_find(srv, req->execute);
	if (cmd)
		found = *cmd;
	pthread_mutex_unlock(&srv->lock);
	if (!found.fn) {
		qmp_error_set(err, QMP_ERROR_NOT_FOUND,
			      "The command %s has not been found", req->execute);
		return NULL;
	}
	args = req->args ? json_incref(req->args) : json_object();
	ret = found.fn(found.opaque, args, err);
	json_decref(args);
	if (!ret && !err->class[0])
		qmp_error_set(err, QMP_ERROR_GENERIC, "Command %s failed",
			      req->execute);
	return ret;
}

static json_t *execute(struct qmp_server *srv, struct qmp_client *c,
		       const struct qmp_request *req, struct qmp_error *err)
{
	if (!strcmp(req->execute, "qmp_capabilities"))
		return cmd_capabilities(c, req->args, err);
	if (!c->negotiated) {
		qmp_error_set(err, QMP_ERROR_NOT_FOUND,
			"Expecting capabilities negotiation with 'qmp_capabilities'");
		return NULL;
	}
	if (!strcmp(req->execute, "query-commands"))
		return cmd_query_commands(srv);
	return run_registered(srv, req, err);
}

/* Answer one request (@msg borrowed). */
static void client_handle(struct qmp_server *srv, struct qmp_client *c,
			  json_t *msg)
{
	struct qmp_error err = { { 0 }, { 0 } };
	struct qmp_request req;
	json_t *ret = NULL;

	if (!qmp_request_parse(msg, &req, &err))
		ret = execute(srv, c, &req, &err);
	if (ret)
		client_send(srv, c, qmp_format_return(ret, req.id));
	else
		client_send(srv, c, qmp_format_error(&err, req.id));
}

/* ---------------------------------------------------------- client input */

/* Frame and answer every complete value in the input buffer. */
static void client_process(struct qmp_server *srv, struct qmp_client *c)
{
	struct qmp_error err = { { 0 }, { 0 } };
	json_t *msg;
	size_t used;
	int ret;

	while (!c->dead && c->in.len) {
		ret = qmp_stream_next(c->in.data, c->in.len, &used, &msg, &err);
		buf_consume(&c->in, used);
		if (ret == 0)
			return;
		if (ret < 0) {
			client_send(srv, c, qmp_format_error(&err, NULL));
			continue;
		}
		client_handle(srv, c, msg);
		json_decref(msg);
	}
}

static void client_read(struct qmp_server *srv, struct qmp_client *c)
{
	struct qmp_error err;
	char chunk[QMP_READ_CHUNK];
	ssize_t n = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		c->dead = true;		/* EOF or error: only we read it */
		return;
	}
	if (buf_append(&c->in, chunk, (size_t)n, QMP_MAX_INPUT)) {
		c->in.len = 0;
		qmp_error_set(&err, QMP_ERROR_GENERIC,
			      "JSON parse error, input too long");
		client_send(srv, c, qmp_format_error(&err, NULL));
		return;
	}
	client_process(srv, c);
}

/* Free an unlinked client, sending what the socket takes of its output
 * (the answer to "quit", say) on the way. */
static void client_free(struct qmp_client *c)
{
	__client_flush(c);
	close(c->fd);
	free(c->in.data);
	free(c->out.data);
	free(c);
}

static void client_accept(struct qmp_server *srv)
{
	struct qmp_client *c;
	int fd = accept4(srv->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	pthread_mutex_lock(&srv->lock);
	c->next = srv->clients;
	srv->clients = c;
	pthread_mutex_unlock(&srv->lock);
	client_send(srv, c, qmp_format_greeting());
}

/* Unlink and free every dead client (all of them if @all). */
static void reap_clients(struct qmp_server *srv, bool all)
{
	struct qmp_client **pp, *c, *dead = NULL;

	pthread_mutex_lock(&srv->lock);
	for (pp = &srv->clients; (c = *pp);) {
		if (c->dead || all) {
			*pp = c->next;
			c->next = dead;
			dead = c;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	while ((c = dead)) {
		dead = c->next;
		client_free(c);
	}
}

/* ------------------------------------------------------------ poll loop */

/* Poll set: [0] wake_fd, [1] listener, then one entry per client, in
 * @who. Grows the arrays as needed; returns the count, or -ENOMEM. */
static int build_pollset(struct qmp_server *srv, struct pollfd **pfds,
			 struct qmp_client ***who, size_t *cap)
{
	struct qmp_client *c;
	size_t n = 2;

	pthread_mutex_lock(&srv->lock);
	for (c = srv->clients; c; c = c->next)
		n++;
	if (n > *cap) {
		struct pollfd *p = realloc(*pfds, n * sizeof(**pfds));
		struct qmp_client **w = p ? realloc(*who, n * sizeof(**who)) :
					    NULL;

		if (p)
			*pfds = p;
		if (!p || !w) {
			pthread_mutex_unlock(&srv->lock);
			return -ENOMEM;
		}
		*who = w;
		*cap = n;
	}
	(*pfds)[0] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
	(*pfds)[1] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
	for (n = 2, c = srv->clients; c; c = c->next, n++) {
		(*who)[n] = c;
		(*pfds)[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN |
					      (c->out.len ? POLLOUT : 0) };
	}
	pthread_mutex_unlock(&srv->lock);
	return (int)n;
}

static void handle_events(struct qmp_server *srv, struct pollfd *pfds,
			  struct qmp_client **who, int n)
{
	uint64_t count;
	int i;

	if ((pfds[0].revents & POLLIN) &&
	    read(srv->wake_fd, &count, sizeof(count)) < 0) {
		/* nothing pending: spurious */
	}
	for (i = 2; i < n; i++) {
		if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
			client_read(srv, who[i]);
		if (pfds[i].revents & POLLOUT) {
			pthread_mutex_lock(&srv->lock);
			__client_flush(who[i]);
			pthread_mutex_unlock(&srv->lock);
		}
	}
	if (pfds[1].revents & POLLIN)
		client_accept(srv);
	reap_clients(srv, false);
}

static void *qmp_thread(void *arg)
{
	struct qmp_server *srv = arg;
	struct qmp_client **who = NULL;
	struct pollfd *pfds = NULL;
	size_t cap = 0;
	int n;

	while (!atomic_load(&srv->stopping)) {
		n = build_pollset(srv, &pfds, &who, &cap);
		if (n < 0) {
			poll(NULL, 0, 100);	/* out of memory: back off */
			continue;
		}
		if (poll(pfds, (nfds_t)n, -1) < 0)
			continue;		/* EINTR */
		handle_events(srv, pfds, who, n);
	}
	free(pfds);
	free(who);
	return NULL;
}

/* --------------------------------------------------------- entry points */

/* Remove @sa's file if it is a socket nobody listens on. 0 or -errno. */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret = 0;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		ret = -EADDRINUSE;
	else if (errno == EAGAIN)
		ret = -EADDRINUSE;	/* alive, with a full backlog */
	else if (errno != ECONNREFUSED)
		ret = -errno;
	else if (unlink(sa->sun_path) && errno != ENOENT)
		ret = -errno;
	close(fd);
	return ret;
}

/* Bind and listen on srv->path with mode 0600. 0 or -errno. */
static int open_listener(struct qmp_server *srv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (strlen(srv->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, srv->path);
	ret = remove_stale(&sa);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The mode the socket inode has at bind() is the file's mode. */
	if (fchmod(fd, 0600) || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	if (chmod(srv->path, 0600) || lstat(srv->path, &st) ||
	    listen(fd, QMP_BACKLOG))
		goto fail_unlink;
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	srv->listen_fd = fd;
	return 0;
fail_unlink:
	ret = -errno;
	unlink(srv->path);
	close(fd);
	return ret;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

struct qmp_server *qmp_server_create(const char *path, int *err)
{
	struct qmp_server *srv = calloc(1, sizeof(*srv));
	int ret = -ENOMEM;

	if (!srv || !(srv->path = strdup(path)))
		goto fail;
	srv->listen_fd = -1;
	srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->wake_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = open_listener(srv);
	if (ret)
		goto fail_wake;
	pthread_mutex_init(&srv->lock, NULL);
	atomic_init(&srv->stopping, false);
	return srv;
fail_wake:
	close(srv->wake_fd);
fail:
	if (srv)
		free(srv->path);
	free(srv);
	if (err)
		*err = ret;
	return NULL;
}

int qmp_server_start(struct qmp_server *srv)
{
	sigset_t all, old;
	int ret;

	if (srv->started)
		return -EBUSY;
	/* The thread takes no signals: they belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&srv->thread, NULL, qmp_thread, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ret)
		srv->started = true;
	return ret;
}

/* Unlink the socket file if it is still the one we bound. */
static void unlink_socket(struct qmp_server *srv)
{
	struct stat st;

	if (!lstat(srv->path, &st) && st.st_dev == srv->sock_dev &&
	    st.st_ino == srv->sock_ino)
		unlink(srv->path);
}

void qmp_server_destroy(struct qmp_server *srv)
{
	size_t i;

	if (!srv)
		return;
	if (srv->started) {
		atomic_store(&srv->stopping, true);
		qmp_wake(srv);
		pthread_join(srv->thread, NULL);
	}
	reap_clients(srv, true);
	for (i = 0; i < srv->nr_cmds; i++)
		free(srv->cmds[i].name);
	free(srv->cmds);
	unlink_socket(srv);
	close(srv->listen_fd);
	close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	free(srv->path);
	free(srv);
}

int qmp_register(struct qmp_server *srv, const char *name, qmp_handler_fn fn,
		 void *opaque)
{
	struct qmp_command *cmds;
	char *copy;
	int ret = 0;

	if (!name || !*name || !fn)
		return -EINVAL;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&srv->lock);
	if (is_builtin(name) || __cmd_find(srv, name)) {
		ret = -EEXIST;
	} else if (srv->nr_cmds == srv->cap_cmds) {
		cmds = realloc(srv->cmds, (srv->cap_cmds * 2 + 8) *
				sizeof(*cmds));
		if (cmds) {
			srv->cmds = cmds;
			srv->cap_cmds = srv->cap_cmds * 2 + 8;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret)
		srv->cmds[srv->nr_cmds++] = (struct qmp_command){
			.name = copy, .fn = fn, .opaque = opaque };
	pthread_mutex_unlock(&srv->lock);
	if (ret)
		free(copy);
	return ret;
}
