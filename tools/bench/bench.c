/*
 * `memvisor bench`: the subcommand's dispatch, the options' common part,
 * and the statistics every benchmark reports (median, min, max of a set of
 * samples; a pure function, unit-tested in tests/unit/test_bench.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench/bench_internal.h"
#include "vmm/cli.h"
#include "vmm/util.h"

static const struct cli_cmd bench_cmd = {
	.name = "memvisor bench",
	.synopsis = "COMMAND [options]",
	.description =
	"Benchmarks, each on memvisor, QEMU -accel kvm and QEMU -accel tcg\n"
	"with the same guest.elf. Commands:\n"
	"  boot                  boot time, to the guest's ready line\n"
	"                        (memvisor bench boot --help)\n"
	"  hotplug               DIMM hot-add and hot-remove times\n"
	"                        (memvisor bench hotplug --help)\n"
	"  balloon               inflate and deflate 1 GiB of a 2 GiB guest\n"
	"                        (memvisor bench balloon --help)\n"
	"  reclaim               swap 256 MiB of a hog out and back in\n"
	"                        (memvisor bench reclaim --help)\n"
	"  density               memory saved by memvisor's ksmd, by Linux KSM\n"
	"                        under QEMU, and without dedup\n"
	"                        (memvisor bench density --help)\n"
	"Options:\n",
};

int bench_main(int argc, char **argv, const char *self_path)
{
	if (argc >= 1 && !strcmp(argv[0], "boot"))
		return bench_boot_main(argc, argv, self_path);
	if (argc >= 1 && !strcmp(argv[0], "hotplug"))
		return bench_hotplug_main(argc, argv, self_path);
	if (argc >= 1 && !strcmp(argv[0], "balloon"))
		return bench_balloon_main(argc, argv, self_path);
	if (argc >= 1 && !strcmp(argv[0], "reclaim"))
		return bench_reclaim_main(argc, argv, self_path);
	if (argc >= 1 && !strcmp(argv[0], "density"))
		return bench_density_main(argc, argv, self_path);
	if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		cli_usage(&bench_cmd, stdout);
		return 0;
	}
	if (argc < 1)
		return cli_fail(bench_cmd.name, EXIT_USAGE,
				"no benchmark given (boot, hotplug, balloon, reclaim or density; see memvisor bench --help)");
	return cli_fail(bench_cmd.name, EXIT_USAGE,
			"unknown benchmark '%s' (boot, hotplug, balloon, reclaim or density; see memvisor bench --help)",
			argv[0]);
}

/* Parse @cmd's options and default *@kernel (*@alloc: what to free). true
 * to run the benchmark; false with *@status the exit status. */
static bool bench_parse(const struct cli_cmd *cmd, int argc, char **argv,
			const char *self_path, const char **kernel, char **alloc,
			int *status)
{
	struct errmsg e = { .msg = "" };
	unsigned int npos;
	int ret = cli_parse(cmd, argc, argv, NULL, 0, &npos, &e);

	*alloc = NULL;
	if (ret) {                      /* --help printed (1), or a mistake */
		*status = ret > 0 ? 0 : cli_fail(cmd->name, cli_status(&e), "%s", e.msg);
		return false;
	}
	if (!*kernel && !(*kernel = *alloc = guest_kernel_beside(self_path))) {
		*status = cli_fail(cmd->name, EXIT_FAIL, "out of memory");
		return false;
	}
	return true;
}

int bench_parse_runs(const char *arg, unsigned long max, unsigned long *runs,
		     struct errmsg *e)
{
	if (parse_uint(arg, 1, max, runs))
		return errmsg_user(e, -EINVAL, "--runs %s: expected a number from 1 to %lu",
				   arg, max);
	return 0;
}

int bench_cmd_run(const struct cli_cmd *cmd, int argc, char **argv,
		  const char *self_path, const char **kernel,
		  int (*run)(const void *opts, const char *self_path),
		  const void *opts)
{
	char *alloc = NULL;
	int status;

	if (!bench_parse(cmd, argc, argv, self_path, kernel, &alloc, &status))
		return status;
	status = run(opts, self_path);
	free(alloc);
	return status;
}

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
