/*
 * The DSDT's AML. As ASL, for a guest without memory slots:
 *
 *	DefinitionBlock ("", "DSDT", 2, "MEMVSR", "MEMVISOR", 1) {
 *	    Name (\_S5, Package (4) { 0, 0, 0, 0 })
 *	    Scope (\_SB) {
 *	        Device (PEVT) { ... }   pvpanic at PLAT_PVPANIC_PORT
 *	        Device (COM1) { ... }   16550 at PLAT_COM1_PORT, IRQ 4
 *	    }
 *	    Scope (\_GPE) { Name (_HID, "ACPI0006") }
 *	}
 *
 * With cfg->mem_slots > 0, dsdt_memhp.c adds the memory hotplug controller
 * and one PNP0C80 device per slot under \_SB, and \_GPE._E03.
 *
 * The DSDT is revision 2, so AML integers are 64-bit. Devices follow QEMU's
 * pc machine, so a stock Linux guest binds the same drivers on both.
 */
#include "acpi/acpi_internal.h"
#include "vmm/platform.h"

/* \_S5: SLP_TYP values for PM1a and PM1b, then two reserved zeros. */
static void dsdt_sleep_states(struct aml *a)
{
	aml_name_decl(a, "\\_S5");
	aml_package_open(a, 4);
	aml_int(a, PLAT_SLP_TYP_S5);
	aml_int(a, PLAT_SLP_TYP_S5);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_close(a);
}

/* QEMU's pvpanic ISA device: a byte port the guest writes on panic. */
static void dsdt_pvpanic(struct aml *a)
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

static void dsdt_com1(struct aml *a)
{
	aml_device_open(a, "COM1");
	aml_name_eisaid(a, "_HID", "PNP0501");
	aml_name_int(a, "_UID", 1);
	aml_method_return_int(a, "_STA", 0x0f);
	aml_name_decl(a, "_CRS");
	aml_restemplate_open(a);
	aml_res_io(a, PLAT_COM1_PORT, PLAT_COM1_PORT, 0, 8);
	aml_res_irq_noflags(a, PLAT_COM1_IRQ);
	aml_close(a);
	aml_close(a);
}

int acpi_dsdt_build(struct aml *a, const struct acpi_config *cfg)
{
	dsdt_sleep_states(a);

	aml_scope_open(a, "\\_SB");
	dsdt_pvpanic(a);
	dsdt_com1(a);
	aml_close(a);

	if (cfg->mem_slots)
		acpi_dsdt_memhp(a, cfg);

	aml_scope_open(a, "\\_GPE");
	aml_name_string(a, "_HID", "ACPI0006");
	if (cfg->mem_slots)
		acpi_dsdt_memhp_gpe(a, cfg);
	aml_close(a);
	return aml_finish(a);
}
