/*
 * `memvisor bench density`: how much host memory N guests use with
 * memvisor's ksmd, with QEMU and Linux KSM, and with no dedup at all.
 *
 * The workload: N guests (--vms, --memory), each runs hogs over half its
 * memory in the --mix of shared (`hog random --seed 7`: the same bytes in
 * every guest), zero (`hog zero`) and unique (`hog random` with a seed of
 * its own) content. Once every hog has filled, the baseline memory is
 * taken and the scanner is started (t = 0); then every 100 ms a sample:
 * the memory of the VM processes and memvisor ksmd (which holds the pool
 * of merged pages): their PSS without shmem, plus the blocks of every
 * memfd they hold, once each (bench_density_host.c); the pages merged,
 * the scanner's CPU time (ns, schedstat) and the pages it scanned. A setup is stable after three full scans of which the
 * last changed the merged count by less than 0.5 % (or at --timeout).
 *
 * The setups, one after the other:
 *   memvisor         memvisor run --ksm with `memvisor ksmd` (pages_to_scan
 *                    --pages-to-scan every 20 ms, then each --ksm setting);
 *                    CPU: ksmd's process and the VMs' "ksm" threads, which
 *                    carry out the merges
 *   qemu+linux-ksm   qemu-system-x86_64 -accel kvm -machine pc,mem-merge=on
 *                    with the host's /sys/kernel/mm/ksm, for each setting of
 *                    --linux: "default" (the host's pages_to_scan), a number,
 *                    or "match": the pages_to_scan at which Linux's ksmd
 *                    (at the CPU per page measured in the previous Linux
 *                    row) uses memvisor's average CPU until its t95. CPU:
 *                    the [ksmd] kernel thread. Between settings run=2
 *                    unmerges; at the end run=2, then every knob back as it
 *                    was (also on SIGINT/SIGTERM/SIGHUP).
 *   no-dedup         memvisor run without --ksm.
 * Host side helpers are in bench_density_host.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "tools/bench/bench_density.h"
#include "tools/bench/bench_internal.h"
#include "vmm/cli.h"
#include "vmm/util.h"

#define DN_NAME         "memvisor bench density"
#define DN_MAX_VMS      32
#define DN_CON_MAX      8192
#define DN_TIMEOUT_MS   300000          /* a boot, a hog */
#define DN_PROMPT       "guest# "
#define DN_SHARED_SEED  7
#define DN_MAX_RUNS     8

#define DN_MAX_KSM_SET 8

struct dn_opts {
	unsigned long vms, pages_to_scan, timeout_s;
	uint64_t memory;
	char memory_s[32];
	unsigned long mix[3];           /* shared, zero, unique: percent */
	char linux_list[128];
	const char *ksm_set[DN_MAX_KSM_SET];  /* --ksm NAME=VALUE, in order */
	unsigned int nr_ksm_set;
	const char *out, *kernel;
	bool no_qemu;
};

struct dn_vm {
	struct bench_child ch;
	char con[DN_CON_MAX];
	size_t len;
};

enum dn_kind { DN_MEMVISOR, DN_LINUX, DN_NONE };

/* One setup being measured. */
struct dn_setup {
	enum dn_kind kind;
	struct dn_vm *vm;               /* opts->vms of them */
	unsigned int nr_vm;
	struct bench_child ksmd;
	char sock[96];
	pid_t kthread;                  /* Linux's ksmd */
	double cpu0;
	unsigned long scanned0;
};

/* ------------------------------------------------------------ consoles */

static long con_wait(struct dn_vm *v, const char *needle, double deadline)
{
	char *hit;
	ssize_t n;

	for (;;) {
		v->con[v->len] = '\0';
		if ((hit = strstr(v->con, needle)))
			return hit - v->con;
		if (v->len + 1 >= sizeof(v->con)) {     /* keep the newer half */
			memmove(v->con, v->con + v->len / 2, v->len - v->len / 2);
			v->len -= v->len / 2;
		}
		n = bench_child_read(&v->ch, v->con + v->len,
				     sizeof(v->con) - 1 - v->len, deadline);
		if (n < 0)
			return (long)n;
		v->len += n;
	}
}

