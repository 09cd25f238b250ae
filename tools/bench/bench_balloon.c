/*
 * `memvisor bench balloon`: how fast the balloon inflates and deflates,
 * and how much host memory it really releases, on memvisor and on QEMU
 * (-accel kvm and -accel tcg, -device virtio-balloon-pci,id=balloon0), all
 * running the same guest.elf with QEMU's QMP commands.
 *
 * Per backend, one 2 GiB VM; first `hog 256M random` is run and killed,
 * so that 256 MiB of the guest's free memory is resident on the host (a
 * fresh guest's memory is not, and releasing it would show nothing).
 * Then, --runs times:
 *   inflate  QMP balloon {"value": 1 GiB}: the clock runs from the command
 *            until query-balloon's actual is 1 GiB (polled every ms; QEMU
 *            throttles BALLOON_CHANGE to one a second, so events would not
 *            do); MiB/s = 1024 / seconds
 *   deflate  balloon {"value": 2 GiB}, until actual is 2 GiB
 *   released the VMM's VmRSS before the inflate minus after it (memvisor's
 *            RAM is a memfd: its RssShmem; QEMU's is anonymous); only the
 *            first run has resident pages to give (deflated pages come
 *            back as holes), so its value is reported apart
 * Medians and ranges from bench_stats_compute(). The guest's ring-0
 * instructions per MiB inflated are counted on the host build of the
 * inflate path under callgrind by tests/bench/mm_bench.sh.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench_internal.h"
#include "tools/bench/bench_qvm.h"
#include "vmm/cli.h"
#include "vmm/util.h"

#define BL_NAME          "memvisor bench balloon"
#define BL_DEFAULT_RUNS  5
#define BL_MAX_RUNS      100
#define BL_TIMEOUT_MS    300000          /* boot, and any single wait */
#define BL_GUEST         (2ll << 30)
#define BL_TARGET        (1ll << 30)
#define BL_MIB           1024.0          /* MiB moved per step */

enum bl_metric { M_INFLATE, M_DEFLATE, M_RELEASED, BL_NR_METRICS };

struct bl_row {
	double *v[BL_NR_METRICS];
	unsigned n[BL_NR_METRICS];
	long rss_before, rss_after;     /* first run, KiB */
	char note[320];
};

struct bl_opts {
	unsigned long runs;
	const char *kernel;
	bool no_qemu;
};

/* VmRSS of @pid in KiB, or -1. */
static long bl_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void bl_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* balloon @value, then poll query-balloon until actual == @value; *@ms. */
static int bl_step(struct bench_qvm *vm, long long value, double *ms,
		   struct errmsg *e)
{
	double t0 = bench_now_ms(), deadline = t0 + BL_TIMEOUT_MS;
	json_t *r;
	long long actual = -1;

	if (qmpc_execute(vm->qmp, "balloon", json_pack("{s:I}", "value",
			 (json_int_t)value), NULL, e))
		return -EIO;
	while (bench_now_ms() < deadline) {
		r = NULL;
		if (qmpc_execute(vm->qmp, "query-balloon", NULL, &r, e))
			return -EIO;
		actual = json_integer_value(json_object_get(r, "actual"));
		json_decref(r);
		if (actual == value) {
			*ms = bench_now_ms() - t0;
			return 0;
		}
		bl_sleep_ms(1);
	}
	return errmsg_set(e, -ETIMEDOUT, "balloon to %lld: actual stuck at %lld",
			  value, actual);
}

static void bl_sample(struct bl_row *row, enum bl_metric m, double v)
{
	row->v[m][row->n[m]++] = v;
}

/* Make 256 MiB of the guest's free memory resident on the host. */
static int bl_prefill(struct bench_qvm *vm, struct errmsg *e)
{
	static char out[4096];
	char *p;
	int pid = 0, r = bench_qvm_cmd(vm, "hog 256M random", out, sizeof(out));

	if (!r && ((p = strstr(out, "pid ")) == NULL || sscanf(p, "pid %d", &pid) != 1))
		return errmsg_set(e, -EIO, "hog did not start: %.80s", out);
	if (!r) {
		snprintf(out, sizeof(out), "kill %d", pid);
		r = bench_qvm_cmd(vm, out, out, sizeof(out));
	}
	return r ? errmsg_set(e, r, "the guest console stopped answering") : 0;
}

static int bl_run(struct bench_qvm *vm, struct bl_row *row, unsigned i,
		  struct errmsg *e)
{
	long before = bl_rss_kb(vm->ch.pid), after;
	double ms;
	int r = bl_step(vm, BL_TARGET, &ms, e);

	if (r)
		return r;
	after = bl_rss_kb(vm->ch.pid);
	bl_sample(row, M_INFLATE, BL_MIB * 1000.0 / ms);
	if (before >= 0 && after >= 0) {
		bl_sample(row, M_RELEASED, (before - after) / 1024.0);
		if (!i)
			row->rss_before = before, row->rss_after = after;
	}
	r = bl_step(vm, BL_GUEST, &ms, e);
	if (!r)
		bl_sample(row, M_DEFLATE, BL_MIB * 1000.0 / ms);
	return r;
}

