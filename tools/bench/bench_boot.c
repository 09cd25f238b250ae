/*
 * `memvisor bench boot`: how long the guest takes to boot, on memvisor and
 * on QEMU with -accel kvm and -accel tcg, all booting the same guest.elf.
 *
 * A run forks, and the child execs the VMM with its stdin and stdout on
 * pipes (stderr joins stdout), its own process group, and SIGKILL as its
 * parent-death signal so that an interrupted benchmark leaves nothing
 * behind. The child reads CLOCK_MONOTONIC just before exec and hands the
 * time to the parent through a close-on-exec status pipe, which also
 * carries exec's errno if exec fails. The parent assembles the console into
 * lines, stops the clock when a line contains BENCH_READY_LINE, and kills
 * the process group. A run that times out or ends early is recorded as
 * such, and the backend's remaining runs are skipped: they would fail alike.
 *
 * The statistics (median, min, max) are a pure function, unit-tested in
 * tests/unit/test_bench.c with bench_run_once on small shell scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "tools/bench/bench.h"
#include "vmm/util.h"

#define BENCH_DEFAULT_RUNS	10
#define BENCH_DEFAULT_MEMORY	"256M"
#define BENCH_DEFAULT_TIMEOUT	120		/* seconds, per run */
#define BENCH_MAX_RUNS		1000
#define QEMU_BINARY		"qemu-system-x86_64"

/* The options of `bench boot`. */
struct bench_opts {
	unsigned long runs;
	unsigned long timeout_s;
	char memory[32];	/* canonical size, e.g. "256M" */
	char *kernel;		/* allocated */
	bool no_qemu;
};

/* The backends, one row each, memvisor first (the ratios' reference). */
enum bench_backend { BENCH_MEMVISOR, BENCH_QEMU_KVM, BENCH_QEMU_TCG,
		     BENCH_NR_BACKENDS };

static const char *const backend_name[BENCH_NR_BACKENDS] = {
	[BENCH_MEMVISOR] = "memvisor",
	[BENCH_QEMU_KVM] = "qemu -accel kvm",
	[BENCH_QEMU_TCG] = "qemu -accel tcg",
};

/* One backend's results. */
struct bench_row {
	double *ms;		/* samples of the runs that reached ready */
	unsigned ok;		/* how many did */
	bool ran;		/* false: skipped, see note */
	char note[320];		/* why the row is skipped or short */
	struct bench_stats st;	/* valid if ok > 0 */
};

/* A started run. */
struct bench_child {
	pid_t pid;
	int in_fd;		/* its stdin, held open and never written */
	int out_fd;		/* its stdout and stderr */
	struct timespec t0;	/* CLOCK_MONOTONIC just before exec */
};

/* The console, assembled into lines. */
struct bench_console {
	char line[256];
	size_t len;
	char last[128];		/* last non-empty complete line */
};

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int bench_stats_compute(const double *samples, size_t n,
			struct bench_stats *st)
{
	double *s;

	if (!n)
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st->min = s[0];
	st->max = s[n - 1];
	st->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return 0;
}

