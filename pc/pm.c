/*
 * ACPI PM registers, as on QEMU's PIIX4 so the same guest drives both.
 *
 *   PM1a_EVT (0x600, 4 bytes): STS (write 1 to clear) | EN
 *   PM1a_CNT (0x604, 2 bytes): SCI_EN (always 1: there is no SMI_CMD, ACPI
 *            is always on), SLP_TYP (bits 10-12), SLP_EN (bit 13, write-only)
 *   PM_TMR   (0x608, 4 bytes): 24-bit counter at 3.579545 MHz
 *   GPE0     (0xafe0, 4 bytes): STS (2, write 1 to clear) | EN (2)
 *
 * The SCI (level-triggered, on PLAT_SCI_IRQ) is asserted while any enabled
 * status bit is set. Writing SLP_EN with the \_S5 sleep type powers off.
 * Registers are 16-bit pairs accessed at any width and offset, so accesses
 * are decomposed into bytes.
 *
 * The PM block is the VM's ACPI event controller: other devices raise GPEs
 * and QMP presses the power button through the core (vm_gpe_raise,
 * vm_power_button), never by calling this file. Its DSDT part is \_S5.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acpi/acpi.h"
#include "pc/pc.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

#define PM1_TMR_STS 0x0001
#define PM1_PWRBTN 0x0100
#define PM1_STS_MASK 0x8d31
#define PM1_EN_MASK 0x0521
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_EN 0x2000
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)
#define PM_TMR_HZ 3579545ull

struct pm {
	struct vm *vm;
	pthread_mutex_t lock;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint16_t gpe_sts, gpe_en;
	int sci_level;
};

static void update_sci(struct pm *pm)
{
	int level = (pm->pm1_sts & pm->pm1_en) || (pm->gpe_sts & pm->gpe_en);

	if (level != pm->sci_level) {
		pm->sci_level = level;
		vm_set_irq(pm->vm, PLAT_SCI_IRQ, level);
	}
}

/* Byte @i of a block of two little-endian 16-bit registers {sts, en}. */
static uint8_t pair_byte(uint16_t sts, uint16_t en, unsigned int i)
{
	uint16_t r = i < 2 ? sts : en;

	return r >> (8 * (i & 1));
}

/* Apply a write of byte @v at @i: status bits clear on 1, enable stores. */
static void pair_write(uint16_t *sts, uint16_t *en, unsigned int i, uint8_t v)
{
	unsigned int shift = 8 * (i & 1);

	if (i < 2)
		*sts &= ~((uint16_t)v << shift);
	else if (i < 4)
		*en = (*en & ~(0xff << shift)) | ((uint16_t)v << shift);
}

static uint32_t pm_timer(void)
{
	struct timespec ts;
	unsigned __int128 ns;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (unsigned __int128)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return (uint32_t)(ns * PM_TMR_HZ / 1000000000ull) & 0xffffff;
}

static void pm_cnt_write(struct pm *pm, uint16_t v)
{
	pm->pm1_cnt = (v & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
	if ((v & PM1_CNT_SLP_EN) && PM1_CNT_SLP_TYP(v) == PLAT_SLP_TYP_S5)
		vm_request_stop(pm->vm, VM_STOP_POWEROFF, "guest powered off");
}

/* The PM block at 0x600: offsets 0-3 PM1a_EVT, 4-5 PM1a_CNT, 8-11 PM_TMR. */
static void pm_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pm *pm = opaque;
	uint8_t *out = data;
	uint32_t tmr = pm_timer();
	unsigned int i;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++) {
		unsigned int o = off + i;

		if (o < 4)
			out[i] = pair_byte(pm->pm1_sts, pm->pm1_en, o);
		else if (o < 6)
			out[i] = (pm->pm1_cnt | PM1_CNT_SCI_EN) >> (8 * (o - 4));
		else if (o >= 8 && o < 12)
			out[i] = tmr >> (8 * (o - 8));
		else
			out[i] = 0xff;
	}
	pthread_mutex_unlock(&pm->lock);
}

