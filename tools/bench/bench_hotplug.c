/*
 * `memvisor bench hotplug`: how long DIMM hotplug takes, end to end, on
 * memvisor and on QEMU (-accel kvm and -accel tcg), all running the same
 * guest.elf with the same QMP commands (tools/qmp/qmp_client.c).
 *
 * Per backend, one VM (256M, 8 slots, maxmem 4G) with its console on pipes
 * and a QMP socket; then, --runs times each:
 *   add     object-add + device_add of a 128 MiB DIMM; the clock runs from
 *           device_add until ACPI_DEVICE_OST reports the guest's success,
 *           i.e. the DIMM is added and onlined; then it is removed, empty
 *           (device_del -> DEVICE_DELETED, also timed: "remove, empty");
 *           the guest's dmesg ("hot-add ... in X ms", "online ... in Y ms")
 *           splits the add into section add+map, online, and the rest
 *   remove  a DIMM is added, `hog 32M random` runs in the guest (its pages
 *           land on the DIMM: ZONE_MOVABLE is preferred for user pages),
 *           then device_del until DEVICE_DELETED: the guest isolates and
 *           migrates the 32 MiB, removes the sections, ejects; the host
 *           frees the DIMM. The guest's own account (dmesg: "offline X ms,
 *           remove Y ms", migrated pages) splits the time into guest
 *           offline+migration, guest section removal, and the rest (host
 *           QMP, SCI delivery, slot scan, eject, memslot removal).
 * Before each timed step the bench waits for the guest's shell to answer,
 * so no step queues behind the previous one's log lines (hp_sync).
 * Medians and ranges come from bench_stats_compute() (bench.c).
 *
 * The VM runs under the benchmarks' child-process helper (bench_child.c)
 * and is killed with its process group at the end; a backend whose VM
 * fails is reported with the reason and the others still run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench_internal.h"
#include "tools/bench/bench_qvm.h"
#include "tools/qmp/qmp_client.h"
#include "vmm/cli.h"
#include "vmm/util.h"

#define HP_NAME          "memvisor bench hotplug"
#define HP_DEFAULT_RUNS  20
#define HP_MAX_RUNS      1000
#define HP_TIMEOUT_MS    120000          /* boot, and any single wait */
#define HP_DIMM_SIZE     (128ll << 20)

/* What is measured, per run. */
enum hp_metric { M_ADD, M_GUEST_ADD, M_GUEST_ONLINE, M_DEL_EMPTY, M_DEL_32M,
		 M_GUEST_OFFLINE, M_GUEST_REMOVE, M_MIGRATED, HP_NR_METRICS };

struct hp_row {
	double *v[HP_NR_METRICS];       /* samples */
	unsigned n[HP_NR_METRICS];
	char note[320];                 /* why the row is short or empty */
};

struct hp_opts {
	unsigned long runs;
	const char *kernel;
	bool no_qemu;
};

/* ------------------------------------------------------------ QMP steps */

struct hp_wait {
	const char *id;
	const char *event;      /* ACPI_DEVICE_OST or DEVICE_DELETED */
};

/* An _OST status that answers a wait: success, or a failure; not
 * "ejection in progress" (0x84), which comes before DEVICE_DELETED. */
static bool hp_ost_final(json_t *info)
{
	return json_integer_value(json_object_get(info, "status")) != 0x84;
}

/* Our device's DEVICE_DELETED, or its final ACPI_DEVICE_OST (when waiting
 * for a deletion: only a failure, the guest's refusal). */
static bool hp_match(json_t *ev, const void *arg)
{
	const struct hp_wait *w = arg;
	const char *name = json_string_value(json_object_get(ev, "event"));
	json_t *data = json_object_get(ev, "data");
	json_t *info = json_object_get(data, "info");
	const char *dev = json_string_value(json_object_get(info, "device"));
	bool del = !strcmp(w->event, "DEVICE_DELETED");

	if (!strcmp(name, "DEVICE_DELETED"))
		dev = json_string_value(json_object_get(data, "device"));
	else if (strcmp(name, "ACPI_DEVICE_OST") || !hp_ost_final(info) ||
		 (del && !json_integer_value(json_object_get(info, "status"))))
		return false;
	return dev && !strcmp(dev, w->id) &&
	       (del || !strcmp(name, "ACPI_DEVICE_OST"));
}

/* Wait for @event about @id; an _OST must report success (status 0). */
static int hp_wait(struct bench_qvm *vm, const char *event, const char *id,
		   struct errmsg *e)
{
	struct hp_wait w = { id, event };
	json_t *ev, *info;
	int r = qmpc_wait_event(vm->qmp, hp_match, &w,
				qmpc_now_ms() + HP_TIMEOUT_MS, &ev);