/* ------------------------------------------------------------ one run */

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* In the child: never returns. Every pipe end is close-on-exec. */
static void __attribute__((noreturn))
child_exec(char *const argv[], int in_fd, int out_fd, int status_fd)
{
	struct timespec t0 = { 0 };
	int err;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write(status_fd, &t0, sizeof(t0)) != sizeof(t0))
		_exit(127);
	execvp(argv[0], argv);
	err = errno;
	if (write(status_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
fail:
	err = errno;
	if (write(status_fd, &t0, sizeof(t0)) < 0 ||
	    write(status_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Read the child's t0, then EOF (exec done) or exec's errno. */
static int read_status(int fd, struct timespec *t0)
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

/* Kill @ch's process group, reap it, close its pipes; its wait status. */
static int child_stop(struct bench_child *ch)
{
	int status = 0;

	kill(-ch->pid, SIGKILL);
	kill(ch->pid, SIGKILL);
	while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(ch->in_fd);
	close(ch->out_fd);
	return status;
}

static void close_pipes(int p[][2], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
}

/* Fork and exec @argv: pipes p[0] stdin, p[1] stdout, p[2] status. */
static int child_start(char *const argv[], struct bench_child *ch)
{
	int p[3][2], i, ret;

	for (i = 0; i < 3; i++) {
		if (pipe2(p[i], O_CLOEXEC)) {
			ret = -errno;
			close_pipes(p, i);
			return ret;
		}
	}
	ch->pid = fork();
	if (ch->pid == 0)
		child_exec(argv, p[0][0], p[1][1], p[2][1]);
	if (ch->pid < 0) {
		ret = -errno;
		close_pipes(p, 3);
		return ret;
	}
	setpgid(ch->pid, ch->pid);	/* as the child does: no race */
	close(p[0][0]);
	close(p[1][1]);
	close(p[2][1]);
	ch->in_fd = p[0][1];
	ch->out_fd = p[1][0];
	ret = read_status(p[2][0], &ch->t0);
	close(p[2][0]);
	if (ret)
		child_stop(ch);
	return ret;
}

/* End the current line; true if it is the ready line. */
static bool console_eol(struct bench_console *con)
{
	bool ready;

	while (con->len && con->line[con->len - 1] == '\r')
		con->len--;
	con->line[con->len] = '\0';
	ready = strstr(con->line, BENCH_READY_LINE) != NULL;
	if (con->len)
		snprintf(con->last, sizeof(con->last), "%.*s",
			 (int)sizeof(con->last) - 1, con->line);
	con->len = 0;
	return ready;
}

/* Add @n bytes of console output; true once the ready line is complete. */
static bool console_feed(struct bench_console *con, const char *p, size_t n)
{
	const size_t half = sizeof(con->line) / 2;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (console_eol(con))
				return true;
			continue;
		}
		if (con->len == sizeof(con->line) - 1) {
			/* an overlong line: keep its tail */
			memmove(con->line, con->line + half, con->len - half);
			con->len -= half;
		}
		con->line[con->len++] = p[i];
	}
	return false;
}

/* Read @ch's console until the ready line, EOF or the deadline. */
static int wait_ready(struct bench_child *ch, unsigned timeout_ms,
		      struct bench_console *con, double *ms)
{
	struct pollfd pfd = { .fd = ch->out_fd, .events = POLLIN };
	struct timespec now;
	char buf[4096];
	double left;
	ssize_t n;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ms_between(&ch->t0, &now);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left + 1) <= 0)
			continue;	/* EINTR, or the deadline: checked above */
		n = read(ch->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (console_feed(con, buf, (size_t)n)) {
			*ms = ms_between(&ch->t0, &now);
			return 0;
		}
	}
}

int bench_run_once(char *const argv[], unsigned timeout_ms,
		   struct bench_result *res)
{
	struct bench_console con = { .len = 0 };
	struct bench_child ch;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = child_start(argv, &ch);
	if (ret)
		return ret;
	ret = wait_ready(&ch, timeout_ms, &con, &res->ms);
	if (con.len)			/* an unfinished last line counts */
		console_eol(&con);
	snprintf(res->last_line, sizeof(res->last_line), "%s", con.last);
	res->status = child_stop(&ch);
	return ret;
}

/* ------------------------------------------------------------ backends */

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

/* Fill @argv (16 slots) with the command line of backend @b. */
static void backend_argv(enum bench_backend b, const struct bench_opts *o,
			 const char *self_path, char *argv[16])
{
	const char *const memvisor[] = { self_path, "run", "--memory",
		o->memory, "--kernel", o->kernel, NULL };
	const char *const qemu[] = { QEMU_BINARY, "-M", "pc", "-accel",
		b == BENCH_QEMU_KVM ? "kvm" : "tcg", "-m", o->memory,
		"-kernel", o->kernel, "-serial", "stdio", "-display", "none",
		"-no-reboot", "-nodefaults", NULL };
	const char *const *src = b == BENCH_MEMVISOR ? memvisor : qemu;
	int i;

	for (i = 0; src[i] && i < 15; i++)
		argv[i] = (char *)src[i];
	argv[i] = NULL;
}

/* Why backend @b cannot run here, or NULL if it can. */
static const char *backend_skip(enum bench_backend b,
				const struct bench_opts *o)
{
	bool qemu = b != BENCH_MEMVISOR;

	if (qemu && o->no_qemu)
		return "skipped (--no-qemu)";
	if (qemu && !on_path(QEMU_BINARY))
		return "skipped: " QEMU_BINARY " is not on PATH";
	if (b != BENCH_QEMU_TCG && access("/dev/kvm", R_OK | W_OK))
		return "skipped: /dev/kvm is missing or not accessible";
	return NULL;
}