/* Wait for @needle and then the prompt; consume everything. */
static int con_expect(struct dn_vm *v, const char *needle)
{
	double deadline = bench_now_ms() + DN_TIMEOUT_MS;
	long r = con_wait(v, needle, deadline);

	if (r >= 0) {
		memmove(v->con, v->con + r, v->len - r);
		v->len -= r;
		r = con_wait(v, DN_PROMPT, deadline);
	}
	v->len = 0;
	return r < 0 ? (int)r : 0;
}

/* ------------------------------------------------------------ setups */

static void setup_stop(struct dn_setup *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_vm; i++)
		bench_child_stop(&s->vm[i].ch);
	s->nr_vm = 0;
	if (s->ksmd.pid > 0)
		bench_child_stop(&s->ksmd);
	if (s->sock[0])
		unlink(s->sock);
	free(s->vm);
	s->vm = NULL;
}

static int start_ksmd(struct dn_setup *s, const char *self)
{
	struct bench_argv a = { .n = 0 };
	char buf[256];
	int ret;

	snprintf(s->sock, sizeof(s->sock), "/tmp/memvisor-density-%d.sock",
		 (int)getpid());
	bench_argv_add(&a, self, "ksmd", "--socket", s->sock, NULL);
	ret = bench_child_start(&s->ksmd, &a);
	bench_argv_free(&a);
	if (ret)
		return ret;
	/* "ksmd: listening on ..." */
	ret = (int)bench_child_read(&s->ksmd, buf, sizeof(buf), bench_now_ms() + 30000);
	return ret < 0 ? ret : 0;
}

/* Boot every VM, then fill its hogs. 0 or -errno with @why filled. */
static int setup_boot(struct dn_setup *s, const struct dn_opts *o,
		      const char *self, char *why, size_t wsize)
{
	struct bench_vm bv = { .self = self, .kernel = o->kernel,
			       .memory = o->memory_s };
	uint64_t hog_mib = o->memory / 2 >> 20;
	unsigned long mib[3];
	char cmd[128];
	unsigned int i, k;
	int ret;

	for (k = 0; k < 3; k++)
		mib[k] = hog_mib * o->mix[k] / 100;
	s->vm = calloc(o->vms, sizeof(*s->vm));
	if (!s->vm)
		return -ENOMEM;
	if (s->kind == DN_MEMVISOR && (ret = start_ksmd(s, self))) {
		snprintf(why, wsize, "cannot start memvisor ksmd: %s", strerror(-ret));
		return ret;
	}
	bv.ksm = s->kind == DN_MEMVISOR ? s->sock : NULL;
	bv.mem_merge = s->kind == DN_LINUX;
	for (i = 0; i < o->vms; i++) {
		struct bench_argv a = { .n = 0 };

		bench_backend_argv(&a, s->kind == DN_LINUX ? BENCH_QEMU_KVM :
				   BENCH_MEMVISOR, &bv);
		ret = bench_child_start(&s->vm[i].ch, &a);
		bench_argv_free(&a);
		if (ret) {
			snprintf(why, wsize, "cannot start VM %u: %s", i, strerror(-ret));
			return ret;
		}
		s->nr_vm++;
	}
	for (i = 0; i < s->nr_vm; i++)
		if ((ret = con_expect(&s->vm[i], BENCH_READY_LINE))) {
			snprintf(why, wsize, "VM %u did not boot", i);
			return ret;
		}
	for (k = 0; k < 3; k++) {
		if (!mib[k])
			continue;
		for (i = 0; i < s->nr_vm; i++) {
			if (k == 0)
				snprintf(cmd, sizeof(cmd), "hog %luM random --seed %d --name shared\n",
					 mib[k], DN_SHARED_SEED);
			else if (k == 1)
				snprintf(cmd, sizeof(cmd), "hog %luM zero --name zero\n", mib[k]);
			else
				snprintf(cmd, sizeof(cmd), "hog %luM random --seed %u --name unique\n",
					 mib[k], 1000 + i);
			if ((ret = bench_child_write(&s->vm[i].ch, cmd)))
				return ret;
		}
		for (i = 0; i < s->nr_vm; i++)
			if ((ret = con_expect(&s->vm[i], " filled "))) {
				snprintf(why, wsize, "VM %u: a hog did not fill", i);
				return ret;
			}
	}
	return 0;
}