	if (r != 1)
		return r ? qmpc_lost(e, r) :
		       errmsg_set(e, -ETIMEDOUT, "no %s for %s", event, id);
	info = json_object_get(json_object_get(ev, "data"), "info");
	r = json_integer_value(json_object_get(info, "status"));
	json_decref(ev);
	return r ? errmsg_set(e, -EIO, "the guest failed on %s (_OST status 0x%x)",
			      id, r) : 0;
}

/*
 * Wait until the guest is idle: its hotplug work runs in the shell's
 * context, so once the shell answers a command, the previous event's work
 * (its log lines, the rest of the slot scan) is done and the next timed
 * operation does not queue behind it.
 */
static int hp_sync(struct bench_qvm *vm, struct errmsg *e)
{
	char out[256];
	int r = bench_qvm_cmd(vm, "echo sync", out, sizeof(out));

	return r ? errmsg_set(e, r, "the guest console stopped answering") : 0;
}

/* object-add + device_add; *@ms: device_add to the guest's _OST. */
static int hp_add(struct bench_qvm *vm, const char *id, double *ms, struct errmsg *e)
{
	char mem[64];
	double t0;
	int r = hp_sync(vm, e);

	if (r)
		return r;
	snprintf(mem, sizeof(mem), "mem-%s", id);
	r = qmpc_execute(vm->qmp, "object-add", json_pack("{s:s, s:s, s:I}",
			 "qom-type", "memory-backend-ram", "id", mem,
			 "size", (json_int_t)HP_DIMM_SIZE), NULL, e);
	t0 = qmpc_now_ms_f();
	if (!r)
		r = qmpc_execute(vm->qmp, "device_add", json_pack("{s:s, s:s, s:s}",
				 "driver", "pc-dimm", "id", id, "memdev", mem), NULL, e);
	if (!r)
		r = hp_wait(vm, "ACPI_DEVICE_OST", id, e);
	*ms = qmpc_now_ms_f() - t0;
	return r;
}

/* device_del until DEVICE_DELETED, then object-del; *@ms: the first part. */
static int hp_del(struct bench_qvm *vm, const char *id, double *ms, struct errmsg *e)
{
	double t0;
	char mem[64];
	int r = hp_sync(vm, e);

	t0 = qmpc_now_ms_f();
	if (!r)
		r = qmpc_execute(vm->qmp, "device_del",
				 json_pack("{s:s}", "id", id), NULL, e);
	if (!r)
		r = hp_wait(vm, "DEVICE_DELETED", id, e);
	*ms = qmpc_now_ms_f() - t0;
	snprintf(mem, sizeof(mem), "mem-%s", id);
	return r ? r : qmpc_execute(vm->qmp, "object-del",
				    json_pack("{s:s}", "id", mem), NULL, e);
}

/* ------------------------------------------------------------ runs */

static void hp_sample(struct hp_row *row, enum hp_metric m, double v)
{
	row->v[m][row->n[m]++] = v;
}

/* The last occurrence of @what in @s, or NULL. */
static const char *hp_last(const char *s, const char *what)
{
	const char *last = NULL;

	for (; (s = strstr(s, what)); s++)
		last = s;
	return last;
}

/* The guest's last hot-add lines: "... in X ms" for add and for online. */
static void hp_guest_add_account(struct bench_qvm *vm, struct hp_row *row)
{
	static char out[BENCH_CON_MAX];
	const char *add, *on;
	double a, o;

	if (bench_qvm_cmd(vm, "dmesg", out, sizeof(out)))
		return;
	add = hp_last(out, "on the memory itself, in ");
	on = hp_last(out, "(online_movable) in ");
	if (add && on && sscanf(add, "on the memory itself, in %lf", &a) == 1 &&
	    sscanf(on, "(online_movable) in %lf", &o) == 1) {
		hp_sample(row, M_GUEST_ADD, a);
		hp_sample(row, M_GUEST_ONLINE, o);
	}
}

static int hp_run_add(struct bench_qvm *vm, struct hp_row *row, unsigned i,
		      struct errmsg *e)
{
	char id[32];
	double ms;
	int r;

	snprintf(id, sizeof(id), "ba%u", i);
	r = hp_add(vm, id, &ms, e);
	if (!r) {
		hp_sample(row, M_ADD, ms);
		hp_guest_add_account(vm, row);
		r = hp_del(vm, id, &ms, e);
	}
	if (!r)
		hp_sample(row, M_DEL_EMPTY, ms);
	return r;
}