/* Say in @row->note why run @i (1-based) of @argv0 ended as @ret. */
static void row_failed(struct bench_row *row, unsigned i, int ret,
		       const struct bench_result *res,
		       const struct bench_opts *o, const char *argv0)
{
	char how[64];

	if (WIFSIGNALED(res->status) && WTERMSIG(res->status) != SIGKILL)
		snprintf(how, sizeof(how), "killed by signal %d",
			 WTERMSIG(res->status));
	else
		snprintf(how, sizeof(how), "exit status %d",
			 WIFEXITED(res->status) ? WEXITSTATUS(res->status) : 0);
	if (ret == -ETIMEDOUT)
		snprintf(row->note, sizeof(row->note),
			 "run %u: timeout, no ready line after %lu s", i,
			 o->timeout_s);
	else if (ret == -EPIPE)
		snprintf(row->note, sizeof(row->note),
			 "run %u: ended before the ready line (%s)", i, how);
	else
		snprintf(row->note, sizeof(row->note), "run %u: cannot run %s: %s",
			 i, argv0, strerror(-ret));
	if (res->last_line[0] && ret != -ETIMEDOUT)
		snprintf(row->note + strlen(row->note),
			 sizeof(row->note) - strlen(row->note),
			 "; last output: %s", res->last_line);
	if (i < o->runs)
		snprintf(row->note + strlen(row->note),
			 sizeof(row->note) - strlen(row->note),
			 "; remaining runs skipped");
}

/* Run backend @b o->runs times into @row. 0 or -ENOMEM. */
static int row_run(enum bench_backend b, const struct bench_opts *o,
		   const char *self_path, struct bench_row *row)
{
	struct bench_result res;
	char *argv[16];
	unsigned i;
	int ret;

	backend_argv(b, o, self_path, argv);
	row->ms = calloc(o->runs, sizeof(*row->ms));
	if (!row->ms)
		return -ENOMEM;
	row->ran = true;
	for (i = 1; i <= o->runs; i++) {
		ret = bench_run_once(argv, (unsigned)o->timeout_s * 1000, &res);
		if (ret) {
			row_failed(row, i, ret, &res, o, argv[0]);
			fprintf(stderr, "  %-16s %s\n", backend_name[b],
				row->note);
			break;
		}
		row->ms[row->ok++] = res.ms;
		fprintf(stderr, "  %-16s run %u/%lu: %.1f ms\n",
			backend_name[b], i, o->runs, res.ms);
	}
	if (row->ok)
		bench_stats_compute(row->ms, row->ok, &row->st);
	return 0;
}

/* ------------------------------------------------------------ report */

static void print_table(const struct bench_row *rows,
			const struct bench_opts *o)
{
	const struct bench_row *ref = &rows[BENCH_MEMVISOR];
	char ratio[16];
	int b;

	printf("\n%-16s %7s %10s %10s %10s %12s\n", "backend", "runs",
	       "median ms", "min ms", "max ms", "vs memvisor");
	for (b = 0; b < BENCH_NR_BACKENDS; b++) {
		const struct bench_row *r = &rows[b];

		if (!r->ok) {
			printf("%-16s %7s %10s %10s %10s %12s\n",
			       backend_name[b], r->ran ? "0" : "-", "-", "-",
			       "-", "-");
			continue;
		}
		snprintf(ratio, sizeof(ratio), "-");
		if (ref->ok && ref->st.median > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx",
				 r->st.median / ref->st.median);
		printf("%-16s %7u %10.1f %10.1f %10.1f %12s\n",
		       backend_name[b], r->ok, r->st.median,
		       r->st.min, r->st.max, ratio);
	}
	for (b = 0; b < BENCH_NR_BACKENDS; b++)
		if (rows[b].note[0])
			printf("note: %s: %s\n", backend_name[b], rows[b].note);
	printf("Boot time is from exec to the console line \"%s\".\n"
	       "\"vs memvisor\" is the median's ratio (higher is slower).\n",
	       BENCH_READY_LINE);
}

