/*
 * Fuzz the table-driven option parser (vmm/cli.c, cli_parse): the input is
 * a command line, split into argv words at spaces, newlines and NULs. The
 * command has two tables, as `memvisor run` will: its own options (a size,
 * a number, strings, a flag) and the hotplug options, whose handler is
 * hotplug/config.c's parsers. --help's usage text goes to /dev/null.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/cli.h"
#include "vmm/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_WORDS 64
#define MAX_POS   3

enum { K_MEMORY, K_CPUS, K_KERNEL, K_CMDLINE, K_QUIET,
       K_SLOTS, K_MAXMEM, K_NUMA, K_DIMM };

static const struct cli_option run_opts[] = {
	{ "memory", "SIZE", "boot RAM", K_MEMORY },
	{ "cpus", "N", "vCPUs", K_CPUS },
	{ "kernel", "PATH", "guest kernel", K_KERNEL },
	{ "cmdline", "STRING", "guest command line\nsecond line", K_CMDLINE },
	{ "quiet", NULL, "no console", K_QUIET },
	{ .name = NULL },
};

static const struct cli_option hotplug_opts[] = {
	{ "slots", "N", "DIMM slots", K_SLOTS },
	{ "maxmem", "SIZE", "RAM plus DIMMs", K_MAXMEM },
	{ "numa", "N", "nodes", K_NUMA },
	{ "dimm", "SIZE[,node=N][,id=ID]", "a cold-plugged DIMM", K_DIMM },
	{ .name = NULL },
};

static int run_handle(void *opaque, int key, const char *arg, struct errmsg *e)
{
	unsigned long n;
	uint64_t v;

	switch (key) {
	case K_MEMORY:
		return parse_size(arg, 20, &v) ?
			errmsg_user(e, -EINVAL, "--memory: invalid size '%s'", arg) : 0;
	case K_CPUS:
		return parse_uint(arg, 1, 64, &n) ?
			errmsg_user(e, -EINVAL, "--cpus: '%s'", arg) : 0;
	}
	return 0;
}

static int hotplug_handle(void *opaque, int key, const char *arg,
			  struct errmsg *e)
{
	struct hotplug_config *cfg = opaque;

	switch (key) {
	case K_SLOTS:  return hotplug_parse_slots(cfg, arg, e);
	case K_MAXMEM: return hotplug_parse_maxmem(cfg, arg, e);
	case K_NUMA:   return hotplug_parse_numa(cfg, arg, e);
	case K_DIMM:   return hotplug_parse_dimm(cfg, arg, e);
	}
	return 0;
}

static struct hotplug_config cfg;

static const struct cli_table tables[] = {
	{ NULL, run_opts, run_handle, NULL },
	{ "Memory hotplug", hotplug_opts, hotplug_handle, &cfg },
};

static const struct cli_cmd cmd = {
	.name = "memvisor run", .synopsis = "[options] [KERNEL]",
	.description = "Boot a guest.\n", .tables = tables, .nr_tables = 2,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_WORDS + 2];
	const char *pos[MAX_POS];
	struct errmsg e = { .msg = "" };
	unsigned int npos;
	size_t i;
	int argc = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "memvisor-run";
	for (i = 0; i < size && argc <= MAX_WORDS; i++) {
		if (text[i] == ' ' || text[i] == '\n' || text[i] == '\0') {
			text[i] = '\0';
			continue;
		}
		if (i == 0 || text[i - 1] == '\0')
			argv[argc++] = text + i;
	}
	argv[argc] = NULL;
	hotplug_config_init(&cfg);
	cli_parse(&cmd, argc, argv, pos, MAX_POS, &npos, &e);
	if (npos > MAX_POS)
		abort();
	free(text);
	return 0;
}