/* ------------------------------------------------------------ sampling */

struct dn_stats {
	unsigned long merged, scanned, full_scans;
};

static void memvisor_stats(struct dn_setup *s, struct dn_stats *st)
{
	struct errmsg e = { .msg = "" };
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned long v;
	char name[64];

	memset(st, 0, sizeof(*st));
	if (!f)
		return;
	ksm_ctl_get(s->sock, NULL, f, &e);
	fclose(f);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (sscanf(p, "%63[a-z_]: %lu", name, &v) != 2)
			continue;
		if (!strcmp(name, "pages_sharing") || !strcmp(name, "ksm_zero_pages"))
			st->merged += v;
		else if (!strcmp(name, "pages_scanned"))
			st->scanned = v;
		else if (!strcmp(name, "full_scans"))
			st->full_scans = v;
	}
	free(buf);
}

static void take_stats(struct dn_setup *s, struct dn_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s->kind == DN_MEMVISOR) {
		memvisor_stats(s, st);
	} else if (s->kind == DN_LINUX) {
		st->merged = density_lk_get("pages_sharing") + density_lk_get("ksm_zero_pages");
		st->scanned = density_lk_get("pages_scanned");
		st->full_scans = density_lk_get("full_scans");
	}
}

static double take_cpu(struct dn_setup *s)
{
	double cpu = 0;
	unsigned int i;

	if (s->kind == DN_LINUX)
		return s->kthread ? density_cpu_s(s->kthread, NULL) : 0;
	if (s->kind == DN_NONE)
		return 0;
	cpu = density_cpu_s(s->ksmd.pid, NULL);
	for (i = 0; i < s->nr_vm; i++)
		cpu += density_cpu_s(s->vm[i].ch.pid, "ksm");
	return cpu;
}

static long take_kib(struct dn_setup *s)
{
	pid_t pids[DN_MAX_VMS + 1];
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_vm; i++)
		pids[n++] = s->vm[i].ch.pid;
	if (s->kind == DN_MEMVISOR)
		pids[n++] = s->ksmd.pid;
	return density_used_kib(pids, n);
}

/* Drain what the VMs and ksmd print, so that no pipe fills up. */
static void drain(struct dn_setup *s)
{
	char buf[4096];
	unsigned int i;

	for (i = 0; i < s->nr_vm; i++)
		while (bench_child_read(&s->vm[i].ch, buf, sizeof(buf), 0) > 0)
			;
	if (s->ksmd.pid > 0)
		while (bench_child_read(&s->ksmd, buf, sizeof(buf), 0) > 0)
			;
}

/* The saving at 95 % of the final one: t95 and what had been spent. */
static void find_t95(struct density_run *r)
{
	const struct density_sample *last = &r->s[r->nr - 1];
	long final = r->base_kib - last->kib;
	unsigned int i;

	r->t95 = last->t;
	r->cpu95 = last->cpu;
	r->scanned95 = last->scanned;
	r->merged95 = last->merged;
	if (final <= 0)
		return;
	for (i = 0; i < r->nr; i++)
		if (r->base_kib - r->s[i].kib >= final * 95 / 100)
			break;
	if (i < r->nr) {
		r->t95 = r->s[i].t;
		r->cpu95 = r->s[i].cpu;
		r->scanned95 = r->s[i].scanned;
		r->merged95 = r->s[i].merged;
	}
}

static volatile sig_atomic_t dn_interrupted;

