/*
 * `memvisor bench`: boot-time benchmark of memvisor against QEMU (KVM and
 * TCG), each booting the same guest.elf until it prints BENCH_READY_LINE.
 */
#ifndef TOOLS_BENCH_BENCH_H
#define TOOLS_BENCH_BENCH_H

#include <stddef.h>

/* What the guest kernel prints on its console once it is up. */
#define BENCH_READY_LINE "memvisor guest ready"

/*
 * Entry point for `memvisor bench ...`: @argv starts after "bench"
 * (argv[0] is the subcommand, "boot"). @self_path is the memvisor binary,
 * used to run it and to find guest.elf next to it. Returns an exit status.
 */
int bench_main(int argc, char **argv, const char *self_path);

/*
 * `memvisor bench hotplug` (bench_hotplug.c): @argv[0] is "hotplug";
 * @default_kernel is used unless --kernel is given. Returns an exit status.
 */
int bench_hotplug_main(int argc, char **argv, const char *self_path,
		       const char *default_kernel);

/* Summary of a set of samples (milliseconds). */
struct bench_stats {
	double median;	/* mean of the middle two for an even count */
	double min;
	double max;
};

/* Compute @st from @n samples (not modified). 0, or -EINVAL if n == 0. */
int bench_stats_compute(const double *samples, size_t n,
			struct bench_stats *st);

/* One run of one backend. */
struct bench_result {
	double ms;		/* from exec to the ready line */
	int status;		/* wait status once killed */
	char last_line[128];	/* last console line before the end */
};

/*
 * Start @argv (argv[0] looked up on PATH) with its stdin and stdout on pipes
 * (stderr joins stdout), time it from just before exec until a line
 * containing BENCH_READY_LINE, then kill it. 0 with res->ms set;
 * -ETIMEDOUT after @timeout_ms; -EPIPE if its output ended first; the exec
 * errno (e.g. -ENOENT) if it could not start; other -errno on failure.
 */
int bench_run_once(char *const argv[], unsigned timeout_ms,
		   struct bench_result *res);

#endif
