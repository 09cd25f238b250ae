/*
 * `memvisor bench reclaim`: how fast the guest swaps, on memvisor and on
 * QEMU (-accel kvm and -accel tcg, -drive ...,if=virtio), all running the
 * same guest.elf on the same kind of disk.
 *
 * Each run boots a fresh 256 MiB guest with a fresh sparse 768 MiB raw
 * image (made here, removed after) as its only disk, then at its shell:
 *   swapon /dev/vda
 *   hog 480M random   the hog fills 480 MiB, so about 256 MiB of it goes
 *                     out to swap while it fills; the guest's own fill time
 *                     ("filled ... in N ms") is the out phase
 *   verify            reads every page back and checks it: the in phase,
 *                     timed here from the command to its prompt (it also
 *                     writes as much out again, making room)
 * with /proc/vmstat read before, between and after. MB/s out = pswpout
 * pages of the fill x 4096 / fill time, MB/s in = pswpin pages of the
 * verify x 4096 / verify time; MB = 10^6 bytes. The image is made in
 * --dir, /dev/shm by default: what is measured is the guest's and the
 * VMM's swap path, and this machine's disk is shared with other VMs
 * whose writeback would make every number a measure of them (--dir /tmp
 * measures with the disk). A verify that does not
 * say "ok" fails the run. Medians and ranges over --runs (fresh guests,
 * so no run inherits another's swap or dirty memory), the backends taking
 * turns run by run.
 *
 * The guest's ring-0 instructions per page swapped are counted on the
 * host build of guest/mm under callgrind by tests/bench/mm_bench.sh
 * (swapout, swapin): instructions are what the emulated ring 0 of this
 * machine's nested KVM charges for, and callgrind counts them repeatably.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench_internal.h"
#include "tools/bench/bench_qvm.h"
#include "vmm/cli.h"
#include "vmm/util.h"

#define RC_NAME          "memvisor bench reclaim"
#define RC_DEFAULT_RUNS  3
#define RC_MAX_RUNS      50
#define RC_TIMEOUT_MS    600000          /* boot, and any single command */
#define RC_GUEST         "256M"
#define RC_HOG           "hog 480M random"
#define RC_HOG_PAGES     (480u << 8)
#define RC_IMAGE_BYTES   (768ll << 20)
#define RC_OUT_MAX       16384

enum rc_metric { M_OUT, M_IN, RC_NR_METRICS };

struct rc_row {
	double v[RC_NR_METRICS][RC_MAX_RUNS];   /* MB/s per run */
	unsigned n;
	unsigned long out_pages, in_pages;      /* the last run's */
	char note[320];
};

struct rc_opts {
	unsigned long runs;
	const char *kernel;
	const char *dir;                /* where the swap image is made */
	bool no_qemu;
};

/* The counters of /proc/vmstat the benchmark reads. */
struct rc_vmstat {
	unsigned long pswpin, pswpout;
};

/* One VM, the console buffer and its output scratch. */
struct rc_vm {
	struct bench_qvm q;
	char out[RC_OUT_MAX];
	char image[4096];
};

static int rc_cmd(struct rc_vm *vm, const char *line, struct errmsg *e)
{
	int r = bench_qvm_cmd(&vm->q, line, vm->out, sizeof(vm->out));

	return r ? errmsg_set(e, r, "'%s': the guest console stopped answering (%s)",
			      line, r == -ETIMEDOUT ? "timeout" : "the VMM exited")
		 : 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static unsigned long field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoul(p + n + 1, NULL, 10);
	return 0;
}

static int rc_vmstat(struct rc_vm *vm, struct rc_vmstat *s, struct errmsg *e)
{
	int r = rc_cmd(vm, "cat /proc/vmstat", e);

	if (r)
		return r;
	s->pswpin = field(vm->out, "pswpin");
	s->pswpout = field(vm->out, "pswpout");
	return 0;
}

static void rc_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* The disk is probed during boot; QEMU may list it a little later. */
static int rc_swapon(struct rc_vm *vm, struct errmsg *e)
{
	double deadline = bench_now_ms() + 30000;
	int r;

	while (!(r = rc_cmd(vm, "cat /proc/partitions", e)) &&
	       !strstr(vm->out, "vda")) {
		if (bench_now_ms() > deadline)
			return errmsg_set(e, -ENODEV, "the guest has no /dev/vda");
		rc_sleep_ms(200);
	}
	if (!r)
		r = rc_cmd(vm, "swapon /dev/vda", e);
	if (!r && strstr(vm->out, "swapon:"))
		r = errmsg_set(e, -EIO, "%.120s", vm->out);
	return r;
}

