/*
 * `memvisor bench boot`: how long the guest takes to boot, on memvisor and
 * on QEMU with -accel kvm and -accel tcg, all booting the same guest.elf.
 *
 * Each run starts the VMM with the benchmarks' child-process helper
 * (bench_child.c), which reads CLOCK_MONOTONIC just before exec; this file
 * assembles the console into lines, stops the clock when a line contains
 * BENCH_READY_LINE, and kills the VMM's process group. A run that times out
 * or ends early is recorded as such, and the backend's remaining runs are
 * skipped: they would fail alike.
 *
 * bench_run_once is unit-tested in tests/unit/test_bench.c on small shell
 * scripts, and `bench boot` end to end with a script standing in for
 * memvisor.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tools/bench/bench_internal.h"
#include "vmm/cli.h"
#include "vmm/util.h"

#define BENCH_DEFAULT_RUNS	10
#define BENCH_DEFAULT_MEMORY	"256M"
#define BENCH_DEFAULT_TIMEOUT	120		/* seconds, per run */
#define BENCH_MAX_RUNS		1000
#define BENCH_MAX_TIMEOUT	(24 * 3600)
#define BOOT_NAME		"memvisor bench boot"

/* The options of `bench boot`. */
struct bench_opts {
	unsigned long runs;
	unsigned long timeout_s;
	char memory[32];	/* canonical size, e.g. "256M" */
	const char *kernel;
	bool no_qemu;
};

/* One backend's results. */
struct bench_row {
	double *ms;		/* samples of the runs that reached ready */
	unsigned ok;		/* how many did */
	bool ran;		/* false: skipped, see note */
	char note[320];		/* why the row is skipped or short */
	struct bench_stats st;	/* valid if ok > 0 */
};

/* The console, assembled into lines. */
struct bench_console {
	char line[256];
	size_t len;
	char last[128];		/* last non-empty complete line */
};

/* ------------------------------------------------------------ one run */

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
static int wait_ready(struct bench_child *ch, unsigned int timeout_ms,
		      struct bench_console *con, double *ms)
{
	double deadline = ch->t0_ms + timeout_ms;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = bench_child_read(ch, buf, sizeof(buf), deadline);
		if (n < 0)
			return (int)n;
		if (console_feed(con, buf, (size_t)n)) {
			*ms = bench_now_ms() - ch->t0_ms;
			return 0;
		}
	}
}

int bench_run_once(const struct bench_argv *a, unsigned int timeout_ms,
		   struct bench_result *res)
{
	struct bench_console con = { .len = 0 };
	struct bench_child ch;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = bench_child_start(&ch, a);
	if (ret)
		return ret;
	ret = wait_ready(&ch, timeout_ms, &con, &res->ms);
	if (con.len)			/* an unfinished last line counts */
		console_eol(&con);
	snprintf(res->last_line, sizeof(res->last_line), "%s", con.last);
	res->status = bench_child_stop(&ch);
	return ret;
}

/* ------------------------------------------------------------ backends */

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
	const struct bench_vm vm = { .self = self_path, .kernel = o->kernel,
				     .memory = o->memory };
	struct bench_argv argv = { .n = 0 };
	struct bench_result res;
	unsigned i;
	int ret;

	row->ms = calloc(o->runs, sizeof(*row->ms));
	if (!row->ms)
		return -ENOMEM;
	bench_backend_argv(&argv, b, &vm);
	row->ran = true;
	for (i = 1; i <= o->runs; i++) {
		ret = bench_run_once(&argv, (unsigned)o->timeout_s * 1000, &res);
		if (ret) {
			row_failed(row, i, ret, &res, o, argv.v[0]);
			fprintf(stderr, "  %-16s %s\n", bench_backend_name[b],
				row->note);
			break;
		}
		row->ms[row->ok++] = res.ms;
		fprintf(stderr, "  %-16s run %u/%lu: %.1f ms\n",
			bench_backend_name[b], i, o->runs, res.ms);
	}
	bench_argv_free(&argv);
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
			       bench_backend_name[b], r->ran ? "0" : "-", "-", "-",
			       "-", "-");
			continue;
		}
		snprintf(ratio, sizeof(ratio), "-");
		if (ref->ok && ref->st.median > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx",
				 r->st.median / ref->st.median);
		printf("%-16s %7u %10.1f %10.1f %10.1f %12s\n",
		       bench_backend_name[b], r->ok, r->st.median,
		       r->st.min, r->st.max, ratio);
	}
	for (b = 0; b < BENCH_NR_BACKENDS; b++)
		if (rows[b].note[0])
			printf("note: %s: %s\n", bench_backend_name[b], rows[b].note);
	printf("Boot time is from exec to the console line \"%s\".\n"
	       "\"vs memvisor\" is the median's ratio (higher is slower).\n",
	       BENCH_READY_LINE);
}