/* Sample @s every 100 ms from now (t = 0) until stable. */
static void sample(struct dn_setup *s, const struct dn_opts *o,
		   struct density_run *r)
{
	double t0 = bench_now_ms();
	unsigned long fs0, fs_last, merged_at_fs = 0, scans = 0;
	struct dn_stats st;
	bool stable = false;

	take_stats(s, &st);
	fs0 = fs_last = st.full_scans;
	s->scanned0 = st.scanned;
	s->cpu0 = take_cpu(s);
	r->nr = 0;
	while (!stable && !dn_interrupted && r->nr < DENSITY_MAX_SAMPLES) {
		struct density_sample *x = &r->s[r->nr++];

		usleep(100000);
		take_stats(s, &st);
		x->t = (bench_now_ms() - t0) / 1000;
		x->kib = take_kib(s);
		x->merged = st.merged;
		x->cpu = take_cpu(s) - s->cpu0;
		x->scanned = st.scanned - s->scanned0;
		drain(s);
		if (st.full_scans != fs_last) {
			unsigned long d = st.merged > merged_at_fs ?
				st.merged - merged_at_fs : merged_at_fs - st.merged;

			scans = st.full_scans - fs0;
			stable = scans >= 3 && d * 200 <= st.merged;
			merged_at_fs = st.merged;
			fs_last = st.full_scans;
		}
		if (s->kind == DN_NONE && x->t >= 3)
			stable = true;
		if (x->t >= o->timeout_s)
			break;
	}
	r->ran = true;
	find_t95(r);
}

/* ------------------------------------------------------------ the setups */

/* Would ksmd take the --ksm settings so far, after the bench's own (as
 * run_memvisor gives them)? Checked while the options are read, so a
 * mistake is one line and exit 2, before anything boots. */
static int ksm_set_check(const struct dn_opts *o, struct errmsg *e)
{
	const char *set[2 + DN_MAX_KSM_SET] = { "pages_to_scan=1",
						"sleep_millisecs=20" };
	struct errmsg why = { .msg = "" };
	int ret;

	memcpy(set + 2, o->ksm_set, o->nr_ksm_set * sizeof(set[0]));
	ret = ksm_settings_check(set, 2 + o->nr_ksm_set, &why);
	return ret ? errmsg_user(e, ret, "--ksm %s", why.msg) : 0;
}

/* The --ksm settings, in order: 0 or the first refusal's result. */
static int ksm_set_all(const char *sock, const struct dn_opts *o,
		       struct errmsg *e)
{
	for (unsigned int i = 0; i < o->nr_ksm_set; i++)
		if (ksm_ctl_set(sock, o->ksm_set[i], e))
			return -EINVAL;
	return 0;
}

static void run_memvisor(const struct dn_opts *o, const char *self,
			 enum dn_kind kind, struct density_run *r)
{
	struct dn_setup s = { .kind = kind };
	struct errmsg e = { .msg = "" };
	char set[64];

	fprintf(stderr, "  %s: booting %lu VMs\n", r->name, o->vms);
	if (setup_boot(&s, o, self, r->note, sizeof(r->note)))
		goto out;
	r->base_kib = take_kib(&s);
	if (kind == DN_MEMVISOR) {
		snprintf(set, sizeof(set), "pages_to_scan=%lu", o->pages_to_scan);
		if (ksm_ctl_set(s.sock, set, &e) ||
		    ksm_ctl_set(s.sock, "sleep_millisecs=20", &e) ||
		    ksm_set_all(s.sock, o, &e) ||
		    ksm_ctl_set(s.sock, "run=1", &e)) {
			snprintf(r->note, sizeof(r->note), "ksmd: %.150s", e.msg);
			goto out;
		}
	}
	sample(&s, o, r);
	if (kind == DN_MEMVISOR)
		fprintf(stderr, "  memvisor CPU: ksmd %.2f s, the VMs' ksm threads %.2f s\n",
			density_cpu_s(s.ksmd.pid, NULL), take_cpu(&s) -
			density_cpu_s(s.ksmd.pid, NULL));
out:
	setup_stop(&s);
}

