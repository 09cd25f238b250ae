/*
 * The memory hotplug controller's part of the DSDT: AML driving QEMU's
 * documented ACPI memory hotplug register block
 * (docs/specs/acpi_mem_hotplug.rst) at MEMHP_IO_BASE, so that a stock Linux
 * guest (and memvisor's own) can use memvisor's DIMM slots. As ASL:
 *
 *	Device (\_SB.MHPD) {            the controller
 *	    _HID "PNP0A06", _CRS IO (0x0a00, 0x18), MDNR = number of slots
 *	    OperationRegion (HPMR, SystemIO, 0x0a00, 0x18)
 *	    read:  MRBL MRBH (base) MRLL MRLH (length) MPX (domain),
 *	           byte 0x14: MES (enabled) MINS (insert) MRMV (remove)
 *	    write: MSEL (slot selector) MOEV MOSC (_OST event/status),
 *	           byte 0x14: MINS/MRMV write 1 to clear, MEJ write 1 to eject
 *	    Mutex (MLCK): held around every select-then-access sequence
 *	    MRST(slot) MCRS(slot) MPXM(slot) MOST(slot,ev,st,info)
 *	    MEJ0(slot,arg) MTFY(slot,code) MSCN()
 *	}
 *	Device (\_SB.MPxx) {            one per slot, xx = slot in hex
 *	    _HID PNP0C80, _UID xx; _STA _CRS _PXM _OST _EJ0 call the above
 *	}
 *	Scope (\_GPE) { Method (_E03) { \_SB.MHPD.MSCN () } }
 *
 * MSCN walks every slot: a pending insert event is reported to OSPM as
 * Notify(Device Check) and cleared, a pending remove event as Notify(Eject
 * Request) and cleared. The controller's methods come first in the table so
 * that every method call is to an already-declared method.
 */
#include <stdint.h>
#include <stdio.h>

#include "abi/memhp.h"
#include "acpi/acpi.h"
#include "hotplug/hotplug_internal.h"

#define MHPD         "\\_SB.MHPD"
#define MHPD_M(m)    MHPD "." m


/* QWordMemory descriptor byte offsets of _MIN, _MAX and _LEN. */
#define QWORD_MIN_OFF  14
#define QWORD_MAX_OFF  22
#define QWORD_LEN_OFF  38

/* Acquire (MLCK, 0xFFFF); MSEL = ToInteger (Arg0) */
static void select_slot(struct aml *a)
{
	aml_acquire(a, "MLCK", 0xffff);
	aml_op(a, AML_STORE);
	aml_op(a, AML_TO_INTEGER);
	aml_arg(a, 0);
	aml_null_target(a);
	aml_name(a, "MSEL");
}

static void memhp_fields(struct aml *a)
{
	aml_opregion(a, "HPMR", AML_SPACE_SYSTEM_IO, MEMHP_IO_BASE,
		     MEMHP_IO_LEN);
	aml_field_open(a, "HPMR", AML_DWORD_ACC, false, AML_PRESERVE);
	aml_field_unit(a, "MRBL", 32);
	aml_field_unit(a, "MRBH", 32);
	aml_field_unit(a, "MRLL", 32);
	aml_field_unit(a, "MRLH", 32);
	aml_field_unit(a, "MPX", 32);
	aml_close(a);
	aml_field_open(a, "HPMR", AML_BYTE_ACC, false, AML_WRITE_AS_ZEROS);
	aml_field_offset(a, MEMHP_REG_STATUS);
	aml_field_unit(a, "MES", 1);
	aml_field_unit(a, "MINS", 1);
	aml_field_unit(a, "MRMV", 1);
	aml_field_unit(a, "MEJ", 1);
	aml_close(a);
	aml_field_open(a, "HPMR", AML_DWORD_ACC, false, AML_PRESERVE);
	aml_field_unit(a, "MSEL", 32);
	aml_field_unit(a, "MOEV", 32);
	aml_field_unit(a, "MOSC", 32);
	aml_close(a);
	aml_mutex(a, "MLCK", 0);
}

/* MRST (slot): 0x0F if the slot's DIMM is enabled, else 0. */
static void memhp_mrst(struct aml *a)
{
	aml_method_open(a, "MRST", 1, false);
	aml_op(a, AML_STORE);
	aml_int(a, 0);
	aml_local(a, 0);
	select_slot(a);
	aml_if_open(a);
	aml_op(a, AML_LEQUAL);
	aml_name(a, "MES");
	aml_int(a, 1);
	aml_op(a, AML_STORE);
	aml_int(a, 0x0f);
	aml_local(a, 0);
	aml_close(a);
	aml_release_mutex(a, "MLCK");
	aml_op(a, AML_RETURN);
	aml_local(a, 0);
	aml_close(a);
}

