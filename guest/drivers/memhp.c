/*
 * ACPI memory hotplug driver (QEMU's docs/specs/acpi_mem_hotplug.rst).
 *
 * What: the VMM has N DIMM slots behind one register block at I/O 0x0a00.
 * Writing a slot number to the selector (0x00) makes every other register
 * about that slot: base (0x00/0x04), size (0x08/0x0c), proximity domain
 * (0x10), status (0x14: enabled, insert event, remove event); writes report
 * _OST (event 0x04, then status 0x08, which the VMM turns into QMP's
 * ACPI_DEVICE_OST) and control the slot (0x14: clear insert, clear remove,
 * eject). A plug or unplug request raises GPE0 bit 3 through the SCI.
 * We drive the registers directly, doing what the DSDT's \_GPE._E03 ->
 * MSCN and the PNP0C80 devices' _OST/_EJ0 would do for an AML interpreter.
 *
 * Flow:
 *	SCI -> GPE0 bit 3 -> memhp_gpe() -> schedule_work()  (interrupt)
 *	memhp_scan() (process context, see kernel/workqueue.h), and once
 *	memhp_boot_scan() from memhp_init() with the GPE on: per slot,
 *	  enabled and not yet ours (insert event, or cold-plugged at boot):
 *	    read base/size/PXM, clear the insert event, add_memory() with
 *	    the memmap on the DIMM and online per auto_online_blocks;
 *	    _OST(Device Check, success | failure)
 *	  remove event: clear it; offline_and_remove_memory() (isolate,
 *	    migrate, remove); success: _OST(OSPM eject, in progress), eject;
 *	    failure: blocks back online, _OST(Eject Request, Device Busy)
 * Linux's OST codes: insertion failure is "non-specific failure", a busy
 * eject "device busy" (acpi_device_hotplug()).
 *
 * "acpi_no_memhotplug" on the command line keeps the driver off, as in
 * Linux (the VMM then never gets an answer).
 *
 * The number of slots is the DSDT's MDNR (QEMU's and memvisor's AML both
 * name it so): QEMU reads 0 past the last slot, memvisor all ones, so a
 * probe could not tell an empty slot from the end. Cost: every register
 * access is a VM exit (tens of us here); a scan is 2 per slot (boot does
 * one, not a cold-plug pass and then a scan), an insert
 * 8 more, a remove 5 more. Log lines are written after the _OST answer:
 * formatting one costs about a millisecond of emulated ring 0 here.
 *
 * State: slot[] remembers what we added (base, size, node) so a remove
 * needs no register reads and a second insert event is not a second add.
 * Only the work function touches it, one run at a time.
 */
#include "drivers/memhp.h"
#include "drivers/acpi.h"
#include "drivers/pm.h"
#include "abi/memhp.h"
#include "arch/x86/io.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/memory_block.h"
#include "kernel/printk.h"
#include "kernel/workqueue.h"
#include "mm/mm_types.h"


struct memhp_slot {
	phys_addr_t base;
	uint64_t size;
	int nid;
	bool added;             /* add_memory() succeeded, not removed yet */
};

struct memhp {
	uint16_t port;
	unsigned int nr_slots;
	struct work_struct scan_work;
	struct memhp_slot slot[MEMHP_MAX_SLOTS];
};

static struct memhp memhp;

/* ------------------------------------------------------------ registers */

static void memhp_select(const struct memhp *hp, unsigned int slot)
{
	outl(slot, hp->port + MEMHP_REG_SEL);
}

static uint8_t memhp_status(const struct memhp *hp)
{
	return inb(hp->port + MEMHP_REG_STATUS);
}

static uint64_t memhp_read64(const struct memhp *hp, unsigned int lo)
{
	uint64_t v = inl(hp->port + lo);

	return v | (uint64_t)inl(hp->port + lo + 4) << 32;
}

static void memhp_ctrl(const struct memhp *hp, uint8_t bits)
{
	outb(bits, hp->port + MEMHP_REG_CTRL);
}

/* _OST(@event, @status) for the selected slot. */
static void memhp_ost(const struct memhp *hp, uint32_t event, uint32_t status)
{
	outl(event, hp->port + MEMHP_REG_OST_EVENT);
	outl(status, hp->port + MEMHP_REG_OST_STATUS);
}

/* ------------------------------------------------------------ insert */

/* SRAT proximity domain to node: the identity, as acpi.c numbers nodes;
 * -1 beyond what guest/mm supports. */
static int pxm_to_node(uint32_t pxm)
{
	return pxm < MAX_NUMNODES ? (int)pxm : -1;
}

/* Read the selected slot's DIMM into @s. */
static void memhp_read_slot(const struct memhp *hp, struct memhp_slot *s)
{
	s->base = memhp_read64(hp, MEMHP_REG_ADDR_LO);
	s->size = memhp_read64(hp, MEMHP_REG_SIZE_LO);
	s->nid = pxm_to_node(inl(hp->port + MEMHP_REG_PXM));
}

/* Add the DIMM in selected slot @i; @hot: answer an insert event. The
 * log lines come after the answer, and are few: each costs about 1 ms of
 * emulated ring 0, and the next event waits behind them. */