/* Linux's pages_to_scan giving its ksmd memvisor's average CPU until t95,
 * at the CPU per page of the Linux row @lr. */
static unsigned long match_pages(const struct density_run *mv,
				 const struct density_run *lr)
{
	double f, c, p;

	if (!mv->ran || !lr || !lr->ran || mv->t95 <= 0 || !lr->s[lr->nr - 1].scanned)
		return 0;
	f = mv->cpu95 / mv->t95;
	c = lr->s[lr->nr - 1].cpu / lr->s[lr->nr - 1].scanned;
	if (f > 0.95)
		f = 0.95;
	p = f * 0.020 / (c * (1 - f));
	return p < 1 ? 1 : p > 1000000 ? 1000000 : (unsigned long)p;
}

/* A cpu-matched row is run again, at most MATCH_TRIES times in all, while
 * its average CPU until t95 is off memvisor's by more than MATCH_OFF: the
 * CPU per page Linux's ksmd spends falls as pages_to_scan grows, so the
 * first guess, from the default row, gives it too little. */
#define MATCH_TRIES 3
#define MATCH_OFF 0.10

/* Average CPU until t95, in CPUs. */
static double avg_cpu(const struct density_run *r)
{
	return r->t95 > 0 ? r->cpu95 / r->t95 : 0;
}

/* The next try's pages_to_scan: ksmd's share of each 20 ms period (its
 * batch, then the sleep) is f = x / (x + sleep), x growing with
 * pages_to_scan, so scale pages_to_scan by x/sleep = f / (1 - f) wanted
 * over had. */
static unsigned long match_again(unsigned long pts, const struct density_run *mv,
				 const struct density_run *r)
{
	double want = avg_cpu(mv), had = avg_cpu(r), p;

	if (want > 0.95)
		want = 0.95;
	if (had <= 0 || had >= 1)
		return pts;
	p = pts * (want / (1 - want)) / (had / (1 - had));
	return p < 1 ? 1 : p > 1000000 ? 1000000 : (unsigned long)p;
}

static bool cpu_matched(const struct density_run *mv, const struct density_run *r)
{
	double a = avg_cpu(mv), b = avg_cpu(r);

	return a > 0 && b >= a * (1 - MATCH_OFF) && b <= a * (1 + MATCH_OFF);
}

/* run=2 and wait (bounded) until nothing is shared. */
static void lk_unmerge(void)
{
	double end = bench_now_ms() + 120000;

	density_lk_set("run", "2");
	while (density_lk_get("pages_shared") > 0 && bench_now_ms() < end &&
	       !dn_interrupted)
		usleep(100000);
}

/* One Linux row: unmerged, then sampled from run=1 at @pts. */
static void run_linux_row(struct dn_setup *s, const struct dn_opts *o,
			  struct density_run *r, unsigned long pts)
{
	char val[32];

	lk_unmerge();
	density_lk_set("run", "0");
	r->base_kib = take_kib(s);
	snprintf(val, sizeof(val), "%lu", pts);
	density_lk_set("pages_to_scan", val);
	density_lk_set("sleep_millisecs", "20");
	fprintf(stderr, "  %s\n", r->name);
	density_lk_set("run", "1");
	sample(s, o, r);
}

static void run_linux(const struct dn_opts *o, const char *self,
		      struct density_run *runs, unsigned int *nr)
{
	struct dn_setup s = { .kind = DN_LINUX };
	struct density_run *mv = &runs[0], *prev = NULL;
	char list[128], *tok, *save;
	unsigned long pts;

