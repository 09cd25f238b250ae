/*
 * The benchmarks' one way to run a VMM (see bench_internal.h), and the
 * backends' command lines.
 *
 * A start makes three close-on-exec pipes: the child's stdin, its stdout
 * (stderr joins it) and a status pipe. The child moves its pipe ends above
 * fd 2 (a pipe may have been given fd 0, 1 or 2 if the parent had one of
 * them closed), puts itself in a process group of its own, asks for
 * SIGKILL when the parent dies, reads CLOCK_MONOTONIC just before exec and
 * hands it to the parent on the status pipe, followed by exec's errno if
 * exec fails. The parent sees EOF on the status pipe once exec succeeded.
 *
 * Invariant: a struct bench_child holds either nothing (pid 0, fds -1) or a
 * live child and exactly the two pipe ends the parent keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "tools/bench/bench_internal.h"
#include "vmm/util.h"

/* ------------------------------------------------------------ argv */

static void argv_push(struct bench_argv *a, char *s)
{
	if (!s && !a->err)
		a->err = -ENOMEM;
	if (s && a->n == BENCH_ARGV_MAX && !a->err)
		a->err = -E2BIG;
	if (!s || a->n == BENCH_ARGV_MAX) {
		free(s);
		return;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void bench_argv_add(struct bench_argv *a, ...)
{
	const char *s;
	va_list ap;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *)))
		argv_push(a, strdup(s));
	va_end(ap);
}

void bench_argv_addf(struct bench_argv *a, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	argv_push(a, s);
}

void bench_argv_free(struct bench_argv *a)
{
	unsigned int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	*a = (struct bench_argv){ .n = 0 };
}

/* ------------------------------------------------------------ the child */