static void memhp_insert(struct memhp *hp, unsigned int i, bool hot)
{
	struct memhp_slot *s = &hp->slot[i];
	enum mmop type = mhp_default_online_type;
	struct mhp_add_stats st;
	int ret;

	memhp_read_slot(hp, s);
	if (hot)
		memhp_ctrl(hp, MEMHP_CTRL_CLR_INSERT);
	ret = s->nid < 0 ? -EINVAL : add_memory(s->nid, s->base, s->size, type, &st);
	s->added = !ret;
	if (hot)
		memhp_ost(hp, ACPI_NOTIFY_DEVICE_CHECK,
			  ret ? ACPI_OST_SC_NON_SPECIFIC_FAILURE :
				ACPI_OST_SC_SUCCESS);
	if (!ret) {
		mhp_log_add(s->nid, s->base, s->size, type, &st);
		return;
	}
	pr_err("ACPI: memory hotplug: slot %u %s: [mem %#lx-%#lx] node %d: add_memory failed (%d)%s\n",
	       i, hot ? "insert event" : "present at boot",
	       (unsigned long)s->base, (unsigned long)(s->base + s->size - 1),
	       s->nid, ret, hot ? ", _OST failure" : "");
}

/* ------------------------------------------------------------ remove */

static void memhp_eject(struct memhp *hp, unsigned int i)
{
	memhp_select(hp, i);
	memhp_ost(hp, ACPI_OST_EC_OSPM_EJECT, ACPI_OST_SC_EJECT_IN_PROGRESS);
	memhp_ctrl(hp, MEMHP_CTRL_EJECT);
}

/* Handle the remove event of selected slot @i; log after answering. */
static void memhp_remove(struct memhp *hp, unsigned int i)
{
	struct memhp_slot *s = &hp->slot[i];
	struct mhp_remove_stats st;
	int ret = 0;

	memhp_ctrl(hp, MEMHP_CTRL_CLR_REMOVE);
	if (s->added)
		ret = offline_and_remove_memory(s->base, s->size, &st);
	if (ret) {
		memhp_select(hp, i);
		memhp_ost(hp, ACPI_NOTIFY_EJECT_REQUEST,
			  ACPI_OST_SC_DEVICE_BUSY);
	} else {
		memhp_eject(hp, i);
	}
	if (s->added)
		mhp_log_remove(s->base, s->size, ret, &st);
	if (ret)
		pr_warn("ACPI: memory hotplug: slot %u: cannot offline [mem %#lx-%#lx] (%d), eject refused\n",
			i, (unsigned long)s->base,
			(unsigned long)(s->base + s->size - 1), ret);
	else
		pr_info("ACPI: memory hotplug: slot %u ejected\n", i);
	s->added = s->added && ret;
}

/* ------------------------------------------------------------ scan */

/* Handle selected slot @i's events; @boot: also add a DIMM that is
 * enabled with no insert event and not ours (plugged before we ran). */
static void memhp_scan_slot(struct memhp *hp, unsigned int i, bool boot)
{
	uint8_t sts;

	memhp_select(hp, i);
	sts = memhp_status(hp);
	if (!(sts & MEMHP_STS_ENABLED))
		return;
	if (sts & MEMHP_STS_INSERT) {
		if (hp->slot[i].added) {        /* again: already ours */
			memhp_ctrl(hp, MEMHP_CTRL_CLR_INSERT);
			memhp_ost(hp, ACPI_NOTIFY_DEVICE_CHECK,
				  ACPI_OST_SC_SUCCESS);
		} else {
			memhp_insert(hp, i, true);
		}
	} else if (boot && !hp->slot[i].added) {
		memhp_insert(hp, i, false);
	}
	if (sts & MEMHP_STS_REMOVE)
		memhp_remove(hp, i);
}

static void memhp_scan(struct work_struct *work)
{
	struct memhp *hp = container_of(work, struct memhp, scan_work);

	for (unsigned int i = 0; i < hp->nr_slots; i++)
		memhp_scan_slot(hp, i, false);
}

/* SCI context: only queue the scan. */
static void memhp_gpe(unsigned int bit, void *ctx)
{
	struct memhp *hp = ctx;

	schedule_work(&hp->scan_work);
}

/* Boot, GPE already on: one scan that also adds the cold-plugged DIMMs
 * and answers events raised before we listened. An SCI meanwhile only
 * queues the work, which runs after us (workqueue.h) and finds those
 * events handled; so no second pass here. */
static void memhp_boot_scan(struct memhp *hp)
{
	for (unsigned int i = 0; i < hp->nr_slots; i++)
		memhp_scan_slot(hp, i, true);
}

int memhp_init(void)
{
	struct memhp *hp = &memhp;
	uint64_t slots;
	int ret;

	if (cmdline_param("acpi_no_memhotplug", NULL, 0) ||
	    acpi_dsdt_name_int("MDNR", &slots) || !slots)
		return -ENODEV;
	hp->port = MEMHP_IO_BASE;
	hp->nr_slots = slots < MEMHP_MAX_SLOTS ? (unsigned int)slots :
						 MEMHP_MAX_SLOTS;
	INIT_WORK(&hp->scan_work, memhp_scan);
	ret = pm_gpe_register(MEMHP_GPE_BIT, memhp_gpe, hp);
	memhp_boot_scan(hp);
	if (ret)
		return ret;
	pr_info("ACPI: memory hotplug: %u slots at I/O %#x, GPE0 bit %u\n",
		hp->nr_slots, hp->port, MEMHP_GPE_BIT);
	return 0;
}
