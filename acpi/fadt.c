/*
 * FADT (signature "FACP") and FACS.
 *
 * memvisor's FADT is a full, non-hardware-reduced one modelled on QEMU's pc
 * (PIIX4) machine, revision 6: ACPI is always enabled (SMI_CMD = 0, so no
 * ACPI_ENABLE/ACPI_DISABLE handshake), the SCI is PLAT_SCI_IRQ, and the PM1a
 * event and control blocks, the PM timer and GPE0 sit in I/O space where
 * vmm/platform.h puts them. Each block is given twice, in the legacy 32-bit
 * field with its length byte and in the X_ Generic Address Structure, with
 * matching widths (Linux warns about any mismatch). The power button is the
 * fixed-feature one (PWR_BUTTON clear): the VMM raises PWRBTN_STS in PM1
 * status; there is no sleep button (SLP_BUTTON set). C2 and C3 are
 * advertised as unsupported (latencies above 100 and 1000 us), as QEMU does.
 */
#include <string.h>

#include "acpi/acpi_internal.h"
#include "vmm/platform.h"

struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;         /* FACS, 32-bit */
	uint32_t dsdt;                  /* DSDT, 32-bit */
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");

#define FADT_REVISION           6
#define FADT_MINOR_VERSION      0

/* Fixed feature flags. */
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_PROC_C1          (1u << 2)
#define FADT_F_PWR_BUTTON       (1u << 4)   /* set: control-method button */
#define FADT_F_SLP_BUTTON       (1u << 5)   /* set: no / control-method */
#define FADT_F_FORCE_APIC_PHYS  (1u << 19)  /* FORCE_APIC_PHYSICAL_DEST_MODE */

/* IA-PC boot architecture flags. */
#define FADT_BOOT_8042          (1u << 1)

/* C-state latencies meaning "not supported". */
#define FADT_C2_NONE            0x0fff
#define FADT_C3_NONE            0x0fff

enum { GAS_BYTE = 1, GAS_WORD = 2, GAS_DWORD = 3 };

static struct acpi_gas io_gas(uint16_t port, unsigned int len,
			      unsigned int access)
{
	struct acpi_gas g = {
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = len * 8,
		.access_size = access,
		.address = port,
	};
	return g;
}

size_t acpi_fadt_size(void)
{
	return sizeof(struct acpi_fadt);
}

/* The PM register blocks, legacy and X_ forms. */
static void fadt_pm_blocks(struct acpi_fadt *f)
{
	f->pm1a_evt_blk = PLAT_PM1A_EVT_PORT;
	f->pm1a_cnt_blk = PLAT_PM1A_CNT_PORT;
	f->pm_tmr_blk = PLAT_PM_TMR_PORT;
	f->gpe0_blk = PLAT_GPE0_PORT;
	f->pm1_evt_len = PLAT_PM1A_EVT_LEN;
	f->pm1_cnt_len = PLAT_PM1A_CNT_LEN;
	f->pm_tmr_len = PLAT_PM_TMR_LEN;
	f->gpe0_blk_len = PLAT_GPE0_LEN;
	/* PM1 status/enable and control are 16-bit registers, GPE0 bytes. */
	f->x_pm1a_evt_blk = io_gas(PLAT_PM1A_EVT_PORT, PLAT_PM1A_EVT_LEN,
				   GAS_WORD);
	f->x_pm1a_cnt_blk = io_gas(PLAT_PM1A_CNT_PORT, PLAT_PM1A_CNT_LEN,
				   GAS_WORD);
	f->x_pm_tmr_blk = io_gas(PLAT_PM_TMR_PORT, PLAT_PM_TMR_LEN, GAS_DWORD);
	f->x_gpe0_blk = io_gas(PLAT_GPE0_PORT, PLAT_GPE0_LEN, GAS_BYTE);
}

void acpi_fadt_build(void *out, const struct acpi_config *cfg, gpa_t facs,
		     gpa_t dsdt)
{
	struct acpi_fadt *f = out;

	memset(f, 0, sizeof(*f));
	acpi_header_init(&f->h, "FACP", sizeof(*f), FADT_REVISION);
	f->minor_version = FADT_MINOR_VERSION;
	f->firmware_ctrl = facs;
	f->x_firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = PLAT_SCI_IRQ;
	f->smi_cmd = 0;         /* ACPI always enabled: no SMI handshake */
	f->acpi_enable = 0;
	f->acpi_disable = 0;
	fadt_pm_blocks(f);
	f->p_lvl2_lat = FADT_C2_NONE;
	f->p_lvl3_lat = FADT_C3_NONE;
	f->century = 0;         /* no CMOS century register advertised */
	f->iapc_boot_arch = FADT_BOOT_8042;
	f->flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON;
	/* As QEMU: beyond 8 CPUs logical flat mode cannot address them all. */
	if (cfg->ncpus > 8)
		f->flags |= FADT_F_FORCE_APIC_PHYS;
	acpi_header_seal(&f->h);
}

void acpi_facs_build(void *out)
{
	struct acpi_facs *facs = out;

	memset(facs, 0, sizeof(*facs));
	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;
}