/* Local<n> = (hi << 32) | lo */
static void load_qword(struct aml *a, const char *hi, const char *lo,
		       unsigned int n)
{
	aml_op(a, AML_OR);
	aml_op(a, AML_SHIFT_LEFT);
	aml_name(a, hi);
	aml_int(a, 32);
	aml_null_target(a);
	aml_name(a, lo);
	aml_local(a, n);
}

/* MCRS (slot): a QWordMemory template filled from the slot's registers. */
static void memhp_mcrs(struct aml *a)
{
	const struct aml_res_mem m = {
		.min_fixed = true, .max_fixed = true,
		.cache = AML_CACHEABLE, .read_write = true,
		.max = UINT64_MAX - 1, .length = UINT64_MAX,
	};

	aml_method_open(a, "MCRS", 1, true);
	select_slot(a);
	aml_name_decl(a, "MR64");
	aml_restemplate_open_patched(a);
	aml_res_qword_memory(a, &m);
	aml_close(a);
	aml_create_field(a, 64, "MR64", QWORD_MIN_OFF, "MINA");
	aml_create_field(a, 64, "MR64", QWORD_MAX_OFF, "MAXA");
	aml_create_field(a, 64, "MR64", QWORD_LEN_OFF, "LENA");
	load_qword(a, "MRBH", "MRBL", 0);
	load_qword(a, "MRLH", "MRLL", 1);
	aml_op(a, AML_STORE);
	aml_local(a, 0);
	aml_name(a, "MINA");
	aml_op(a, AML_STORE);
	aml_local(a, 1);
	aml_name(a, "LENA");
	/* MAXA = Local0 + Local1 - 1 */
	aml_op(a, AML_SUBTRACT);
	aml_op(a, AML_ADD);
	aml_local(a, 0);
	aml_local(a, 1);
	aml_null_target(a);
	aml_int(a, 1);
	aml_name(a, "MAXA");
	aml_release_mutex(a, "MLCK");
	aml_op(a, AML_RETURN);
	aml_name(a, "MR64");
	aml_close(a);
}

/* MPXM (slot): the slot's proximity domain. */
static void memhp_mpxm(struct aml *a)
{
	aml_method_open(a, "MPXM", 1, false);
	select_slot(a);
	aml_op(a, AML_STORE);
	aml_name(a, "MPX");
	aml_local(a, 0);
	aml_release_mutex(a, "MLCK");
	aml_op(a, AML_RETURN);
	aml_local(a, 0);
	aml_close(a);
}

/* MOST (slot, event, status, info): report _OST to the host. */
static void memhp_most(struct aml *a)
{
	aml_method_open(a, "MOST", 4, false);
	select_slot(a);
	aml_op(a, AML_STORE);
	aml_arg(a, 1);
	aml_name(a, "MOEV");
	aml_op(a, AML_STORE);
	aml_arg(a, 2);
	aml_name(a, "MOSC");
	aml_release_mutex(a, "MLCK");
	aml_close(a);
}

/* MEJ0 (slot, arg): eject the slot's DIMM. */
static void memhp_mej0(struct aml *a)
{
	aml_method_open(a, "MEJ0", 2, false);
	select_slot(a);
	aml_op(a, AML_STORE);
	aml_int(a, 1);
	aml_name(a, "MEJ");
	aml_release_mutex(a, "MLCK");
	aml_close(a);
}

/* MTFY (slot, code): If (Arg0 == n) { Notify (\_SB.MPnn, Arg1) } ... */
static void memhp_mtfy(struct aml *a, unsigned int slots)
{
	char dev[16];
	unsigned int i;

	aml_method_open(a, "MTFY", 2, false);
	for (i = 0; i < slots; i++) {
		snprintf(dev, sizeof(dev), "\\_SB.MP%02X", i);
		aml_if_open(a);
		aml_op(a, AML_LEQUAL);
		aml_arg(a, 0);
		aml_int(a, i);
		aml_op(a, AML_NOTIFY);
		aml_name(a, dev);
		aml_arg(a, 1);
		aml_close(a);
	}
	aml_close(a);
}

/* If (flag == One) { MTFY (Local0, code); flag = One } -- left open for
 * the caller to close (and maybe chain an Else). */
static void memhp_scan_event(struct aml *a, const char *flag,
			     unsigned int code)
{
	aml_if_open(a);
	aml_op(a, AML_LEQUAL);
	aml_name(a, flag);
	aml_int(a, 1);
	aml_name(a, "MTFY");
	aml_local(a, 0);
	aml_int(a, code);
	aml_op(a, AML_STORE);
	aml_int(a, 1);
	aml_name(a, flag);
}

