/*
 * memvisor's command line.
 *
 *   memvisor run [options]     boot a guest (see usage below)
 *   memvisor ksmd ...          the KSM scanner daemon
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/ctl/ctl.h"
#include "tools/ksmd/ksmd.h"
#include "vmm/cli.h"
#include "vmm/config_xml.h"
#include "vmm/device_internal.h"
#include "vmm/platform.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define MIN_MEMORY (32 * MiB)
#define MAX_MEMORY (1024 * GiB)

static const char main_usage[] =
"usage: memvisor COMMAND [options]\n"
"  run      boot a guest kernel (memvisor run --help)\n"
"  ctl      control a running VM over QMP: DIMMs, status (memvisor ctl --help)\n"
"  ksmd     the KSM scanner daemon VMs register with (memvisor ksmd --help)\n"
"  bench    run a benchmark (memvisor bench --help)\n"
"  --version  print the version\n"
"  --help     this text\n";

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

static int parse_memory(const char *arg, uint64_t *out, struct errmsg *e)
{
	if (parse_size(arg, 20, out))
		return errmsg_user(e, -EINVAL, "--memory: invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 512M)", arg);
	if (*out < MIN_MEMORY || *out > MAX_MEMORY)
		return errmsg_user(e, -EINVAL, "--memory: %s is out of range (32M to 1T)", arg);
	if (*out % MiB)
		return errmsg_user(e, -EINVAL, "--memory: %s is not a multiple of 1M", arg);
	return 0;
}

enum { OPT_KERNEL, OPT_MEMORY, OPT_SMP, OPT_CMDLINE, OPT_SERIAL, OPT_QMP,
       OPT_DUMP_ACPI, OPT_CONFIG };

static const struct cli_option run_options[] = {
	{ "kernel", "PATH", "PVH ELF kernel (default: guest.elf next to memvisor)", OPT_KERNEL },
	{ "memory", "SIZE", "guest RAM, with K/M/G/T suffix; bare numbers are MiB\n"
	  "(default 256M, at least 32M, a multiple of 1M)", OPT_MEMORY },
	{ "smp", "N", "number of vCPUs (default 1, at most 64)", OPT_SMP },
	{ "cmdline", "STR", "kernel command line", OPT_CMDLINE },
	{ "serial", "stdio|unix:PATH", "where the console goes (default stdio; on a\n"
	  "terminal, Ctrl-a x quits)", OPT_SERIAL },
	{ "qmp", "PATH", "serve QMP on a unix socket at PATH (mode 0600)", OPT_QMP },
	{ "dump-acpi", "DIR", "write each ACPI table to DIR as a binary file", OPT_DUMP_ACPI },
	{ "config", "FILE.xml", "a libvirt domain definition, read as the flags it\n"
	  "stands for (flags after it override it)", OPT_CONFIG },
	{ 0 },
};

static int parse_run_option(void *opaque, int key, const char *arg,
			    struct errmsg *e)
{
	struct vm_config *cfg = opaque;
	unsigned long n;

	switch (key) {
	case OPT_KERNEL:    cfg->kernel = arg; return 0;
	case OPT_MEMORY:    return parse_memory(arg, &cfg->ram_size, e);
	case OPT_CMDLINE:   cfg->cmdline = arg; return 0;
	case OPT_SERIAL:    cfg->serial = arg; return 0;
	case OPT_QMP:       cfg->qmp_path = arg; return 0;
	case OPT_DUMP_ACPI: cfg->dump_acpi_dir = arg; return 0;
	case OPT_CONFIG:
		return errmsg_user(e, -EINVAL, "--config may be given only once");
	default:
		if (parse_uint(arg, 1, VM_MAX_VCPUS, &n))
			return errmsg_user(e, -EINVAL, "--smp: '%s' is not a number from 1 to %d",
					   arg, VM_MAX_VCPUS);
		cfg->smp = n;
		return 0;
	}
}

/* `memvisor run`'s flags: the VM's own table, then one per device. 0, 1
 * (--help printed) or -errno with @e filled. */