static void bl_backend(enum bench_backend b, const struct bl_opts *o,
		       const char *self, struct bl_row *row)
{
	struct bench_qvm *vm = calloc(1, sizeof(*vm));
	struct bench_vm spec = { .self = self, .kernel = o->kernel,
				 .memory = "2G", .balloon = true };
	struct bench_argv argv = { .n = 0 };
	struct errmsg e = { .msg = "" };
	unsigned i;
	int r;

	if (!vm) {
		snprintf(row->note, sizeof(row->note), "%s: out of memory",
			 bench_backend_name[b]);
		return;
	}
	vm->ch = (struct bench_child){ .pid = 0, .in_fd = -1, .out_fd = -1 };
	snprintf(vm->sock, sizeof(vm->sock), "/tmp/mv-bench-bl-%d-%d.sock",
		 (int)getpid(), (int)b);
	spec.qmp = vm->sock;
	bench_backend_argv(&argv, b, &spec);
	fprintf(stderr, "%s: booting\n", bench_backend_name[b]);
	r = bench_qvm_boot(vm, &argv, BL_TIMEOUT_MS, &e);
	if (!r)
		r = bl_prefill(vm, &e);
	for (i = 0; !r && i < o->runs; i++)
		r = bl_run(vm, row, i, &e);
	if (r)
		snprintf(row->note, sizeof(row->note), "%s: %s",
			 bench_backend_name[b], e.msg);
	bench_qvm_stop(vm);
	bench_argv_free(&argv);
	free(vm);
}

/* ------------------------------------------------------------ report */

static bool bl_median(const struct bl_row *row, enum bl_metric m,
		      struct bench_stats *st)
{
	return row->n[m] && !bench_stats_compute(row->v[m], row->n[m], st);
}

static void bl_report(const struct bl_row *rows)
{
	struct bench_stats in, de;

	printf("\nballoon: inflate 1 GiB of a 2 GiB guest and deflate it (QMP balloon -> query-balloon's actual)\n");
	printf("%-18s %5s %14s %18s %14s %18s %24s\n", "backend", "runs",
	       "inflate MiB/s", "(min-max)", "deflate MiB/s", "(min-max)",
	       "host RSS 1st inflate MiB");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		if (!bl_median(&rows[b], M_INFLATE, &in) ||
		    !bl_median(&rows[b], M_DEFLATE, &de)) {
			printf("%-18s %5u -\n", bench_backend_name[b], 0);
			continue;
		}
		printf("%-18s %5u %14.0f %8.0f-%-9.0f %14.0f %8.0f-%-9.0f %9ld -> %ld (-%ld)\n",
		       bench_backend_name[b], rows[b].n[M_INFLATE], in.median,
		       in.min, in.max, de.median, de.min, de.max,
		       rows[b].rss_before / 1024, rows[b].rss_after / 1024,
		       (rows[b].rss_before - rows[b].rss_after) / 1024);
	}
	printf("(256 MiB of the guest's free memory was made resident before the first inflate;\n"
	       " later inflates find the pages the previous deflate left as holes)\n");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		if (rows[b].note[0])
			printf("note: %s\n", rows[b].note);
}

/* ------------------------------------------------------------ main */

enum { OPT_RUNS, OPT_KERNEL, OPT_NO_QEMU };

static const struct cli_option bl_options[] = {
	{ "runs", "N", "inflate/deflate cycles per backend (default 5,\n"
	  "at most 100)", OPT_RUNS },
	{ "kernel", "PATH", BENCH_KERNEL_HELP, OPT_KERNEL },
	{ "no-qemu", NULL, "run memvisor only", OPT_NO_QEMU },
	{ 0 },
};

static int bl_option(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct bl_opts *o = opaque;

	switch (key) {
	case OPT_RUNS:
		return bench_parse_runs(arg, BL_MAX_RUNS, &o->runs, e);
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

static int bl_bench(const void *opts, const char *self_path)
{
	const struct bl_opts *o = opts;
	struct bl_row rows[BENCH_NR_BACKENDS] = { 0 };
	const char *why;
	int ret = 0;

	for (int b = 0; b < BENCH_NR_BACKENDS && !ret; b++)
		for (int m = 0; m < BL_NR_METRICS && !ret; m++)
			if (!(rows[b].v[m] = calloc(o->runs, sizeof(double))))
				ret = cli_fail(BL_NAME, EXIT_FAIL, "out of memory");
	signal(SIGPIPE, SIG_IGN);
	for (int b = 0; b < BENCH_NR_BACKENDS && !ret; b++) {
		why = bench_backend_skip(b, o->no_qemu);
		if (why)
			snprintf(rows[b].note, sizeof(rows[b].note), "%s: %s",
				 bench_backend_name[b], why);
		else
			bl_backend(b, o, self_path, &rows[b]);
	}
	if (!ret) {
		bl_report(rows);
		ret = rows[BENCH_MEMVISOR].n[M_INFLATE] ? 0 : EXIT_FAIL;
	}
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		for (int m = 0; m < BL_NR_METRICS; m++)
			free(rows[b].v[m]);
	return ret;
}

int bench_balloon_main(int argc, char **argv, const char *self_path)
{
	struct bl_opts o = { .runs = BL_DEFAULT_RUNS };
	const struct cli_table table = { NULL, bl_options, bl_option, &o };
	const struct cli_cmd cmd = {
		.name = BL_NAME,
		.synopsis = "[options]",
		.description =
		"On memvisor, QEMU -accel kvm and QEMU -accel tcg (same guest, 2 GiB):\n"
		"inflate the balloon by 1 GiB and deflate it N times, timed from the\n"
		"QMP balloon command to query-balloon's actual; and the host memory\n"
		"the first inflate released (the VMM's RSS).\nOptions:\n",
		.tables = &table, .nr_tables = 1,
	};
	return bench_cmd_run(&cmd, argc, argv, self_path, &o.kernel, bl_bench, &o);
}
