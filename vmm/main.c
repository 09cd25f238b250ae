/*
 * memvisor's command line.
 *
 *   memvisor run [options]     boot a guest (see usage below)
 *   memvisor bench boot ...    benchmarks
 *
 * Every user mistake is reported here, once, as one line on stderr, and
 * exits 2; host failures exit 1; a guest that powers off exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotplug/hotplug.h"
#include "tools/bench/bench.h"
#include "tools/ctl/ctl.h"
#include "vmm/platform.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define EXIT_USAGE 2
#define MIN_MEMORY (32 * MiB)
#define MAX_MEMORY (1024 * GiB)

static const char run_usage[] =
"usage: memvisor run [options]\n"
"  --kernel PATH        PVH ELF kernel (default: guest.elf next to memvisor)\n"
"  --memory SIZE        guest RAM, with K/M/G/T suffix; bare numbers are MiB\n"
"                       (default 256M, at least 32M, a multiple of 1M)\n"
"  --smp N              number of vCPUs (default 1, at most 64)\n"
"  --cmdline STR        kernel command line\n"
"  --serial stdio|unix:PATH  where the console goes (default stdio;\n"
"                       on a terminal, Ctrl-a x quits)\n"
"  --qmp PATH           serve QMP on a unix socket at PATH (mode 0600)\n"
"  --dump-acpi DIR      write each ACPI table to DIR as a binary file\n"
"  --help               this text\n";

static const char main_usage[] =
"usage: memvisor COMMAND [options]\n"
"  run      boot a guest kernel (memvisor run --help)\n"
"  bench    run a benchmark (memvisor bench boot --help)\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("memvisor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* The running binary's path (argv[0] may be a bare name found on PATH). */
static const char *self_path(const char *argv0)
{
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return argv0;
	self[n] = '\0';
	return self;
}

/* guest.elf next to this binary, computed once (lives until exit). */
static const char *default_kernel(void)
{
	static char *path;

	if (!path)
		path = guest_kernel_beside(self_path("memvisor"));
	return path ? path : "guest.elf";
}

static int parse_memory(const char *arg, uint64_t *out)
{
	int ret = parse_size(arg, 20, out);

	if (ret)
		return usage_error("--memory: invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 512M)", arg);
	if (*out < MIN_MEMORY || *out > MAX_MEMORY)
		return usage_error("--memory: %s is out of range (32M to 1T)", arg);
	if (*out % MiB)
		return usage_error("--memory: %s is not a multiple of 1M", arg);
	return 0;
}

enum { OPT_KERNEL = 256, OPT_MEMORY, OPT_SMP, OPT_CMDLINE, OPT_SERIAL,
       OPT_QMP, OPT_DUMP_ACPI, OPT_HELP, OPT_SLOTS, OPT_MAXMEM, OPT_NUMA,
       OPT_DIMM };

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "qmp", required_argument, NULL, OPT_QMP },
	{ "dump-acpi", required_argument, NULL, OPT_DUMP_ACPI },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "slots", required_argument, NULL, OPT_SLOTS },
	{ "maxmem", required_argument, NULL, OPT_MAXMEM },
	{ "numa", required_argument, NULL, OPT_NUMA },
	{ "dimm", required_argument, NULL, OPT_DIMM },
	{ NULL, 0, NULL, 0 },
};

/* --slots, --maxmem, --numa, --dimm: hotplug/ parses and explains. */
static int parse_hotplug(int opt, const char *arg, struct hotplug_config *hc)
{
	struct errmsg e = { .msg = "" };
	int ret;

	switch (opt) {
	case OPT_SLOTS:  ret = hotplug_parse_slots(hc, arg, &e); break;
	case OPT_MAXMEM: ret = hotplug_parse_maxmem(hc, arg, &e); break;
	case OPT_NUMA:   ret = hotplug_parse_numa(hc, arg, &e); break;
	default:         ret = hotplug_parse_dimm(hc, arg, &e); break;
	}
	return ret ? usage_error("%s", e.msg) : 0;
}

static int parse_one(int opt, const char *arg, struct vm_config *cfg)
{
	unsigned long n;

	if (opt >= OPT_SLOTS && opt <= OPT_DIMM)
		return parse_hotplug(opt, arg, &cfg->hotplug);

	switch (opt) {
	case OPT_KERNEL:    cfg->kernel = arg; return 0;
	case OPT_MEMORY:    return parse_memory(arg, &cfg->ram_size);
	case OPT_CMDLINE:   cfg->cmdline = arg; return 0;
	case OPT_SERIAL:    cfg->serial = arg; return 0;
	case OPT_QMP:       cfg->qmp_path = arg; return 0;
	case OPT_DUMP_ACPI: cfg->dump_acpi_dir = arg; return 0;
	case OPT_SMP:
		if (parse_uint(arg, 1, VM_MAX_VCPUS, &n))
			return usage_error("--smp: '%s' is not a number from 1 to %d",
					   arg, VM_MAX_VCPUS);
		cfg->smp = n;
		return 0;
	default:
		return EXIT_USAGE;
	}
}

static int parse_run_args(int argc, char **argv, struct vm_config *cfg)
{
	struct errmsg e = { .msg = "" };
	int opt, ret;

	*cfg = (struct vm_config){ .kernel = default_kernel(), .ram_size = 256 * MiB,
				   .smp = 1, .serial = "stdio" };
	hotplug_config_init(&cfg->hotplug);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", run_options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(run_usage, stdout);
			exit(0);
		}
		if (opt == '?' && optopt)
			return usage_error("option '%s' needs a value (see memvisor run --help)",
					   argv[optind - 1]);
		if (opt == '?')
			return usage_error("unknown option '%s' (see memvisor run --help)",
					   argv[optind - 1]);
		ret = parse_one(opt, optarg, cfg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' (see memvisor run --help)",
				   argv[optind]);
	if (hotplug_config_finish(&cfg->hotplug, cfg->ram_size, &e))
		return usage_error("%s", e.msg);
	return 0;
}

static void *signal_thread(void *arg)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigwait(&set, &sig) == 0)
		vm_request_stop(arg, VM_STOP_QUIT, "terminated by signal %d", sig);
	return NULL;
}

static void noop_handler(int sig)
{
}

/* Signals: SIGINT/TERM/HUP stop the VM through one thread; SIGUSR1 kicks
 * vCPUs out of KVM_RUN (unblocked only in vCPU threads); SIGPIPE ignored. */
static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int cmd_run(int argc, char **argv)
{
	struct errmsg e = { .msg = "unknown error" };
	struct vm_config cfg;
	static struct vm vm;
	pthread_t sig;
	int ret;

	ret = parse_run_args(argc, argv, &cfg);
	if (ret)
		return ret;
	setup_signals();
	if (vm_create(&vm, &cfg, &e)) {
		fprintf(stderr, "memvisor: %s\n", e.msg);
		return e.user ? EXIT_USAGE : 1;
	}
	pthread_create(&sig, NULL, signal_thread, &vm);
	pthread_detach(sig);
	ret = vm_run(&vm);
	vm_destroy(&vm);
	if (ret)
		fprintf(stderr, "\nmemvisor: %s\n", vm.stop_msg);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given (try 'memvisor run' or 'memvisor --help')");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(main_usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("memvisor 0.1.0");
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return bench_main(argc - 2, argv + 2, self_path(argv[0]));
	return usage_error("unknown command '%s' (try 'memvisor --help')", argv[1]);
}
