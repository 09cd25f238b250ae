/*
 * Console backends.
 *
 * stdio: output goes to stdout; a thread reads stdin. When stdin is a
 * terminal it is put in raw mode (restored on exit, including at process
 * exit through atexit) and Ctrl-a starts an escape as in QEMU: Ctrl-a x
 * quits, Ctrl-a Ctrl-a sends one Ctrl-a. On EOF of a pipe the thread just
 * ends; the guest keeps running.
 *
 * unix:PATH: a listening socket (mode 0600); one client at a time gets the
 * console, output with no client connected is dropped as in QEMU.
 *
 * The input thread polls its fd and a stop pipe, so destroy never waits on
 * a blocking read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/util.h"

#define CTRL_A 0x01

struct console {
	int in_fd;               /* stdin, or the connected client */
	int out_fd;              /* stdout, or the connected client (-1: none) */
	int listen_fd;           /* unix: the server socket, else -1 */
	char *path;              /* unix: socket path to unlink */
	int stop_pipe[2];
	bool raw;                /* stdin is a terminal in raw mode */
	bool escape;             /* saw Ctrl-a */
	struct console_sink sink;
	pthread_t thread;
	bool started;
	pthread_mutex_t out_lock;
};

static struct termios saved_tio;
static int saved_tio_fd = -1;

static void restore_terminal(void)
{
	if (saved_tio_fd >= 0)
		tcsetattr(saved_tio_fd, TCSANOW, &saved_tio);
	saved_tio_fd = -1;
}

static void enter_raw_mode(struct console *con)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio = saved_tio;
	cfmakeraw(&tio);
	tio.c_oflag |= OPOST | ONLCR;   /* keep "\n" -> "\r\n" on output */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) < 0)
		return;
	saved_tio_fd = STDIN_FILENO;
	atexit(restore_terminal);
	con->raw = true;
}

static int open_unix_listener(struct console *con, const char *path,
			      struct errmsg *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return errmsg_user(e, -ENAMETOOLONG, "--serial: socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(e, -errno, "--serial: socket: %s", strerror(errno));
	unlink(path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int err = errno;

		umask(old);
		close(fd);
		return errmsg_user(e, -err, "--serial: cannot listen on %s: %s", path,
				  strerror(err));
	}
	umask(old);
	con->listen_fd = fd;
	con->path = strdup(path);
	return 0;
}

struct console *console_create(const char *spec, struct errmsg *e)
{
	struct console *con = calloc(1, sizeof(*con));

	if (!con) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	con->in_fd = con->out_fd = con->listen_fd = -1;
	pthread_mutex_init(&con->out_lock, NULL);
	if (pipe2(con->stop_pipe, O_CLOEXEC) < 0) {
		errmsg_set(e, -errno, "pipe: %s", strerror(errno));
		free(con);
		return NULL;
	}
	if (!strcmp(spec, "stdio")) {
		con->in_fd = STDIN_FILENO;
		con->out_fd = STDOUT_FILENO;
	} else if (!strncmp(spec, "unix:", 5) && spec[5]) {
		if (open_unix_listener(con, spec + 5, e))
			goto err;
	} else {
		errmsg_user(e, -EINVAL, "--serial: expected stdio or unix:PATH, got '%s'", spec);
		goto err;
	}
	return con;
err:
	close(con->stop_pipe[0]);
	close(con->stop_pipe[1]);
	free(con);
	return NULL;
}

/* Apply the Ctrl-a escape to @buf in place; returns the bytes to forward. */
static size_t filter_escape(struct console *con, uint8_t *buf, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if (con->escape) {
			con->escape = false;
			if (c == 'x') {
				con->sink.quit(con->sink.opaque);
				return out;
			}
			if (c != CTRL_A)
				buf[out++] = CTRL_A;
		} else if (c == CTRL_A) {
			con->escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

static void set_client(struct console *con, int fd)
{
	pthread_mutex_lock(&con->out_lock);
	if (con->in_fd >= 0 && con->listen_fd >= 0)
		close(con->in_fd);
	con->in_fd = con->out_fd = fd;
	pthread_mutex_unlock(&con->out_lock);
}

/* Read what is there on the input fd; false when input is finished. */
static bool pump_input(struct console *con)
{
	uint8_t buf[4096];
	ssize_t n = read(con->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		if (con->listen_fd < 0)
			return false;       /* stdin closed: no more input */
		set_client(con, -1);        /* client left: wait for another */
		return true;
	}
	if (con->raw)
		n = filter_escape(con, buf, n);
	return n == 0 || con->sink.input(con->sink.opaque, buf, n);
}

static void *console_thread(void *arg)
{
	struct console *con = arg;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = con->stop_pipe[0], .events = POLLIN },
			{ .fd = con->in_fd >= 0 ? con->in_fd : con->listen_fd,
			  .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (!pfd[1].revents)
			continue;
		if (con->in_fd < 0) {
			int fd = accept4(con->listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0)
				set_client(con, fd);
		} else if (!pump_input(con)) {
			break;
		}
	}
	return NULL;
}

int console_start(struct console *con, const struct console_sink *sink)
{
	int ret;

	con->sink = *sink;
	if (con->listen_fd < 0)
		enter_raw_mode(con);
	ret = pthread_create(&con->thread, NULL, console_thread, con);
	if (ret)
		return -ret;
	con->started = true;
	return 0;
}

void console_write(struct console *con, const void *buf, size_t n)
{
	pthread_mutex_lock(&con->out_lock);
	if (con->out_fd >= 0)   /* on failure the console is gone: drop, as a UART would */
		write_all(con->out_fd, buf, n);
	pthread_mutex_unlock(&con->out_lock);
}

void console_destroy(struct console *con)
{
	if (!con)
		return;
	if (con->started) {
		if (write(con->stop_pipe[1], "x", 1) < 0)
			perror("console stop");
		pthread_join(con->thread, NULL);
	}
	restore_terminal();
	if (con->listen_fd >= 0) {
		set_client(con, -1);
		close(con->listen_fd);
		unlink(con->path);
	}
	free(con->path);
	close(con->stop_pipe[0]);
	close(con->stop_pipe[1]);
	pthread_mutex_destroy(&con->out_lock);
	free(con);
}
