/*
 * The core's side of the device interface (device.h): it walks vm_devices[]
 * in table order to set up configs, create the devices, collect their ACPI
 * parts and QMP commands, and in reverse order to tear them down. It also
 * routes the services one device offers the others through the core (the
 * ACPI event controller), so that no device calls another.
 *
 * Devices are created before any vCPU runs and destroyed after every vCPU
 * and the QMP server are gone, so vm->dev[] needs no lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/device_internal.h"
#include "vmm/vm.h"

int vm_config_init(struct vm_config *cfg)
{
	const struct device_ops *ops;
	unsigned int i;

	for (i = 0; i < vm_nr_devices; i++) {
		ops = vm_devices[i];
		if (!ops->config_size)
			continue;
		cfg->dev_cfg[i] = calloc(1, ops->config_size);
		if (!cfg->dev_cfg[i]) {
			vm_config_free(cfg);
			return -ENOMEM;
		}
		if (ops->config_init)
			ops->config_init(cfg->dev_cfg[i]);
	}
	return 0;
}

void vm_config_free(struct vm_config *cfg)
{
	unsigned int i;

	for (i = 0; i < VM_MAX_DEVICES; i++) {
		free(cfg->dev_cfg[i]);
		cfg->dev_cfg[i] = NULL;
	}
}

int vm_config_finish(struct vm_config *cfg, struct errmsg *e)
{
	const struct device_ops *ops;
	unsigned int i;
	int ret;

	for (i = 0; i < vm_nr_devices; i++) {
		ops = vm_devices[i];
		if (!ops->config_finish)
			continue;
		ret = ops->config_finish(cfg->dev_cfg[i], cfg, e);
		if (ret)
			return ret;
	}
	return 0;
}

/* A device's flags as a table of `memvisor run`'s parser. */
static int parse_device_flag(void *opaque, int key, const char *arg,
			     struct errmsg *e)
{
	struct device_flag_ctx *c = opaque;

	return c->ops->config_parse(c->cfg, key, arg, e);
}

unsigned int devices_cli_tables(struct vm_config *cfg,
				struct cli_table *tables,
				struct device_flag_ctx *ctx)
{
	const struct device_ops *ops;
	unsigned int i, n = 0;

	for (i = 0; i < vm_nr_devices; i++) {
		ops = vm_devices[i];
		if (!ops->cli_options || !ops->config_parse)
			continue;
		ctx[n] = (struct device_flag_ctx){ ops, cfg->dev_cfg[i] };
		tables[n] = (struct cli_table){ ops->cli_title, ops->cli_options,
						parse_device_flag, &ctx[n] };
		n++;
	}
	return n;
}

int devices_create(struct vm *vm, struct errmsg *e)
{
	const struct device_ops *ops;
	unsigned int i;

	for (i = 0; i < vm_nr_devices; i++) {
		ops = vm_devices[i];
		vm->dev[i] = ops->create(vm, vm->cfg.dev_cfg[i], e);
		if (!vm->dev[i]) {
			if (!e->msg[0])
				errmsg_set(e, -EINVAL, "cannot create device %s",
					   ops->name);
			return -EINVAL;
		}
	}
	return 0;
}

int devices_acpi(struct vm *vm, struct acpi_config *ac, struct errmsg *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm_nr_devices; i++) {
		if (!vm->dev[i] || !vm_devices[i]->acpi)
			continue;
		ret = vm_devices[i]->acpi(vm->dev[i], ac, e);
		if (ret)
			return ret;
	}
	return 0;
}

int devices_qmp(struct vm *vm, struct errmsg *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm_nr_devices; i++) {
		if (!vm->dev[i] || !vm_devices[i]->qmp)
			continue;
		ret = vm_devices[i]->qmp(vm->dev[i], vm->qmp, e);
		if (ret)
			return ret;
	}
	return 0;
}

void devices_close(struct vm *vm)
{
	unsigned int i;

	for (i = vm_nr_devices; i-- > 0;)
		if (vm->dev[i] && vm_devices[i]->close)
			vm_devices[i]->close(vm->dev[i]);
}

void devices_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = vm_nr_devices; i-- > 0;) {
		if (vm->dev[i] && vm_devices[i]->destroy)
			vm_devices[i]->destroy(vm->dev[i]);
		vm->dev[i] = NULL;
	}
	vm->acpi_ev = NULL;
}

uint64_t vm_plugged_memory(const struct vm *vm)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < vm_nr_devices; i++)
		if (vm->dev[i] && vm_devices[i]->plugged_memory)
			sum += vm_devices[i]->plugged_memory(vm->dev[i]);
	return sum;
}

void vm_set_acpi_events(struct vm *vm, const struct acpi_event_ops *ops,
			void *opaque)
{
	vm->acpi_ev_opaque = opaque;
	vm->acpi_ev = ops;
}

int vm_gpe_raise(struct vm *vm, unsigned int bit)
{
	if (!vm || !vm->acpi_ev)
		return -ENODEV;
	vm->acpi_ev->gpe_raise(vm->acpi_ev_opaque, bit);
	return 0;
}

int vm_power_button(struct vm *vm)
{
	if (!vm->acpi_ev)
		return -ENODEV;
	vm->acpi_ev->power_button(vm->acpi_ev_opaque);
	return 0;
}
