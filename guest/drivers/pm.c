/*
 * ACPI power management: SCI, power button, GPE0, S5.
 *
 * Registers (I/O ports from the FADT, see acpi.h):
 *   PM1a_EVT: status word (write 1 to clear), then the enable word at
 *             + PM1_EVT_LEN/2. Bit 8 is the power button (PWRBTN_STS/_EN).
 *   PM1a_CNT: bit 0 SCI_EN (ACPI mode), bits 10-12 SLP_TYP, bit 13 SLP_EN.
 *   GPE0_BLK: GPE0_BLK_LEN/2 status bytes, then as many enable bytes.
 *
 * The SCI is an ISA IRQ (FADT.SCI_INT), level-triggered, routed per the
 * MADT. Its handler first looks at PM1 status: a power-button press is
 * acknowledged (write 1) and powers the machine off like `poweroff`. Then
 * each GPE0 status byte with an enabled bit is read, the bits are cleared
 * (before handling, so a new event during the handler is not lost) and
 * their handlers run. gpe_en[] caches the enable bytes so the handler reads
 * only bytes that can have work (each access is a VM exit).
 */
#include "drivers/pm.h"
#include "drivers/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/irq.h"
#include "include/errno.h"
#include "kernel/console.h"
#include "kernel/printk.h"

#define PM1_PWRBTN       (1u << 8)      /* PWRBTN_STS / PWRBTN_EN */
#define PM1_CNT_SCI_EN   (1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP  (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN   (1u << 13)
#define GPE0_MAX_BYTES   16              /* 128 GPEs */
#define ACPI_ENABLE_SPINS 100000

struct gpe_desc {
	gpe_handler_t fn;
	void *ctx;
};

static const struct acpi_pm_info *pm = &acpi.pm;
static unsigned int gpe_bytes;          /* status bytes in GPE0 */
static uint8_t gpe_en[GPE0_MAX_BYTES];
static struct gpe_desc gpe_descs[GPE0_MAX_BYTES * 8];

static uint16_t pm1_en_port(void)
{
	return pm->pm1a_evt + pm->pm1_evt_len / 2;
}

/* Switch from legacy to ACPI mode (SCI_EN) through SMI_CMD, if firmware
 * has not; a VMM with ACPI always on has SMI_CMD 0. */
static void acpi_enable_mode(void)
{
	unsigned int i;

	if (!pm->smi_cmd || !pm->acpi_enable || (inw(pm->pm1a_cnt) & PM1_CNT_SCI_EN))
		return;
	outb(pm->acpi_enable, pm->smi_cmd);
	for (i = 0; i < ACPI_ENABLE_SPINS; i++)
		if (inw(pm->pm1a_cnt) & PM1_CNT_SCI_EN)
			return;
	pr_warn("ACPI: SCI_EN did not come on\n");
}

static void gpe_dispatch(void)
{
	unsigned int i, bit;
	uint8_t sts;

	for (i = 0; i < gpe_bytes; i++) {
		if (!gpe_en[i])
			continue;
		sts = inb(pm->gpe0_blk + i) & gpe_en[i];
		if (!sts)
			continue;
		outb(sts, pm->gpe0_blk + i);
		for (bit = 0; bit < 8; bit++)
			if (sts & (1u << bit))
				gpe_descs[i * 8 + bit].fn(i * 8 + bit,
							  gpe_descs[i * 8 + bit].ctx);
	}
}

static void sci_irq(void *ctx)
{
	uint16_t sts = inw(pm->pm1a_evt);

	if (sts & PM1_PWRBTN) {
		outw(PM1_PWRBTN, pm->pm1a_evt);
		pr_info("ACPI: power button pressed\n");
		pm_poweroff();
	}
	gpe_dispatch();
}

int pm_gpe_register(unsigned int bit, gpe_handler_t fn, void *ctx)
{
	unsigned int byte = bit / 8;

	if (byte >= gpe_bytes || !fn)
		return -EINVAL;
	if (gpe_descs[bit].fn)
		return -EBUSY;
	gpe_descs[bit] = (struct gpe_desc){ fn, ctx };
	outb(1u << (bit % 8), pm->gpe0_blk + byte);     /* stale status */
	gpe_en[byte] |= 1u << (bit % 8);
	outb(gpe_en[byte], pm->gpe0_blk + gpe_bytes + byte);
	return 0;
}

/* All GPEs off until someone registers: firmware may have left some on. */
static void gpe_init(void)
{
	unsigned int i;

	gpe_bytes = pm->gpe0_blk ? pm->gpe0_blk_len / 2 : 0;
	if (gpe_bytes > GPE0_MAX_BYTES)
		gpe_bytes = GPE0_MAX_BYTES;
	for (i = 0; i < gpe_bytes; i++)
		outb(0, pm->gpe0_blk + gpe_bytes + i);
}

int pm_init(void)
{
	int err;

	if (!acpi.has_fadt || !pm->pm1a_evt || !pm->pm1a_cnt)
		return -ENODEV;
	acpi_enable_mode();
	gpe_init();
	outw(PM1_PWRBTN, pm->pm1a_evt);         /* clear a stale press */
	outw(PM1_PWRBTN, pm1_en_port());
	err = irq_request_isa(pm->sci_int, sci_irq, NULL);
	if (err)
		return err;
	pr_info("ACPI: SCI on IRQ %u, PM1a_EVT 0x%x, PM1a_CNT 0x%x, GPE0 0x%x/%u\n",
		pm->sci_int, pm->pm1a_evt, pm->pm1a_cnt, pm->gpe0_blk,
		pm->gpe0_blk_len);
	return 0;
}

static void pm1_cnt_sleep(uint16_t port, uint8_t slp_typ)
{
	uint16_t v = inw(port) & ~(PM1_CNT_SLP_TYP | PM1_CNT_SLP_EN);

	v |= (uint16_t)((slp_typ & 7) << PM1_CNT_SLP_TYP_SHIFT);
	outw(v | PM1_CNT_SLP_EN, port);
}

void pm_poweroff(void)
{
	uint8_t a = 0, b = 0;

	if (acpi_sleep_type(5, &a, &b))
		pr_warn("ACPI: no \\_S5 in the DSDT, trying SLP_TYP 0\n");
	console_puts("reboot: Power down\n");
	cpu_cli();
	if (pm->pm1a_cnt) {
		pm1_cnt_sleep(pm->pm1a_cnt, a);
		if (pm->pm1b_cnt)
			pm1_cnt_sleep(pm->pm1b_cnt, b);
	}
	cpu_halt_forever();             /* the VMM stops us */
}