static int bench_boot(const struct bench_opts *o, const char *self_path)
{
	struct bench_row rows[BENCH_NR_BACKENDS];
	const char *skip;
	int b, ret = 0;

	if (access(o->kernel, R_OK)) {
		fprintf(stderr, "memvisor bench: cannot read kernel %s: %s\n",
			o->kernel, strerror(errno));
		return EXIT_FAILURE;
	}
	memset(rows, 0, sizeof(rows));
	printf("boot benchmark: %s, %s of memory, %lu runs, %lu s timeout\n",
	       o->kernel, o->memory, o->runs, o->timeout_s);
	fflush(stdout);
	for (b = 0; b < BENCH_NR_BACKENDS && !ret; b++) {
		skip = backend_skip(b, o);
		if (skip)
			snprintf(rows[b].note, sizeof(rows[b].note), "%s", skip);
		else
			ret = row_run(b, o, self_path, &rows[b]);
	}
	if (!ret)
		print_table(rows, o);
	for (b = 0; b < BENCH_NR_BACKENDS; b++)
		free(rows[b].ms);
	if (ret) {
		fprintf(stderr, "memvisor bench: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	/* memvisor's own row must work wherever it can run. */
	return rows[0].ran && !rows[0].ok ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	if (!f)
		return;
	fprintf(f,
		"usage: memvisor bench boot [--runs N] [--memory SIZE] "
		"[--kernel PATH]\n"
		"                           [--timeout SECONDS] [--no-qemu]\n"
		"  Boot the guest N times (default %d) on memvisor, on QEMU "
		"-accel kvm\n"
		"  and on QEMU -accel tcg; report the boot times. The kernel "
		"defaults\n"
		"  to guest.elf next to the memvisor binary; memory to %s; "
		"timeout\n"
		"  to %d s per run.\n",
		BENCH_DEFAULT_RUNS, BENCH_DEFAULT_MEMORY, BENCH_DEFAULT_TIMEOUT);
}

/* Validate a size and store it in QEMU's -m form (a whole number of MiB). */
static int set_memory(struct bench_opts *o, const char *arg)
{
	uint64_t bytes;

	if (parse_size(arg, 20, &bytes) || !bytes || bytes % (1u << 20)) {
		fprintf(stderr, "memvisor bench: --memory %s: expected a size "
			"in whole MiB, such as 256M or 1G\n", arg);
		return -EINVAL;
	}
	format_size(bytes, o->memory, sizeof(o->memory));
	return 0;
}

static int set_number(unsigned long *out, const char *arg, const char *name,
		      unsigned long max)
{
	if (parse_uint(arg, 1, max, out)) {
		fprintf(stderr, "memvisor bench: --%s %s: expected a number "
			"from 1 to %lu\n", name, arg, max);
		return -EINVAL;
	}
	return 0;
}

static const struct option bench_longopts[] = {
	{ "runs", required_argument, NULL, 'r' },
	{ "memory", required_argument, NULL, 'm' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "timeout", required_argument, NULL, 't' },
	{ "no-qemu", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse `boot`'s options into @o. 0, 1 if help was printed, or -EINVAL. */
static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	int c, ret = 0;

	optind = 0;			/* restart getopt: main may have used it */
	while (!ret && (c = getopt_long(argc, argv, "+", bench_longopts,
					NULL)) != -1) {
		if (c == 'r')
			ret = set_number(&o->runs, optarg, "runs",
					 BENCH_MAX_RUNS);
		else if (c == 't')
			ret = set_number(&o->timeout_s, optarg, "timeout",
					 24 * 3600);
		else if (c == 'm')
			ret = set_memory(o, optarg);
		else if (c == 'k')
			ret = (free(o->kernel), o->kernel = strdup(optarg)) ?
			      0 : -ENOMEM;
		else if (c == 'n')
			o->no_qemu = true;
		else if (c == 'h')
			return 1;
		else
			ret = -EINVAL;
	}
	if (!ret && optind < argc) {
		fprintf(stderr, "memvisor bench: unexpected argument '%s'\n",
			argv[optind]);
		ret = -EINVAL;
	}
	return ret;
}

int bench_main(int argc, char **argv, const char *self_path)
{
	struct bench_opts o = { .runs = BENCH_DEFAULT_RUNS,
				.timeout_s = BENCH_DEFAULT_TIMEOUT,
				.memory = BENCH_DEFAULT_MEMORY };
	int ret, status = 2;

	if (argc >= 1 && !strcmp(argv[0], "hotplug")) {
		o.kernel = guest_kernel_beside(self_path);
		status = bench_hotplug_main(argc, argv, self_path, o.kernel);
		free(o.kernel);
		return status;
	}
	if (argc < 1 || strcmp(argv[0], "boot")) {
		usage(stderr);
		return status;
	}
	ret = parse_opts(argc, argv, &o);
	if (!ret && !o.kernel && !(o.kernel = guest_kernel_beside(self_path)))
		ret = -ENOMEM;
	if (ret == 0)
		status = bench_boot(&o, self_path);
	else if (ret == 1)
		status = EXIT_SUCCESS;
	usage(ret == 1 ? stdout : ret ? stderr : NULL);
	free(o.kernel);
	return status;
}