/* MSCN (): deliver every slot's pending insert or remove event. */
static void memhp_mscn(struct aml *a)
{
	aml_method_open(a, "MSCN", 0, false);
	aml_op(a, AML_STORE);
	aml_int(a, 0);
	aml_local(a, 0);
	aml_acquire(a, "MLCK", 0xffff);
	aml_while_open(a);
	aml_op(a, AML_LLESS);
	aml_local(a, 0);
	aml_name(a, "MDNR");
	aml_op(a, AML_STORE);
	aml_local(a, 0);
	aml_name(a, "MSEL");
	memhp_scan_event(a, "MINS", ACPI_NOTIFY_DEVICE_CHECK);
	aml_close(a);
	aml_else_open(a);
	memhp_scan_event(a, "MRMV", ACPI_NOTIFY_EJECT_REQUEST);
	aml_close(a);
	aml_close(a);
	aml_op(a, AML_INCREMENT);
	aml_local(a, 0);
	aml_close(a);           /* While */
	aml_release_mutex(a, "MLCK");
	aml_op(a, AML_RETURN);
	aml_int(a, 1);
	aml_close(a);
}

static void memhp_controller(struct aml *a, unsigned int slots)
{
	aml_device_open(a, MHPD);
	aml_name_string(a, "_HID", "PNP0A06");
	aml_name_string(a, "_UID", "Memory hotplug resources");
	aml_name_decl(a, "_CRS");
	aml_restemplate_open(a);
	aml_res_io(a, MEMHP_IO_BASE, MEMHP_IO_BASE, 0, MEMHP_IO_LEN);
	aml_close(a);
	aml_method_return_int(a, "_STA", 0x0b);
	aml_name_int(a, "MDNR", slots);
	memhp_fields(a);
	memhp_mrst(a);
	memhp_mcrs(a);
	memhp_mpxm(a);
	memhp_most(a);
	memhp_mej0(a);
	memhp_mtfy(a, slots);
	memhp_mscn(a);
	aml_close(a);
}

/* Method (name, nargs) { [Return] (MHPD.method (_UID, Arg0..)) } */
static void memhp_forward(struct aml *a, const char *name, unsigned int nargs,
			  const char *method, bool ret)
{
	unsigned int i;

	aml_method_open(a, name, nargs, false);
	if (ret)
		aml_op(a, AML_RETURN);
	aml_name(a, method);
	aml_name(a, "_UID");
	for (i = 0; i < nargs; i++)
		aml_arg(a, i);
	aml_close(a);
}

static void memhp_slot(struct aml *a, unsigned int slot)
{
	char dev[16];

	snprintf(dev, sizeof(dev), "\\_SB.MP%02X", slot);
	aml_device_open(a, dev);
	aml_name_eisaid(a, "_HID", "PNP0C80");
	aml_name_int(a, "_UID", slot);
	memhp_forward(a, "_STA", 0, MHPD_M("MRST"), true);
	memhp_forward(a, "_CRS", 0, MHPD_M("MCRS"), true);
	memhp_forward(a, "_PXM", 0, MHPD_M("MPXM"), true);
	memhp_forward(a, "_OST", 3, MHPD_M("MOST"), false);
	memhp_forward(a, "_EJ0", 1, MHPD_M("MEJ0"), false);
	aml_close(a);
}

/* Top level: the controller and one PNP0C80 device per slot. */
static void memhp_dsdt_top(struct aml *a, void *opaque)
{
	const struct hotplug_config *cfg = opaque;
	unsigned int i;

	memhp_controller(a, cfg->slots);
	for (i = 0; i < cfg->slots; i++)
		memhp_slot(a, i);
}

/* Inside Scope (\_GPE): Method (_E03) { \_SB.MHPD.MSCN () } */
static void memhp_dsdt_gpe(struct aml *a, void *opaque)
{
	char name[8];

	snprintf(name, sizeof(name), "_E%02X", MEMHP_GPE_BIT);
	aml_method_open(a, name, 0, false);
	aml_name(a, MHPD_M("MSCN"));
	aml_close(a);
}

int memhp_acpi_dsdt(const struct hotplug_config *cfg, struct acpi_config *ac,
		    struct errmsg *e)
{
	struct acpi_dsdt_part part = {
		.top = memhp_dsdt_top,
		.gpe = memhp_dsdt_gpe,
		.opaque = (void *)cfg,
	};

	return cfg->slots ? acpi_config_add_dsdt(ac, &part, e) : 0;
}