/* The guest's last "offlined and removed" line: migrated, offline, remove. */
static void hp_guest_account(struct bench_qvm *vm, struct hp_row *row)
{
	static char out[BENCH_CON_MAX];
	unsigned long pages;
	const char *p;
	double off, rm;

	if (bench_qvm_cmd(vm, "dmesg", out, sizeof(out)))
		return;
	p = hp_last(out, "offlined and removed");
	p = p ? strstr(p, "migrated ") : NULL;
	if (p && sscanf(p, "migrated %lu pages; offline %lf ms, remove %lf ms",
			&pages, &off, &rm) == 3) {
		hp_sample(row, M_GUEST_OFFLINE, off);
		hp_sample(row, M_GUEST_REMOVE, rm);
		hp_sample(row, M_MIGRATED, pages);
	}
}

static int hp_run_remove(struct bench_qvm *vm, struct hp_row *row, unsigned i,
			 struct errmsg *e)
{
	static char out[4096];
	char id[32], *p;
	double ms;
	int r, pid = 0;

	snprintf(id, sizeof(id), "br%u", i);
	r = hp_add(vm, id, &ms, e);
	if (!r)
		r = bench_qvm_cmd(vm, "hog 32M random", out, sizeof(out));
	if (!r && ((p = strstr(out, "pid ")) == NULL || sscanf(p, "pid %d", &pid) != 1))
		r = errmsg_set(e, -EIO, "hog did not start: %.80s", out);
	if (!r)
		r = hp_del(vm, id, &ms, e);
	if (!r) {
		hp_sample(row, M_DEL_32M, ms);
		hp_guest_account(vm, row);
		snprintf(out, sizeof(out), "kill %d", pid);
		r = bench_qvm_cmd(vm, out, out, sizeof(out));
	}
	return r;
}

static void hp_backend(enum bench_backend b, const struct hp_opts *o,
		       const char *self, struct hp_row *row)
{
	struct bench_qvm *vm = calloc(1, sizeof(*vm));
	struct bench_vm spec = { .self = self, .kernel = o->kernel,
				 .memory = "256M", .slots = 8, .maxmem = "4G" };
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
	snprintf(vm->sock, sizeof(vm->sock), "/tmp/mv-bench-hp-%d-%d.sock",
		 (int)getpid(), (int)b);
	spec.qmp = vm->sock;
	bench_backend_argv(&argv, b, &spec);
	fprintf(stderr, "%s: booting\n", bench_backend_name[b]);
	r = bench_qvm_boot(vm, &argv, HP_TIMEOUT_MS, &e);
	for (i = 0; !r && i < o->runs; i++)
		r = hp_run_add(vm, row, i, &e);
	for (i = 0; !r && i < o->runs; i++)
		r = hp_run_remove(vm, row, i, &e);
	if (r)
		snprintf(row->note, sizeof(row->note), "%s: %s",
			 bench_backend_name[b], e.msg);
	bench_qvm_stop(vm);
	bench_argv_free(&argv);
	free(vm);
}

/* ------------------------------------------------------------ report */

static bool hp_median(const struct hp_row *row, enum hp_metric m,
		      struct bench_stats *st)
{
	return row->n[m] && !bench_stats_compute(row->v[m], row->n[m], st);
}

static void hp_print_metric(const struct hp_row *rows, const char *title,
			    enum hp_metric m)
{
	struct bench_stats st, ref;
	bool have_ref = hp_median(&rows[BENCH_MEMVISOR], m, &ref);

	printf("\n%s\n%-18s %5s %10s %10s %10s %12s\n", title, "backend", "runs",
	       "median ms", "min ms", "max ms", "vs memvisor");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		if (!hp_median(&rows[b], m, &st)) {
			printf("%-18s %5u %s\n", bench_backend_name[b], 0, "-");
			continue;
		}
		printf("%-18s %5u %10.2f %10.2f %10.2f", bench_backend_name[b], rows[b].n[m],
		       st.median, st.min, st.max);
		if (have_ref && ref.median > 0)
			printf(" %11.2fx", st.median / ref.median);
		printf("\n");
	}
}

static void hp_print_add_split(const struct hp_row *rows)
{
	struct bench_stats tot, add, on;

	printf("\nwhere hot-add goes (medians; guest times from its dmesg)\n");
	printf("%-18s %10s %16s %16s %12s\n", "backend", "total ms",
	       "guest add ms", "guest online ms", "host+rest ms");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		if (!hp_median(&rows[b], M_ADD, &tot) ||
		    !hp_median(&rows[b], M_GUEST_ADD, &add) ||
		    !hp_median(&rows[b], M_GUEST_ONLINE, &on))
			continue;
		printf("%-18s %10.2f %16.2f %16.2f %12.2f\n", bench_backend_name[b],
		       tot.median, add.median, on.median,
		       tot.median - add.median - on.median);
	}
}