	snprintf(list, sizeof(list), "%s", o->linux_list);
	s.kthread = density_kthread("ksmd");
	fprintf(stderr, "  qemu+linux-ksm: booting %lu VMs\n", o->vms);
	if (setup_boot(&s, o, self, runs[*nr].note, sizeof(runs[*nr].note))) {
		snprintf(runs[*nr].name, sizeof(runs[*nr].name), "qemu+linux-ksm");
		(*nr)++;
		goto out;
	}
	for (tok = strtok_r(list, ",", &save); tok && *nr < DN_MAX_RUNS &&
	     !dn_interrupted; tok = strtok_r(NULL, ",", &save)) {
		struct density_run *r = &runs[(*nr)++];
		bool match = !strcmp(tok, "match");
		unsigned int try;

		if (!strcmp(tok, "default"))
			pts = density_lk_saved("pages_to_scan");
		else if (match)
			pts = match_pages(mv, prev);
		else
			pts = strtoul(tok, NULL, 10);
		for (try = 1; ; try++) {
			snprintf(r->name, sizeof(r->name), "qemu+linux-ksm pts=%lu%s", pts,
				 match ? " (cpu-matched)" :
				 !strcmp(tok, "default") ? " (default)" : "");
			if (!pts) {
				snprintf(r->note, sizeof(r->note), "no pages_to_scan to match (needs a memvisor row and a Linux row before)");
				break;
			}
			run_linux_row(&s, o, r, pts);
			if (!match || try == MATCH_TRIES || dn_interrupted ||
			    cpu_matched(mv, r))
				break;
			pts = match_again(pts, mv, r);
			fprintf(stderr, "  average CPU %.0f%% against memvisor's %.0f%%: again at pts=%lu\n",
				avg_cpu(r) * 100, avg_cpu(mv) * 100, pts);
		}
		if (pts)
			prev = r;
	}
out:
	lk_unmerge();
	density_lk_restore();
	setup_stop(&s);
}