static int parse_run_args(int argc, char **argv, struct vm_config *cfg,
			  struct errmsg *e)
{
	struct cli_table tables[VM_MAX_DEVICES + 1] = {
		{ NULL, run_options, parse_run_option, cfg },
	};
	struct device_flag_ctx ctx[VM_MAX_DEVICES];
	struct cli_cmd cmd = { "memvisor run", "[options]", NULL, tables, 1 };
	unsigned int npos;
	int ret;

	cmd.nr_tables += devices_cli_tables(cfg, tables + 1, ctx);
	ret = cli_parse(&cmd, argc, argv, NULL, 0, &npos, e);
	if (!ret)
		ret = vm_config_finish(cfg, e);
	return ret;
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

/* Boot and run until stopped; @cfg is parsed and checked. */
static int run_vm(struct vm_config *cfg)
{
	struct errmsg e = { .msg = "" };
	static struct vm vm;
	pthread_t sig;
	int ret;

	setup_signals();
	if (vm_create(&vm, cfg, &e))
		return cli_fail("memvisor", cli_status(&e), "%s",
				e.msg[0] ? e.msg : "cannot create the VM");
	pthread_create(&sig, NULL, signal_thread, &vm);
	pthread_detach(sig);
	ret = vm_run(&vm);
	vm_destroy(&vm);
	if (ret)
		fprintf(stderr, "\nmemvisor: %s\n", vm.stop_msg);
	return ret;
}

/*
 * Replace the first --config FILE (or --config=FILE) in @argv by the flags
 * the file stands for (vmm/config_xml.h), into @nargv (argc + CONFIG_XML_
 * MAX_ARGS + 1 long); warnings go to stderr. Returns the new argc, or
 * -errno with @e filled. @xml owns the new strings.
 */
static int expand_config(int argc, char **argv, char **nargv,
			 struct config_xml *xml, struct errmsg *e)
{
	const char *path = NULL;
	int at, len = 0, i, n = 0, ret;
	unsigned int k;

	for (at = 1; at < argc && strcmp(argv[at], "--"); at++) {
		if (!strncmp(argv[at], "--config=", 9)) {
			path = argv[at] + 9, len = 1;
			break;
		}
		if (!strcmp(argv[at], "--config") && at + 1 < argc) {
			path = argv[at + 1], len = 2;
			break;
		}
	}
	memset(xml, 0, sizeof(*xml));
	if (path) {
		ret = config_xml_load(path, xml, e);
		if (ret)
			return ret;
	}
	for (k = 0; k < xml->nr_warnings; k++)
		fprintf(stderr, "memvisor: %s: warning: %s\n", path, xml->warnings[k]);
	for (i = 0; i < argc; i++) {
		if (path && i == at)
			for (k = 0; k < xml->argc; k++)
				nargv[n++] = xml->argv[k];
		if (!path || i < at || i >= at + len)
			nargv[n++] = argv[i];
	}
	nargv[n] = NULL;
	return n;
}

static int cmd_run(int argc, char **argv)
{
	struct errmsg e = { .msg = "" };
	struct vm_config cfg = { .kernel = default_kernel(), .ram_size = 256 * MiB,
				 .smp = 1, .serial = "stdio" };
	char **nargv = calloc(argc + CONFIG_XML_MAX_ARGS + 1, sizeof(*nargv));
	static struct config_xml xml;
	int ret;

	if (!nargv || vm_config_init(&cfg)) {
		free(nargv);
		return cli_fail("memvisor", EXIT_FAIL, "out of memory");
	}
	ret = expand_config(argc, argv, nargv, &xml, &e);
	if (ret >= 0)
		ret = parse_run_args(ret, nargv, &cfg, &e);
	if (ret == 1)
		ret = 0;
	else if (ret)
		ret = cli_fail("memvisor", cli_status(&e), "%s", e.msg);
	else
		ret = run_vm(&cfg);
	vm_config_free(&cfg);
	config_xml_free(&xml);
	free(nargv);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_fail("memvisor", EXIT_USAGE, "no command given (try 'memvisor run' or 'memvisor --help')");
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
	if (!strcmp(argv[1], "ksmd"))
		return ksmd_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return bench_main(argc - 2, argv + 2, self_path(argv[0]));
	return cli_fail("memvisor", EXIT_USAGE, "unknown command '%s' (try 'memvisor --help')", argv[1]);
}
