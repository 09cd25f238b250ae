/*
 * What the benchmarks share (tools/bench only): the statistics, one
 * child-process helper, the backends' command lines and why one is
 * skipped.
 *
 * The child-process helper starts a VMM with its stdin and stdout on pipes
 * (stderr joins stdout), in a process group of its own, with SIGKILL as its
 * parent-death signal, so that an interrupted benchmark leaves nothing
 * behind; every read has a deadline; stopping kills the whole group, reaps
 * it and closes the pipes. No failure path leaks a descriptor, and the
 * helper never closes a descriptor it did not open (fd 0, 1 and 2 stay).
 */
#ifndef TOOLS_BENCH_BENCH_INTERNAL_H
#define TOOLS_BENCH_BENCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tools/bench/bench.h"
#include "vmm/error.h"

/* What the guest kernel prints on its console once it is up. */
#define BENCH_READY_LINE "memvisor guest ready"
#define BENCH_QEMU       "qemu-system-x86_64"
/* Every benchmark's --kernel PATH. */
#define BENCH_KERNEL_HELP \
	"the guest kernel (default: guest.elf next to\nthe memvisor binary)"

/* ------------------------------------------------------------ statistics */

/* Summary of a set of samples. */
struct bench_stats {
	double median;          /* mean of the middle two for an even count */
	double min;
	double max;
};

/* Compute @st from @n samples (not modified). 0, -EINVAL if n == 0, or
 * -ENOMEM. */
int bench_stats_compute(const double *samples, size_t n,
			struct bench_stats *st);

/* ------------------------------------------------------------ children */

#define BENCH_ARGV_MAX 32

/* A command line under construction; each argument is a copy. */
struct bench_argv {
	char *v[BENCH_ARGV_MAX + 1];    /* NULL-terminated */
	unsigned int n;
	int err;                /* first failure (-ENOMEM, -E2BIG), kept */
};

/* Append the strings up to NULL (each copied). A failure is kept in @a->err
 * and reported by bench_child_start(). */
void bench_argv_add(struct bench_argv *a, ...) __attribute__((sentinel));
/* Append one argument made by printf-style @fmt. */
void bench_argv_addf(struct bench_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_argv_free(struct bench_argv *a);

/* A started child; pid 0 and fds -1 when there is none. */
struct bench_child {
	pid_t pid;              /* also its process group */
	int in_fd;              /* its stdin */
	int out_fd;             /* its stdout and stderr */
	double t0_ms;           /* bench_now_ms() just before exec */
};

/* CLOCK_MONOTONIC in milliseconds. */
double bench_now_ms(void);

/*
 * Start @a->v (v[0] looked up on PATH). 0; @a->err; the exec errno (e.g.
 * -ENOENT) if it could not start; another -errno. On failure nothing is
 * left: no process, no descriptor, and @ch is as after bench_child_stop().
 */
int bench_child_start(struct bench_child *ch, const struct bench_argv *a);

/* Read its output into @buf: the byte count, -EPIPE once it has ended,
 * -ETIMEDOUT at @deadline_ms (bench_now_ms() clock). */
ssize_t bench_child_read(struct bench_child *ch, char *buf, size_t len,
			 double deadline_ms);

/* Write @s (all of it) to its stdin. 0 or -errno. */
int bench_child_write(struct bench_child *ch, const char *s);

/* Kill its process group, reap it, close the pipes; its wait status. Safe
 * to call again, and on a child that never started. */
int bench_child_stop(struct bench_child *ch);

/* ------------------------------------------------------------ backends */

/* The backends, memvisor first (the reference of every ratio). */
enum bench_backend { BENCH_MEMVISOR, BENCH_QEMU_KVM, BENCH_QEMU_TCG,
		     BENCH_NR_BACKENDS };

extern const char *const bench_backend_name[BENCH_NR_BACKENDS];

/* The VM a benchmark boots, the same on every backend. */
struct bench_vm {
	const char *self;       /* the memvisor binary */
	const char *kernel;
	const char *memory;     /* boot RAM, "256M" */
	unsigned int slots;     /* DIMM slots; 0: no hotplug options */
	const char *maxmem;     /* with slots */
	const char *qmp;        /* QMP socket path, or NULL */
	bool balloon;           /* QEMU: -device virtio-balloon-pci,id=balloon0
				 * (memvisor always has one) */
	const char *ksm;        /* memvisor: --ksm PATH, or NULL */
	bool mem_merge;         /* QEMU: -machine pc,mem-merge=on */
	const char *drive;      /* a raw image as a virtio disk, or NULL */
};

/* Append backend @b's command line for @vm to @a. */
void bench_backend_argv(struct bench_argv *a, enum bench_backend b,
			const struct bench_vm *vm);

/* Why backend @b cannot run here ("skipped: ..."), or NULL if it can. */
const char *bench_backend_skip(enum bench_backend b, bool no_qemu);

/* ------------------------------------------------------------ boot */

/* One run of one backend. */
struct bench_result {
	double ms;              /* from exec to the ready line */
	int status;             /* wait status once killed */
	char last_line[128];    /* last console line before the end */
};

/*
 * Start @a, time it from just before exec until a line containing
 * BENCH_READY_LINE, then kill it. 0 with res->ms set; -ETIMEDOUT after
 * @timeout_ms; -EPIPE if its output ended first; bench_child_start()'s
 * error if it could not start.
 */
int bench_run_once(const struct bench_argv *a, unsigned int timeout_ms,
		   struct bench_result *res);

struct cli_cmd;

/*
 * A benchmark's entry: parse its options with @cmd (its tables fill @opts;
 * no positional arguments), default *@kernel to guest.elf beside
 * @self_path, then @run(@opts, @self_path). The exit status: 0 after
 * --help, the mistake's status, or @run's.
 */
int bench_cmd_run(const struct cli_cmd *cmd, int argc, char **argv,
		  const char *self_path, const char **kernel,
		  int (*run)(const void *opts, const char *self_path),
		  const void *opts);

/* --runs N, from 1 to @max: 0, or -EINVAL with @e filled. */
int bench_parse_runs(const char *arg, unsigned long max, unsigned long *runs,
		     struct errmsg *e);

/* The subcommands: @argv[0] is "boot", "hotplug", "balloon", "reclaim"
 * or "density". Exit statuses. */
int bench_boot_main(int argc, char **argv, const char *self_path);
int bench_hotplug_main(int argc, char **argv, const char *self_path);
int bench_balloon_main(int argc, char **argv, const char *self_path);
int bench_density_main(int argc, char **argv, const char *self_path);
int bench_reclaim_main(int argc, char **argv, const char *self_path);

#endif