static void pm_write(void *opaque, uint64_t off, const void *data,
		     unsigned int len)
{
	struct pm *pm = opaque;
	const uint8_t *in = data;
	uint16_t cnt;
	unsigned int i;
	int cnt_written = 0;

	pthread_mutex_lock(&pm->lock);
	cnt = pm->pm1_cnt;
	for (i = 0; i < len; i++) {
		unsigned int o = off + i;

		if (o < 4) {
			pair_write(&pm->pm1_sts, &pm->pm1_en, o, in[i]);
		} else if (o < 6) {
			cnt = (cnt & ~(0xff << (8 * (o - 4)))) |
			      (in[i] << (8 * (o - 4)));
			cnt_written = 1;
		}
	}
	pm->pm1_en &= PM1_EN_MASK;
	if (cnt_written)
		pm_cnt_write(pm, cnt);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static void gpe_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pm *pm = opaque;
	uint8_t *out = data;
	unsigned int i;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++)
		out[i] = off + i < 4 ? pair_byte(pm->gpe_sts, pm->gpe_en, off + i)
				     : 0xff;
	pthread_mutex_unlock(&pm->lock);
}

static void gpe_write(void *opaque, uint64_t off, const void *data,
		      unsigned int len)
{
	struct pm *pm = opaque;
	const uint8_t *in = data;
	unsigned int i;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++)
		pair_write(&pm->gpe_sts, &pm->gpe_en, off + i, in[i]);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static const struct io_ops pm_ops = { .read = pm_read, .write = pm_write };
static const struct io_ops gpe_ops = { .read = gpe_read, .write = gpe_write };

static void pm_power_button(void *opaque)
{
	struct pm *pm = opaque;

	pthread_mutex_lock(&pm->lock);
	pm->pm1_sts |= PM1_PWRBTN;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static void pm_gpe_raise(void *opaque, unsigned int bit)
{
	struct pm *pm = opaque;

	pthread_mutex_lock(&pm->lock);
	pm->gpe_sts |= 1u << bit;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static const struct acpi_event_ops pm_events = {
	.gpe_raise = pm_gpe_raise,
	.power_button = pm_power_button,
};

static void *pm_create(struct vm *vm, const void *cfg, struct errmsg *e)
{
	struct pm *pm = calloc(1, sizeof(*pm));
	int ret;

	if (!pm) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	pm->vm = vm;
	pm->pm1_cnt = PM1_CNT_SCI_EN;
	pthread_mutex_init(&pm->lock, NULL);
	ret = bus_register(&vm->pio, PLAT_PM_PORT, 12, &pm_ops, pm);
	if (!ret) {
		ret = bus_register(&vm->pio, PLAT_GPE0_PORT, PLAT_GPE0_LEN,
				   &gpe_ops, pm);
		if (ret)
			bus_unregister(&vm->pio, PLAT_PM_PORT);
	}
	if (ret) {
		errmsg_set(e, ret, "cannot register the ACPI PM block");
		free(pm);
		return NULL;
	}
	vm_set_acpi_events(vm, &pm_events, pm);
	return pm;
}

static void pm_destroy(void *opaque)
{
	struct pm *pm = opaque;

	bus_unregister(&pm->vm->pio, PLAT_PM_PORT);
	bus_unregister(&pm->vm->pio, PLAT_GPE0_PORT);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}


/* \_S5 for the DSDT: SLP_TYP values for PM1a and PM1b, two reserved. */
static void pm_dsdt(struct aml *a, void *opaque)
{
	aml_name_decl(a, "\\_S5");
	aml_package_open(a, 4);
	aml_int(a, PLAT_SLP_TYP_S5);
	aml_int(a, PLAT_SLP_TYP_S5);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_close(a);
}

static int pm_acpi(void *dev, struct acpi_config *ac, struct errmsg *e)
{
	struct acpi_dsdt_part part = { .top = pm_dsdt };

	return acpi_config_add_dsdt(ac, &part, e);
}

const struct device_ops pm_device = {
	.name = "pm",
	.create = pm_create,
	.acpi = pm_acpi,
	.destroy = pm_destroy,
};
