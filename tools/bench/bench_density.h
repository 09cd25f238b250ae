/*
 * `memvisor bench density` internals (tools/bench only): one setup's
 * samples, and the host side (bench_density_host.c): /proc readings, Linux
 * KSM's sysfs knobs saved and restored, the plot.
 */
#ifndef TOOLS_BENCH_BENCH_DENSITY_H
#define TOOLS_BENCH_BENCH_DENSITY_H

#include <stdbool.h>
#include <sys/types.h>

/* One sample, every 100 ms. */
struct density_sample {
	double t;                       /* s since the scanner started */
	long kib;                       /* memory of the VMs (+ ksmd) */
	unsigned long merged;           /* pages_sharing + ksm_zero_pages */
	double cpu;                     /* the scanner's CPU s since t=0 */
	unsigned long scanned;          /* pages scanned since t=0 */
};

#define DENSITY_MAX_SAMPLES 6000

/* One setup: a row of the table and a line of the plot. */
struct density_run {
	char name[48];
	struct density_sample *s;
	unsigned int nr;
	long base_kib;                  /* before the scanner started */
	double t95, cpu95;              /* at 95 % of the final saving */
	unsigned long scanned95, merged95;
	bool ran;
	char note[160];                 /* why it did not run */
};

/* Host memory used by processes @pids (see bench_density_host.c). */
long density_used_kib(const pid_t *pids, unsigned int n);
/* CPU seconds of @pid, or with @thread of its threads named so. */
double density_cpu_s(pid_t pid, const char *thread);
/* The kernel thread named @name (e.g. "ksmd"), or 0. */
pid_t density_kthread(const char *name);
pid_t density_ppid(pid_t pid);

/* Linux KSM (/sys/kernel/mm/ksm). */
bool density_lk_present(void);
long density_lk_get(const char *name);
int density_lk_set(const char *name, const char *value);
int density_lk_save(void);              /* pages_to_scan, sleep_millisecs, run */
void density_lk_restore(void);          /* async-signal-safe */
long density_lk_saved(const char *name);

int density_plot(const char *prefix, const struct density_run *runs,
		 unsigned int n, const char *title);

#endif