/* "hog: pid 2 filled 480 MiB (random, seed 1) in 412 ms": the ms. */
static int rc_hog(struct rc_vm *vm, double *ms, struct errmsg *e)
{
	const char *p;
	int r = rc_cmd(vm, RC_HOG, e);

	if (r)
		return r;
	p = strstr(vm->out, " filled ");
	p = p ? strstr(p, ") in ") : NULL;
	if (!p || sscanf(p, ") in %lf ms", ms) != 1 || *ms <= 0)
		return errmsg_set(e, -EIO, "hog: %.120s", vm->out);
	return 0;
}

static int rc_verify(struct rc_vm *vm, double *ms, struct errmsg *e)
{
	char want[64];
	double t0 = bench_now_ms();
	int r = rc_cmd(vm, "verify", e);

	*ms = bench_now_ms() - t0;
	snprintf(want, sizeof(want), "ok %u pages", RC_HOG_PAGES);
	if (!r && !strstr(vm->out, want))
		r = errmsg_set(e, -EIO, "verify: %.120s", vm->out);
	return r;
}

static double mb_per_s(unsigned long pages, double ms)
{
	return pages * 4096.0 / 1e6 / (ms / 1000.0);
}

/* After boot: swapon, fill, verify; one sample of each metric. */
static int rc_measure(struct rc_vm *vm, struct rc_row *row, struct errmsg *e)
{
	struct rc_vmstat a, b, c;
	double fill_ms, verify_ms;
	int r = rc_swapon(vm, e);

	if (!r)
		r = rc_vmstat(vm, &a, e);
	if (!r)
		r = rc_hog(vm, &fill_ms, e);
	if (!r)
		r = rc_vmstat(vm, &b, e);
	if (!r)
		r = rc_verify(vm, &verify_ms, e);
	if (!r)
		r = rc_vmstat(vm, &c, e);
	if (r)
		return r;
	row->out_pages = b.pswpout - a.pswpout;
	row->in_pages = c.pswpin - b.pswpin;
	if (!row->out_pages || !row->in_pages)
		return errmsg_set(e, -EIO, "nothing was swapped (pswpout %lu, pswpin %lu)",
				  row->out_pages, row->in_pages);
	row->v[M_OUT][row->n] = mb_per_s(row->out_pages, fill_ms);
	row->v[M_IN][row->n] = mb_per_s(row->in_pages, verify_ms);
	row->n++;
	return 0;
}

/* A fresh sparse swap image at vm->image. */
static int rc_make_image(struct rc_vm *vm, struct errmsg *e)
{
	int fd = mkstemp(vm->image);

	if (fd < 0)
		return errmsg_set(e, -errno, "cannot create %s: %s", vm->image,
				  strerror(errno));
	if (ftruncate(fd, RC_IMAGE_BYTES)) {
		int err = -errno;

		close(fd);
		return errmsg_set(e, err, "cannot size %s: %s", vm->image,
				  strerror(-err));
	}
	close(fd);
	return 0;
}

static int rc_run(enum bench_backend b, const struct rc_opts *o,
		  const char *self, struct rc_vm *vm, struct rc_row *row,
		  struct errmsg *e)
{
	struct bench_vm spec = { .self = self, .kernel = o->kernel,
				 .memory = RC_GUEST, .drive = vm->image };
	struct bench_argv argv = { .n = 0 };
	int r;

	memset(&vm->q, 0, sizeof(vm->q));
	vm->q.ch = (struct bench_child){ .pid = 0, .in_fd = -1, .out_fd = -1 };
	snprintf(vm->q.sock, sizeof(vm->q.sock), "/tmp/mv-bench-rc-%d-%d.sock",
		 (int)getpid(), (int)b);
	snprintf(vm->image, sizeof(vm->image), "%s/mv-bench-rc-swap-XXXXXX",
		 o->dir);
	spec.qmp = vm->q.sock;
	r = rc_make_image(vm, e);
	if (r)
		return r;
	bench_backend_argv(&argv, b, &spec);
	r = bench_qvm_boot(&vm->q, &argv, RC_TIMEOUT_MS, e);
	if (!r)
		r = rc_measure(vm, row, e);
	bench_qvm_stop(&vm->q);
	bench_argv_free(&argv);
	unlink(vm->image);
	return r;
}

/* Run @i of backend @b in a fresh VM; a failure is noted in @row, which
 * ends that backend's runs. */
static void rc_backend_run(enum bench_backend b, const struct rc_opts *o,
			   const char *self, struct rc_row *row, unsigned long i)
{
	struct rc_vm *vm = calloc(1, sizeof(*vm));
	struct errmsg e = { .msg = "" };

	if (!vm) {
		snprintf(row->note, sizeof(row->note), "%s: out of memory",
			 bench_backend_name[b]);
		return;
	}
	fprintf(stderr, "%s: run %lu of %lu\n", bench_backend_name[b], i + 1,
		o->runs);
	if (rc_run(b, o, self, vm, row, &e))
		snprintf(row->note, sizeof(row->note), "%s: %s",
			 bench_backend_name[b], e.msg);
	free(vm);
}

