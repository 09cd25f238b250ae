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

#define FADT_REVISION           6
#define FADT_MINOR_VERSION      0

/* C-state latencies meaning "not supported". */
#define FADT_C2_NONE            0x0fff
#define FADT_C3_NONE            0x0fff

static struct acpi_generic_address io_gas(uint16_t port, unsigned int len,
					  unsigned int access)
{
	struct acpi_generic_address g = {
		.space_id = ACPI_ADR_SPACE_SYSTEM_IO,
		.bit_width = len * 8,
		.access_size = access,
		.address = port,
	};
	return g;
}

size_t acpi_fadt_size(void)
{
	return sizeof(struct acpi_table_fadt);
}

/* The PM register blocks, legacy and X_ forms. */
static void fadt_pm_blocks(struct acpi_table_fadt *f)
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
				   ACPI_ACCESS_SIZE_WORD);
	f->x_pm1a_cnt_blk = io_gas(PLAT_PM1A_CNT_PORT, PLAT_PM1A_CNT_LEN,
				   ACPI_ACCESS_SIZE_WORD);
	f->x_pm_tmr_blk = io_gas(PLAT_PM_TMR_PORT, PLAT_PM_TMR_LEN,
				 ACPI_ACCESS_SIZE_DWORD);
	f->x_gpe0_blk = io_gas(PLAT_GPE0_PORT, PLAT_GPE0_LEN,
			       ACPI_ACCESS_SIZE_BYTE);
}

void acpi_fadt_build(void *out, const struct acpi_config *cfg, gpa_t facs,
		     gpa_t dsdt)
{
	struct acpi_table_fadt *f = out;

	memset(f, 0, sizeof(*f));
	acpi_header_init(&f->header, ACPI_SIG_FADT, sizeof(*f), FADT_REVISION);
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
	f->iapc_boot_arch = ACPI_FADT_8042;
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_C1_SUPPORTED |
		   ACPI_FADT_SLEEP_BUTTON;
	/* As QEMU: beyond 8 CPUs logical flat mode cannot address them all. */
	if (cfg->ncpus > 8)
		f->flags |= ACPI_FADT_APIC_PHYSICAL;
	acpi_header_seal(&f->header);
}

void acpi_facs_build(void *out)
{
	struct acpi_table_facs *facs = out;

	memset(facs, 0, sizeof(*facs));
	memcpy(facs->signature, ACPI_SIG_FACS, 4);
	facs->length = sizeof(*facs);
	facs->version = 2;
}