static void on_signal(int sig)
{
	dn_interrupted = 1;
	density_lk_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ------------------------------------------------------------ the report */

static void report(const struct dn_opts *o, const struct density_run *runs,
		   unsigned int n)
{
	unsigned int i;

	printf("\nmemvisor bench density: %lu VMs x %s, hogs of %lu MiB each "
	       "(shared %lu%%, zero %lu%%, unique %lu%%)\n", o->vms, o->memory_s,
	       (unsigned long)(o->memory / 2 >> 20), o->mix[0], o->mix[1], o->mix[2]);
	for (i = 0; i < o->nr_ksm_set; i++)
		printf("%s%s", i ? ", " : "memvisor ksmd: ", o->ksm_set[i]);
	if (o->nr_ksm_set)
		printf("\n");
	printf("%-36s %12s %9s %9s %7s %8s %7s %10s %9s %11s\n", "setup", "merged pages",
	       "saved MiB", "used MiB", "t95 s", "CPU s", "avg CPU", "CPU s/GiB",
	       "merges/s", "CPU us/merge");
	for (i = 0; i < n; i++) {
		const struct density_run *r = &runs[i];
		const struct density_sample *l;
		double gib;

		if (!r->ran) {
			printf("%-36s %s\n", r->name, r->note);
			continue;
		}
		l = &r->s[r->nr - 1];
		gib = r->scanned95 * 4096.0 / (1 << 30);
		if (!l->merged) {               /* nothing to time */
			printf("%-36s %12d %9.1f %9.1f %7s %8s %7s %10s %9s %11s\n",
			       r->name, 0, (r->base_kib - l->kib) / 1024.0,
			       l->kib / 1024.0, "-", "-", "-", "-", "-", "-");
			continue;
		}
		printf("%-36s %12lu %9.1f %9.1f %7.1f %8.2f %6.0f%% %10.2f %9.0f %11.1f\n",
		       r->name, l->merged, (r->base_kib - l->kib) / 1024.0,
		       l->kib / 1024.0, r->t95, r->cpu95, avg_cpu(r) * 100,
		       gib > 0 ? r->cpu95 / gib : 0,
		       r->t95 > 0 ? r->merged95 / r->t95 : 0,
		       r->merged95 ? r->cpu95 * 1e6 / r->merged95 : 0);
	}
	printf("(t95: time to 95 %% of the final saving; CPU s and GiB scanned up to t95,\n"
	       " avg CPU = CPU s / t95 (100%% = one CPU); memvisor's CPU is ksmd plus the\n"
	       " VMs' ksm threads, Linux's the [ksmd] thread; a cpu-matched row is run\n"
	       " again, up to %d times, until its avg CPU is within %.0f%% of memvisor's)\n",
	       MATCH_TRIES, MATCH_OFF * 100);
}

/* ------------------------------------------------------------ options */

enum { OPT_VMS, OPT_MEMORY, OPT_MIX, OPT_PTS, OPT_KSM, OPT_LINUX,
       OPT_TIMEOUT, OPT_OUT, OPT_KERNEL, OPT_NO_QEMU };

static const struct cli_option dn_options[] = {
	{ "vms", "N", "guests per setup (default 8)", OPT_VMS },
	{ "memory", "SIZE", "each guest's memory (default 256M); its hogs\n"
	  "fill half of it", OPT_MEMORY },
	{ "mix", "S,Z,U", "percent of the hogs shared across VMs, zero,\n"
	  "unique (default 50,20,30)", OPT_MIX },
	{ "pages-to-scan", "N", "memvisor ksmd's pages_to_scan per 20 ms\n"
	  "(default 5000)", OPT_PTS },
	{ "ksm", "NAME=VALUE", "another setting of memvisor's ksmd (as `ctl ksm\n"
	  "set`: use_zero_pages=1, max_page_sharing=N, ...);\n"
	  "may be given up to 8 times", OPT_KSM },
	{ "linux", "LIST", "Linux ksmd's pages_to_scan settings: default,\n"
	  "match (memvisor's average CPU) or numbers (default\n"
	  "default,match)", OPT_LINUX },
	{ "timeout", "S", "longest a setup is sampled (default 300)", OPT_TIMEOUT },
	{ "out", "PREFIX", "PREFIX.dat, .gp, .png (default docs/bench/density)",
	  OPT_OUT },
	{ "kernel", "PATH", BENCH_KERNEL_HELP, OPT_KERNEL },
	{ "no-qemu", NULL, "skip QEMU with Linux KSM", OPT_NO_QEMU },
	{ 0 },
};

static int dn_option(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct dn_opts *o = opaque;

	switch (key) {
	case OPT_VMS:
		if (parse_uint(arg, 1, DN_MAX_VMS, &o->vms))
			return errmsg_user(e, -EINVAL, "--vms %s: expected 1 to %d", arg, DN_MAX_VMS);
		return 0;
	case OPT_MEMORY:
		if (parse_size(arg, 20, &o->memory) || o->memory < (64 << 20))
			return errmsg_user(e, -EINVAL, "--memory %s: expected a size of at least 64M", arg);
		snprintf(o->memory_s, sizeof(o->memory_s), "%luM",
			 (unsigned long)(o->memory >> 20));
		return 0;
	case OPT_MIX:
		if (sscanf(arg, "%lu,%lu,%lu", &o->mix[0], &o->mix[1], &o->mix[2]) != 3 ||
		    o->mix[0] + o->mix[1] + o->mix[2] != 100)
			return errmsg_user(e, -EINVAL, "--mix %s: expected three percentages adding up to 100", arg);
		return 0;
	case OPT_PTS:
		if (parse_uint(arg, 1, 1000000, &o->pages_to_scan))
			return errmsg_user(e, -EINVAL, "--pages-to-scan %s: expected 1 to 1000000", arg);
		return 0;
	case OPT_KSM:
		if (o->nr_ksm_set == DN_MAX_KSM_SET)
			return errmsg_user(e, -EINVAL, "--ksm %s: at most %d settings", arg, DN_MAX_KSM_SET);
		o->ksm_set[o->nr_ksm_set++] = arg;
		return ksm_set_check(o, e);
	case OPT_LINUX:
		snprintf(o->linux_list, sizeof(o->linux_list), "%s", arg);
		return 0;
	case OPT_TIMEOUT:
		if (parse_uint(arg, 5, 3600, &o->timeout_s))
			return errmsg_user(e, -EINVAL, "--timeout %s: expected 5 to 3600 seconds", arg);
		return 0;
	case OPT_OUT:
		o->out = arg;
		return 0;
	case OPT_KERNEL:
		o->kernel = arg;
		return 0;
	default:
		o->no_qemu = true;
		return 0;
	}
}

static int dn_bench(const void *opts, const char *self)
{
	const struct dn_opts *o = opts;
	struct density_run runs[DN_MAX_RUNS] = { 0 };
	unsigned int n = 0, i;
	const char *why;
	char title[160];
	int ret = EXIT_FAIL;

	for (i = 0; i < DN_MAX_RUNS; i++)
		if (!(runs[i].s = calloc(DENSITY_MAX_SAMPLES, sizeof(*runs[i].s))))
			goto out;
	signal(SIGPIPE, SIG_IGN);
	if ((why = bench_backend_skip(BENCH_MEMVISOR, false))) {
		fprintf(stderr, "%s: memvisor %s\n", DN_NAME, why);
		goto out;
	}
	snprintf(runs[n].name, sizeof(runs[n].name), "memvisor (ksmd pts=%lu)",
		 o->pages_to_scan);
	run_memvisor(o, self, DN_MEMVISOR, &runs[n++]);
	why = bench_backend_skip(BENCH_QEMU_KVM, o->no_qemu);
	if (!why && !density_lk_present())
		why = "skipped: /sys/kernel/mm/ksm is missing or not writable";
	if (!why && density_lk_save())
		why = "skipped: cannot read /sys/kernel/mm/ksm";
	if (why) {
		snprintf(runs[n].name, sizeof(runs[n].name), "qemu+linux-ksm");
		snprintf(runs[n++].note, sizeof(runs[0].note), "%s", why);
	} else {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		run_linux(o, self, runs, &n);
	}
	if (!dn_interrupted && n < DN_MAX_RUNS) {
		snprintf(runs[n].name, sizeof(runs[n].name), "no-dedup");
		run_memvisor(o, self, DN_NONE, &runs[n++]);
	}
	report(o, runs, n);
	snprintf(title, sizeof(title), "memvisor bench density --vms %lu --memory %s --mix %lu,%lu,%lu",
		 o->vms, o->memory_s, o->mix[0], o->mix[1], o->mix[2]);
	for (i = 0; i < n && !runs[i].ran; i++)
		;
	if (i < n) {
		struct density_run ran[DN_MAX_RUNS];
		unsigned int m = 0;

		for (i = 0; i < n; i++)
			if (runs[i].ran)
				ran[m++] = runs[i];
		ret = density_plot(o->out, ran, m, title);
		printf("plot: %s.png (%s)\n", o->out, ret < 0 ? "data not written" :
		       ret ? "gnuplot failed: data and script kept" : "gnuplot");
	}
	ret = runs[0].ran ? 0 : EXIT_FAIL;
out:
	for (i = 0; i < DN_MAX_RUNS; i++)
		free(runs[i].s);
	return ret;
}

int bench_density_main(int argc, char **argv, const char *self_path)
{
	struct dn_opts o = { .vms = 8, .memory = 256 << 20, .memory_s = "256M",
			     .mix = { 50, 20, 30 }, .pages_to_scan = 5000,
			     .linux_list = "default,match", .timeout_s = 300,
			     .out = "docs/bench/density" };
	const struct cli_table table = { NULL, dn_options, dn_option, &o };
	const struct cli_cmd cmd = {
		.name = DN_NAME,
		.synopsis = "[options]",
		.description =
		"N guests run hogs of shared, zero and unique content; then the host\n"
		"memory they use (PSS) and the scanner's CPU are sampled every 100 ms\n"
		"with memvisor's ksmd, with QEMU and Linux KSM (the host's\n"
		"/sys/kernel/mm/ksm, restored afterwards), and with no dedup.\n"
		"Prints a table and writes a plot (gnuplot).\nOptions:\n",
		.tables = &table, .nr_tables = 1,
	};
	return bench_cmd_run(&cmd, argc, argv, self_path, &o.kernel, dn_bench, &o);
}
