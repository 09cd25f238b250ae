/*
 * QEMU's ISA pvpanic device (docs/specs/pvpanic.rst): one byte of port I/O
 * at PLAT_PVPANIC_PORT. A read reports the events the device supports
 * (bit 0 "guest panicked", bit 1 "crash loaded"); a guest write of bit 0
 * stops the VM with "guest panicked" (memvisor exits 1, as QEMU with
 * -action panic=exit-failure). Described in the DSDT as \_SB.PEVT, _HID
 * QEMU0001, as QEMU's pc machine does, so a stock Linux binds its driver.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "acpi/acpi.h"
#include "pc/pc.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

#define PVPANIC_PANICKED     0x1
#define PVPANIC_CRASH_LOADED 0x2

static void pvpanic_read(void *opaque, uint64_t off, void *data,
			 unsigned int len)
{
	memset(data, 0, len);
	*(uint8_t *)data = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
}

static void pvpanic_write(void *opaque, uint64_t off, const void *data,
			  unsigned int len)
{
	if (*(const uint8_t *)data & PVPANIC_PANICKED)
		vm_request_stop(opaque, VM_STOP_PANIC, "guest panicked");
}

static const struct io_ops pvpanic_ops = {
	.read = pvpanic_read,
	.write = pvpanic_write,
};

static void *pvpanic_create(struct vm *vm, const void *cfg, struct errmsg *e)
{
	int ret = bus_register(&vm->pio, PLAT_PVPANIC_PORT, 1, &pvpanic_ops, vm);

	if (ret) {
		errmsg_set(e, ret, "cannot register pvpanic at 0x%x",
			   PLAT_PVPANIC_PORT);
		return NULL;
	}
	return vm;
}

static void pvpanic_destroy(void *dev)
{
	struct vm *vm = dev;

	bus_unregister(&vm->pio, PLAT_PVPANIC_PORT);
}

/* Device (PEVT): _HID QEMU0001, _CRS IO, _STA, RDPT/WRPT over the port. */
static void pvpanic_dsdt(struct aml *a, void *opaque)
{
	aml_device_open(a, "PEVT");
	aml_name_string(a, "_HID", "QEMU0001");
	aml_name_decl(a, "_CRS");
	aml_restemplate_open(a);
	aml_res_io(a, PLAT_PVPANIC_PORT, PLAT_PVPANIC_PORT, 1, 1);
	aml_close(a);
	aml_opregion(a, "PEOR", AML_SPACE_SYSTEM_IO, PLAT_PVPANIC_PORT, 1);
	aml_field_open(a, "PEOR", AML_BYTE_ACC, false, AML_PRESERVE);
	aml_field_unit(a, "PEPT", 8);
	aml_close(a);
	/* Present, enabled, not shown in UI. */
	aml_method_return_int(a, "_STA", 0x0b);
	/* RDPT: Return (PEPT) */
	aml_method_open(a, "RDPT", 0, false);
	aml_op(a, AML_RETURN);
	aml_name(a, "PEPT");
	aml_close(a);
	/* WRPT: PEPT = Arg0 */
	aml_method_open(a, "WRPT", 1, false);
	aml_op(a, AML_STORE);
	aml_arg(a, 0);
	aml_name(a, "PEPT");
	aml_close(a);
	aml_close(a);
}

static int pvpanic_acpi(void *dev, struct acpi_config *ac, struct errmsg *e)
{
	struct acpi_dsdt_part part = { .sb = pvpanic_dsdt };

	return acpi_config_add_dsdt(ac, &part, e);
}

const struct device_ops pvpanic_device = {
	.name = "pvpanic",
	.create = pvpanic_create,
	.acpi = pvpanic_acpi,
	.destroy = pvpanic_destroy,
};