static int bench_boot(const void *opts, const char *self_path)
{
	const struct bench_opts *o = opts;
	struct bench_row rows[BENCH_NR_BACKENDS];
	const char *skip;
	int b, ret = 0;

	if (access(o->kernel, R_OK))
		return cli_fail(BOOT_NAME, EXIT_FAIL, "cannot read kernel %s: %s",
				o->kernel, strerror(errno));
	memset(rows, 0, sizeof(rows));
	printf("boot benchmark: %s, %s of memory, %lu runs, %lu s timeout\n",
	       o->kernel, o->memory, o->runs, o->timeout_s);
	fflush(stdout);
	for (b = 0; b < BENCH_NR_BACKENDS && !ret; b++) {
		skip = bench_backend_skip(b, o->no_qemu);
		if (skip)
			snprintf(rows[b].note, sizeof(rows[b].note), "%s", skip);
		else
			ret = row_run(b, o, self_path, &rows[b]);
	}
	if (!ret)
		print_table(rows, o);
	for (b = 0; b < BENCH_NR_BACKENDS; b++)
		free(rows[b].ms);
	if (ret)
		return cli_fail(BOOT_NAME, EXIT_FAIL, "%s", strerror(-ret));
	/* memvisor's own row must work wherever it can run. */
	return rows[0].ran && !rows[0].ok ? EXIT_FAIL : EXIT_SUCCESS;
}

/* ------------------------------------------------------------ options */


enum { OPT_RUNS, OPT_MEMORY, OPT_KERNEL, OPT_TIMEOUT, OPT_NO_QEMU };

static const struct cli_option boot_options[] = {
	{ "runs", "N", "boots per backend (default 10, at most 1000)", OPT_RUNS },
	{ "memory", "SIZE", "guest RAM in whole MiB (default 256M)", OPT_MEMORY },
	{ "kernel", "PATH", BENCH_KERNEL_HELP, OPT_KERNEL },
	{ "timeout", "SECONDS", "per run (default 120)", OPT_TIMEOUT },
	{ "no-qemu", NULL, "run memvisor only", OPT_NO_QEMU },
	{ 0 },
};

/* Validate a size and store it in QEMU's -m form (a whole number of MiB). */
static int set_memory(struct bench_opts *o, const char *arg, struct errmsg *e)
{
	uint64_t bytes;

	if (parse_size(arg, 20, &bytes) || !bytes || bytes % (1u << 20))
		return errmsg_user(e, -EINVAL, "--memory %s: expected a size in whole MiB, such as 256M or 1G",
				   arg);
	format_size(bytes, o->memory, sizeof(o->memory));
	return 0;
}

static int set_number(unsigned long *out, const char *arg, const char *name,
		      unsigned long max, struct errmsg *e)
{
	if (parse_uint(arg, 1, max, out))
		return errmsg_user(e, -EINVAL, "--%s %s: expected a number from 1 to %lu",
				   name, arg, max);
	return 0;
}

static int boot_option(void *opaque, int key, const char *arg,
		       struct errmsg *e)
{
	struct bench_opts *o = opaque;

	switch (key) {
	case OPT_RUNS:
		return bench_parse_runs(arg, BENCH_MAX_RUNS, &o->runs, e);
	case OPT_TIMEOUT:
		return set_number(&o->timeout_s, arg, "timeout", BENCH_MAX_TIMEOUT, e);
	case OPT_MEMORY:
		return set_memory(o, arg, e);
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

int bench_boot_main(int argc, char **argv, const char *self_path)
{
	struct bench_opts o = { .runs = BENCH_DEFAULT_RUNS,
				.timeout_s = BENCH_DEFAULT_TIMEOUT,
				.memory = BENCH_DEFAULT_MEMORY };
	const struct cli_table table = { NULL, boot_options, boot_option, &o };
	const struct cli_cmd cmd = {
		.name = BOOT_NAME,
		.synopsis = "[options]",
		.description =
		"Boot the guest N times on memvisor, on QEMU -accel kvm and on\n"
		"QEMU -accel tcg; report the boot times (exec to the console line\n"
		"\"" BENCH_READY_LINE "\").\nOptions:\n",
		.tables = &table, .nr_tables = 1,
	};
	return bench_cmd_run(&cmd, argc, argv, self_path, &o.kernel, bench_boot, &o);
}