double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* @fd, or a close-on-exec copy of it above 2. */
static int above_stdio(int fd)
{
	return fd > STDERR_FILENO ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* In the child: send @t0 (unless NULL: already sent) and @err to the
 * parent, and exit. */
static void __attribute__((noreturn))
child_fail(int status_fd, const double *t0, int err)
{
	if ((t0 && write(status_fd, t0, sizeof(*t0)) != sizeof(*t0)) ||
	    write(status_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* In the child: never returns. Every pipe end is close-on-exec. */
static void __attribute__((noreturn))
child_exec(char *const argv[], int in_fd, int out_fd, int status_fd)
{
	double t0 = 0;

	in_fd = above_stdio(in_fd);
	out_fd = above_stdio(out_fd);
	status_fd = above_stdio(status_fd);
	if (status_fd < 0)
		_exit(127);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (in_fd < 0 || out_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
		child_fail(status_fd, &t0, errno);
	t0 = bench_now_ms();
	if (write(status_fd, &t0, sizeof(t0)) != sizeof(t0))
		_exit(127);
	execvp(argv[0], argv);
	child_fail(status_fd, NULL, errno);
}

/* Read the child's t0, then EOF (exec done) or its errno. */
static int read_status(int fd, double *t0)
{
	ssize_t n;
	int err;

	do
		n = read(fd, t0, sizeof(*t0));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*t0))
		return -ECHILD;
	do
		n = read(fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	return n == sizeof(err) && err > 0 ? -err : -ECHILD;
}

int bench_child_stop(struct bench_child *ch)
{
	int status = 0;

	if (ch->pid > 0) {
		kill(-ch->pid, SIGKILL);
		kill(ch->pid, SIGKILL);
		while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	ch->pid = 0;
	close_fd(&ch->in_fd);
	close_fd(&ch->out_fd);
	return status;
}

static void close_pipes(int p[][2], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close_fd(&p[i][0]);
		close_fd(&p[i][1]);
	}
}

int bench_child_start(struct bench_child *ch, const struct bench_argv *a)
{
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, i, ret;

	*ch = (struct bench_child){ .pid = 0, .in_fd = -1, .out_fd = -1 };
	if (a->err || !a->n)
		return a->err ? a->err : -EINVAL;
	for (i = 0; i < 3; i++) {
		if (pipe2(p[i], O_CLOEXEC)) {
			ret = -errno;
			close_pipes(p, 3);
			return ret;
		}
	}
	ch->pid = fork();
	if (ch->pid == 0)
		child_exec(a->v, p[0][0], p[1][1], p[2][1]);
	if (ch->pid < 0) {
		ret = -errno;
		ch->pid = 0;
		close_pipes(p, 3);
		return ret;
	}
	setpgid(ch->pid, ch->pid);      /* as the child does: no race */
	ch->in_fd = p[0][1];
	ch->out_fd = p[1][0];
	p[0][1] = p[1][0] = -1;         /* ours now, in @ch */
	close_fd(&p[2][1]);             /* so that exec's EOF is seen */
	ret = read_status(p[2][0], &ch->t0_ms);
	close_pipes(p, 3);
	if (ret)
		bench_child_stop(ch);
	return ret;
}

ssize_t bench_child_read(struct bench_child *ch, char *buf, size_t len,
			 double deadline_ms)
{
	struct pollfd pfd = { .fd = ch->out_fd, .events = POLLIN };
	double left;
	ssize_t n;

	for (;;) {
		left = deadline_ms - bench_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left + 1) <= 0)
			continue;       /* EINTR, or the deadline: checked above */
		n = read(ch->out_fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		return n > 0 ? n : -EPIPE;
	}
}

int bench_child_write(struct bench_child *ch, const char *s)
{
	return write_all(ch->in_fd, s, strlen(s));
}

/* ------------------------------------------------------------ backends */

const char *const bench_backend_name[BENCH_NR_BACKENDS] = {
	[BENCH_MEMVISOR] = "memvisor",
	[BENCH_QEMU_KVM] = "qemu -accel kvm",
	[BENCH_QEMU_TCG] = "qemu -accel tcg",
};

void bench_backend_argv(struct bench_argv *a, enum bench_backend b,
			const struct bench_vm *vm)
{
	if (b == BENCH_MEMVISOR) {
		bench_argv_add(a, vm->self, "run", "--memory", vm->memory, NULL);
		if (vm->slots) {
			bench_argv_add(a, "--slots", NULL);
			bench_argv_addf(a, "%u", vm->slots);
			bench_argv_add(a, "--maxmem", vm->maxmem, NULL);
		}
		bench_argv_add(a, "--kernel", vm->kernel, NULL);
		if (vm->qmp)
			bench_argv_add(a, "--qmp", vm->qmp, NULL);
		if (vm->ksm)
			bench_argv_add(a, "--ksm", vm->ksm, NULL);
		if (vm->drive) {
			bench_argv_add(a, "--drive", NULL);
			bench_argv_addf(a, "file=%s", vm->drive);
		}
		return;
	}
	bench_argv_add(a, BENCH_QEMU, "-M", vm->mem_merge ? "pc,mem-merge=on" : "pc",
		       "-accel",
		       b == BENCH_QEMU_KVM ? "kvm" : "tcg", "-m", NULL);
	if (vm->slots)
		bench_argv_addf(a, "%s,slots=%u,maxmem=%s", vm->memory,
				vm->slots, vm->maxmem);
	else
		bench_argv_add(a, vm->memory, NULL);
	bench_argv_add(a, "-kernel", vm->kernel, "-serial", "stdio", "-display",
		       "none", "-no-reboot", "-nodefaults", NULL);
	if (vm->qmp) {
		bench_argv_add(a, "-qmp", NULL);
		bench_argv_addf(a, "unix:%s,server=on,wait=off", vm->qmp);
	}
	if (vm->balloon)
		bench_argv_add(a, "-device", "virtio-balloon-pci,id=balloon0", NULL);
	if (vm->drive) {
		bench_argv_add(a, "-drive", NULL);
		bench_argv_addf(a, "file=%s,if=virtio,format=raw", vm->drive);
	}
}

static bool on_path(const char *name)
{
	const char *path = getenv("PATH"), *end;
	char file[4096];
	int len;

	for (; path && *path; path = *end ? end + 1 : end) {
		end = strchrnul(path, ':');
		len = (int)(end - path);
		snprintf(file, sizeof(file), "%.*s/%s", len ? len : 1,
			 len ? path : ".", name);
		if (!access(file, X_OK))
			return true;
	}
	return false;
}

const char *bench_backend_skip(enum bench_backend b, bool no_qemu)
{
	bool qemu = b != BENCH_MEMVISOR;

	if (qemu && no_qemu)
		return "skipped (--no-qemu)";
	if (qemu && !on_path(BENCH_QEMU))
		return "skipped: " BENCH_QEMU " is not on PATH";
	if (b != BENCH_QEMU_TCG && access("/dev/kvm", R_OK | W_OK))
		return "skipped: /dev/kvm is missing or not accessible";
	return NULL;
}
