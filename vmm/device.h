/*
 * The device interface: how a device plugs into the VMM core.
 *
 * The core knows no device by name. A device is a static `struct device_ops`
 * with designated initialisers; vmm/devices.c holds the one table of them, in
 * the order the VM creates them. For each device the core:
 *
 *   1. config_init()    allocates config_size zeroed bytes and sets defaults
 *   2. config_parse()   for each of the device's own `memvisor run` flags
 *                       (cli_options, shown under cli_title in --help)
 *   3. config_finish()  checks the flags together, against the VM's config
 *   4. create()         builds the device on the VM: registers its I/O
 *                       ranges, memslots, interrupt or GPE handlers
 *   5. acpi()           adds its part of the ACPI tables (SRAT ranges,
 *                       nodes, DSDT AML) to the acpi_config
 *   6. qmp()            registers its QMP commands (only with --qmp)
 *   7. close()          the VM is stopping: stop feeding the guest (before
 *                       the core's console and QMP server go away)
 *   8. destroy()        releases everything, in reverse table order
 *
 * Every hook but create is optional. Hooks return 0 or -errno and fill the
 * errmsg (errmsg_user for the user's mistakes); create returns the device's
 * private state, or NULL with the errmsg filled.
 *
 * What the core offers devices (vmm/vm.h): the port-I/O and MMIO buses
 * (vm->pio, vm->mmio), guest memory and memslots (vm->mem), interrupt lines
 * (vm_set_irq), the GPE/SCI line and the power button (vm_gpe_raise,
 * vm_power_button, served by whichever device registers as the ACPI event
 * controller), the console (vm->console), a deferred-work thread
 * (vm_defer), stopping the VM (vm_request_stop) and the QMP registry
 * (qmp_register, qmp_emit_event).
 * A device never includes another device's header.
 */
#ifndef VMM_DEVICE_H
#define VMM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/cli.h"
#include "vmm/error.h"

struct vm;
struct vm_config;
struct acpi_config;
struct qmp_server;

struct device_ops {
	const char *name;                   /* "memhp": messages, status */

	/* `memvisor run` flags; keys are the device's own. */
	const char *cli_title;              /* heading in `run --help` */
	const struct cli_option *cli_options;
	size_t config_size;
	void (*config_init)(void *cfg);
	int (*config_parse)(void *cfg, int key, const char *arg,
			    struct errmsg *e);
	int (*config_finish)(void *cfg, const struct vm_config *vm,
			     struct errmsg *e);

	void *(*create)(struct vm *vm, const void *cfg, struct errmsg *e);
	int (*acpi)(void *dev, struct acpi_config *ac, struct errmsg *e);
	int (*qmp)(void *dev, struct qmp_server *srv, struct errmsg *e);
	/* Bytes of hot-plugged memory (query-memory-size-summary). */
	uint64_t (*plugged_memory)(void *dev);
	void (*close)(void *dev);
	void (*destroy)(void *dev);
};

/* The devices every VM has, in creation order (vmm/devices.c). */
extern const struct device_ops *const vm_devices[];
extern const unsigned int vm_nr_devices;

#define VM_MAX_DEVICES 16

/*
 * The ACPI event controller (the PM block's GPE0 and power button). One
 * device registers it at create(); others raise events through the core.
 */
struct acpi_event_ops {
	void (*gpe_raise)(void *opaque, unsigned int bit);
	void (*power_button)(void *opaque);
};

#endif