/* ------------------------------------------------------------ report */

static void rc_report(const struct rc_row *rows, const char *dir)
{
	struct bench_stats out, in;

	printf("\nreclaim: a 256 MiB guest, swap on a virtio disk (an image in %s); "
	       "hog 480M random swaps ~256 MiB out, verify swaps it back in "
	       "(MB = 10^6 bytes)\n", dir);
	printf("%-18s %5s %12s %18s %12s %18s %14s %14s\n", "backend", "runs",
	       "MB/s out", "(min-max)", "MB/s in", "(min-max)",
	       "MiB out (fill)", "MiB in (verify)");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		if (!rows[b].n ||
		    bench_stats_compute(rows[b].v[M_OUT], rows[b].n, &out) ||
		    bench_stats_compute(rows[b].v[M_IN], rows[b].n, &in)) {
			printf("%-18s %5u -\n", bench_backend_name[b], 0);
			continue;
		}
		printf("%-18s %5u %12.1f %8.1f-%-9.1f %12.1f %8.1f-%-9.1f %14lu %14lu\n",
		       bench_backend_name[b], rows[b].n, out.median, out.min,
		       out.max, in.median, in.min, in.max,
		       rows[b].out_pages >> 8, rows[b].in_pages >> 8);
	}
	printf("(ring-0 instructions per page swapped: tests/bench/mm_bench.sh, "
	       "swapout and swapin)\n");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		if (rows[b].note[0])
			printf("note: %s\n", rows[b].note);
}

/* ------------------------------------------------------------ main */

enum { OPT_RUNS, OPT_KERNEL, OPT_DIR, OPT_NO_QEMU };

static const struct cli_option rc_options[] = {
	{ "runs", "N", "fresh guests per backend (default 3, at most 50)",
	  OPT_RUNS },
	{ "kernel", "PATH", BENCH_KERNEL_HELP, OPT_KERNEL },
	{ "dir", "DIR", "where to make the swap images (default\n"
	  "/dev/shm: the swap path, not this host's disk)", OPT_DIR },
	{ "no-qemu", NULL, "run memvisor only", OPT_NO_QEMU },
	{ 0 },
};

static int rc_option(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct rc_opts *o = opaque;

	switch (key) {
	case OPT_RUNS:
		return bench_parse_runs(arg, RC_MAX_RUNS, &o->runs, e);
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	case OPT_DIR:
		if (!is_dir(arg))
			return errmsg_user(e, -EINVAL, "--dir %s: not a directory", arg);
		o->dir = arg;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

static int rc_bench(const void *opts, const char *self_path)
{
	const struct rc_opts *o = opts;
	static struct rc_row rows[BENCH_NR_BACKENDS];

	signal(SIGPIPE, SIG_IGN);
	for (enum bench_backend b = 0; b < BENCH_NR_BACKENDS; b++) {
		const char *why = bench_backend_skip(b, o->no_qemu);

		if (why)
			snprintf(rows[b].note, sizeof(rows[b].note), "%s: %s",
				 bench_backend_name[b], why);
	}
	/* Run i on every backend, then run i + 1: the machine's load, which
	 * drifts over minutes on a shared host, falls on all of them alike. */
	for (unsigned long i = 0; i < o->runs; i++)
		for (enum bench_backend b = 0; b < BENCH_NR_BACKENDS; b++)
			if (!rows[b].note[0])
				rc_backend_run(b, o, self_path, &rows[b], i);
	rc_report(rows, o->dir);
	return rows[BENCH_MEMVISOR].n ? 0 : EXIT_FAIL;
}

int bench_reclaim_main(int argc, char **argv, const char *self_path)
{
	struct rc_opts o = { .runs = RC_DEFAULT_RUNS, .dir = "/dev/shm" };
	const struct cli_table table = { NULL, rc_options, rc_option, &o };
	const struct cli_cmd cmd = {
		.name = RC_NAME,
		.synopsis = "[options]",
		.description =
		"On memvisor, QEMU -accel kvm and QEMU -accel tcg (same guest, 256 MiB,\n"
		"a fresh sparse 768 MiB swap image in --dir as its virtio disk): swapon,\n"
		"then a 480 MiB hog fills (swapping ~256 MiB out) and verify reads it\n"
		"all back;\n"
		"MB/s out and in from the guest's pswpout/pswpin and the timings.\n"
		"Options:\n",
		.tables = &table, .nr_tables = 1,
	};
	return bench_cmd_run(&cmd, argc, argv, self_path, &o.kernel, rc_bench, &o);
}
