/*
 * vmm/ internals for walking the device table (device.c), used by vm.c and
 * main.c only. Devices see vmm/device.h and vmm/vm.h.
 */
#ifndef VMM_DEVICE_INTERNAL_H
#define VMM_DEVICE_INTERNAL_H

#include "vmm/cli.h"
#include "vmm/device.h"

struct vm;
struct vm_config;
struct acpi_config;

/* What a device-flag table passes back to the device's config_parse. */
struct device_flag_ctx {
	const struct device_ops *ops;
	void *cfg;
};

/* One cli_table per device with flags, in table order, into @tables and
 * @ctx (each at least VM_MAX_DEVICES long); returns how many. */
unsigned int devices_cli_tables(struct vm_config *cfg,
				struct cli_table *tables,
				struct device_flag_ctx *ctx);

/* In table order; stop at the first failure, @e filled. */
int devices_create(struct vm *vm, struct errmsg *e);
int devices_acpi(struct vm *vm, struct acpi_config *ac, struct errmsg *e);
int devices_qmp(struct vm *vm, struct errmsg *e);
/* In reverse table order; skip devices never created. */
void devices_close(struct vm *vm);
void devices_destroy(struct vm *vm);

#endif