static void hp_print_split(const struct hp_row *rows)
{
	struct bench_stats tot, off, rm, mig;

	printf("\nwhere hot-remove with 32 MiB in use goes (medians; guest times from its dmesg)\n");
	printf("%-18s %10s %16s %14s %12s %10s\n", "backend", "total ms",
	       "guest offline ms", "guest rm ms", "host+rest ms", "migrated");
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		if (!hp_median(&rows[b], M_DEL_32M, &tot) ||
		    !hp_median(&rows[b], M_GUEST_OFFLINE, &off) ||
		    !hp_median(&rows[b], M_GUEST_REMOVE, &rm) ||
		    !hp_median(&rows[b], M_MIGRATED, &mig))
			continue;
		printf("%-18s %10.2f %16.2f %14.2f %12.2f %10.0f\n", bench_backend_name[b],
		       tot.median, off.median, rm.median,
		       tot.median - off.median - rm.median, mig.median);
	}
}

static void hp_report(const struct hp_row *rows)
{
	hp_print_metric(rows, "hot-add 128 MiB: device_add -> guest's _OST success (added and onlined)",
			M_ADD);
	hp_print_add_split(rows);
	hp_print_metric(rows, "hot-remove 128 MiB, empty: device_del -> DEVICE_DELETED",
			M_DEL_EMPTY);
	hp_print_metric(rows, "hot-remove 128 MiB with 32 MiB in use (migrated): device_del -> DEVICE_DELETED",
			M_DEL_32M);
	hp_print_split(rows);
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		if (rows[b].note[0])
			printf("note: %s\n", rows[b].note);
}

/* ------------------------------------------------------------ main */

enum { OPT_RUNS, OPT_KERNEL, OPT_NO_QEMU };

static const struct cli_option hp_options[] = {
	{ "runs", "N", "hot-adds and hot-removes per backend (default 20,\n"
	  "at most 1000)", OPT_RUNS },
	{ "kernel", "PATH", BENCH_KERNEL_HELP, OPT_KERNEL },
	{ "no-qemu", NULL, "run memvisor only", OPT_NO_QEMU },
	{ 0 },
};

static int hp_option(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct hp_opts *o = opaque;

	switch (key) {
	case OPT_RUNS:
		return bench_parse_runs(arg, HP_MAX_RUNS, &o->runs, e);
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

/* Every metric's samples, @runs of each, for every backend. 0 or -ENOMEM. */
static int hp_rows_alloc(struct hp_row *rows, unsigned long runs)
{
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		for (int m = 0; m < HP_NR_METRICS; m++)
			if (!(rows[b].v[m] = calloc(runs, sizeof(double))))
				return -ENOMEM;
	return 0;
}

static void hp_rows_free(struct hp_row *rows)
{
	for (int b = 0; b < BENCH_NR_BACKENDS; b++)
		for (int m = 0; m < HP_NR_METRICS; m++)
			free(rows[b].v[m]);
}

static int hp_bench(const void *opts, const char *self_path)
{
	const struct hp_opts *o = opts;
	struct hp_row rows[BENCH_NR_BACKENDS] = { 0 };
	const char *why;

	if (hp_rows_alloc(rows, o->runs)) {
		hp_rows_free(rows);
		return cli_fail(HP_NAME, EXIT_FAIL, "out of memory");
	}
	signal(SIGPIPE, SIG_IGN);
	for (int b = 0; b < BENCH_NR_BACKENDS; b++) {
		why = bench_backend_skip(b, o->no_qemu);
		if (why)
			snprintf(rows[b].note, sizeof(rows[b].note), "%s: %s",
				 bench_backend_name[b], why);
		else
			hp_backend(b, o, self_path, &rows[b]);
	}
	hp_report(rows);
	hp_rows_free(rows);
	return rows[BENCH_MEMVISOR].n[M_ADD] ? 0 : EXIT_FAIL;
}

int bench_hotplug_main(int argc, char **argv, const char *self_path)
{
	struct hp_opts o = { .runs = HP_DEFAULT_RUNS };
	const struct cli_table table = { NULL, hp_options, hp_option, &o };
	const struct cli_cmd cmd = {
		.name = HP_NAME,
		.synopsis = "[options]",
		.description =
		"On memvisor, QEMU -accel kvm and QEMU -accel tcg (same guest):\n"
		"hot-add a 128 MiB DIMM N times and time it to the guest's _OST;\n"
		"then N times hot-remove one holding a 32 MiB hog, and split that\n"
		"time between the guest's migration and the rest.\nOptions:\n",
		.tables = &table, .nr_tables = 1,
	};
	return bench_cmd_run(&cmd, argc, argv, self_path, &o.kernel, hp_bench, &o);
}
