/*
 * The memory hotplug controller as a device (vmm/device.h): its flags, its
 * configuration checked against --memory, the controller and cold-plugged
 * DIMMs, its SRAT ranges and DSDT part, its QMP commands and the plugged
 * size QMP reports. The work is done by config.c, dimm.c, memhp_acpi.c and
 * hotplug_qmp.c; this file only ties them to the VM.
 */
#include <errno.h>
#include <string.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/vm.h"

enum { OPT_SLOTS, OPT_MAXMEM, OPT_NUMA, OPT_DIMM };

static const struct cli_option memhp_options[] = {
	{ "slots", "N", "DIMM slots, 0 to 256 (default 8)", OPT_SLOTS },
	{ "maxmem", "SIZE", "boot RAM plus every DIMM, at most 1T (default 4G)",
	  OPT_MAXMEM },
	{ "numa", "N|SIZE,SIZE,...", "NUMA nodes (proximity domains), 1 to 6: N with\n"
	  "boot RAM on node 0, or each node's boot RAM (they\n"
	  "add up to --memory; 0 for a memory-less node);\n"
	  "DIMMs on any", OPT_NUMA },
	{ "dimm", "SIZE[,node=N][,id=ID]",
	  "a DIMM plugged at boot (repeatable); SIZE a multiple\nof 128M",
	  OPT_DIMM },
	{ 0 },
};

static void memhp_config_init(void *cfg)
{
	hotplug_config_init(cfg);
}

static int memhp_config_parse(void *cfg, int key, const char *arg,
			      struct errmsg *e)
{
	switch (key) {
	case OPT_SLOTS:  return hotplug_parse_slots(cfg, arg, e);
	case OPT_MAXMEM: return hotplug_parse_maxmem(cfg, arg, e);
	case OPT_NUMA:   return hotplug_parse_numa(cfg, arg, e);
	default:         return hotplug_parse_dimm(cfg, arg, e);
	}
}

static int memhp_config_finish(void *cfg, const struct vm_config *vm,
			       struct errmsg *e)
{
	return hotplug_config_finish(cfg, vm->ram_size, e);
}

static void *memhp_dev_create(struct vm *vm, const void *cfg,
			      struct errmsg *e)
{
	return memhp_create(vm, cfg, e);
}

static int memhp_dev_acpi(void *dev, struct acpi_config *ac, struct errmsg *e)
{
	struct memhp *hp = dev;

	return hotplug_acpi_config(hp->cfg, ac, e);
}

static int memhp_dev_qmp(void *dev, struct qmp_server *srv, struct errmsg *e)
{
	int ret = hotplug_qmp_register(dev, srv);

	return ret ? errmsg_set(e, ret, "QMP: cannot register the DIMM commands: %s",
				strerror(-ret)) : 0;
}

static uint64_t memhp_dev_plugged(void *dev)
{
	return memhp_plugged_size(dev);
}

static void memhp_dev_destroy(void *dev)
{
	memhp_destroy(dev);
}

const struct device_ops memhp_device = {
	.name = "memhp",
	.cli_title = "memory hotplug (as QEMU's -m SIZE,slots=N,maxmem=MAX, -numa, pc-dimm)",
	.cli_options = memhp_options,
	.config_size = sizeof(struct hotplug_config),
	.config_init = memhp_config_init,
	.config_parse = memhp_config_parse,
	.config_finish = memhp_config_finish,
	.create = memhp_dev_create,
	.acpi = memhp_dev_acpi,
	.qmp = memhp_dev_qmp,
	.plugged_memory = memhp_dev_plugged,
	.destroy = memhp_dev_destroy,
};
