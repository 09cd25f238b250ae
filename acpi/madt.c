/*
 * MADT (signature "APIC") and SRAT.
 *
 * MADT, as QEMU's pc machine writes it: the local APIC address, PCAT_COMPAT
 * (the guest also has legacy 8259s, which it must mask), one Processor Local
 * APIC per vCPU (ACPI processor UID = APIC id = cpu index, enabled), one
 * IOAPIC with id 0 at PLAT_IOAPIC_GPA serving GSIs 0-23, the Interrupt
 * Source Overrides ISA IRQ0 -> GSI2 (the PIT; bus-conforming polarity and
 * trigger), IRQ9 -> GSI9 level-triggered active-high (the SCI) and the
 * same for the PCI INTx IRQs 10 and 11 (as QEMU pc's MADT), and a
 * Local APIC NMI on LINT1 of every processor.
 *
 * SRAT revision 3: every CPU's APIC id in proximity domain 0, and one Memory
 * Affinity structure per configured RAM range with its domain; hot-pluggable
 * ranges (the DIMM area) carry the hot pluggable flag so the guest reserves
 * room for them.
 */
#include <string.h>

#include "acpi/acpi_internal.h"
#include "vmm/platform.h"

#define MADT_REVISION           5   /* ACPI 6.3+ */
#define MADT_IOAPIC_ID          0   /* QEMU's ACPI_BUILD_IOAPIC_ID */
#define PIT_ISA_IRQ             0
#define PIT_GSI                 2
#define SRAT_REVISION           3

size_t acpi_madt_size(const struct acpi_config *cfg)
{
	return sizeof(struct acpi_table_madt) +
	       cfg->ncpus * sizeof(struct acpi_madt_local_apic) +
	       sizeof(struct acpi_madt_io_apic) +
	       4 * sizeof(struct acpi_madt_interrupt_override) +
	       sizeof(struct acpi_madt_local_apic_nmi);
}

static uint8_t *madt_iso(uint8_t *p, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	struct acpi_madt_interrupt_override iso = {
		.header = { ACPI_MADT_TYPE_INTERRUPT_OVERRIDE, sizeof(iso) },
		.bus = 0, .source_irq = irq, .gsi = gsi, .inti_flags = flags,
	};

	memcpy(p, &iso, sizeof(iso));
	return p + sizeof(iso);
}

void acpi_madt_build(void *out, const struct acpi_config *cfg)
{
	struct acpi_table_madt *m = out;
	uint8_t *p = (uint8_t *)(m + 1);
	struct acpi_madt_io_apic io = {
		.header = { ACPI_MADT_TYPE_IO_APIC, sizeof(io) },
		.id = MADT_IOAPIC_ID, .address = PLAT_IOAPIC_GPA,
		.gsi_base = 0,
	};
	struct acpi_madt_local_apic_nmi nmi = {
		.header = { ACPI_MADT_TYPE_LOCAL_APIC_NMI, sizeof(nmi) },
		.processor_uid = 0xff, .inti_flags = 0, .lint = 1,
	};
	unsigned int i;

	memset(m, 0, acpi_madt_size(cfg));
	acpi_header_init(&m->header, ACPI_SIG_MADT, acpi_madt_size(cfg),
			 MADT_REVISION);
	m->lapic_address = PLAT_LAPIC_GPA;
	m->flags = ACPI_MADT_PCAT_COMPAT;
	for (i = 0; i < cfg->ncpus; i++) {
		struct acpi_madt_local_apic l = {
			.header = { ACPI_MADT_TYPE_LOCAL_APIC, sizeof(l) },
			.processor_uid = i, .apic_id = i,
			.flags = ACPI_MADT_ENABLED,
		};
		memcpy(p, &l, sizeof(l));
		p += sizeof(l);
	}
	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	p = madt_iso(p, PIT_ISA_IRQ, PIT_GSI,
		     ACPI_MADT_POLARITY_CONFORMS | ACPI_MADT_TRIGGER_CONFORMS);
	p = madt_iso(p, PLAT_SCI_IRQ, PLAT_SCI_IRQ,
		     ACPI_MADT_TRIGGER_LEVEL | ACPI_MADT_POLARITY_ACTIVE_HIGH);
	p = madt_iso(p, PLAT_PCI_IRQ_LO, PLAT_PCI_IRQ_LO,
		     ACPI_MADT_TRIGGER_LEVEL | ACPI_MADT_POLARITY_ACTIVE_HIGH);
	p = madt_iso(p, PLAT_PCI_IRQ_HI, PLAT_PCI_IRQ_HI,
		     ACPI_MADT_TRIGGER_LEVEL | ACPI_MADT_POLARITY_ACTIVE_HIGH);
	memcpy(p, &nmi, sizeof(nmi));
	acpi_header_seal(&m->header);
}

size_t acpi_srat_size(const struct acpi_config *cfg)
{
	return sizeof(struct acpi_table_srat) +
	       cfg->ncpus * sizeof(struct acpi_srat_cpu_affinity) +
	       cfg->nr_mem * sizeof(struct acpi_srat_mem_affinity);
}

void acpi_srat_build(void *out, const struct acpi_config *cfg)
{
	struct acpi_table_srat *s = out;
	uint8_t *p = (uint8_t *)(s + 1);
	unsigned int i;

	memset(s, 0, acpi_srat_size(cfg));
	acpi_header_init(&s->header, ACPI_SIG_SRAT, acpi_srat_size(cfg),
			 SRAT_REVISION);
	s->table_revision = 1;
	for (i = 0; i < cfg->ncpus; i++) {
		struct acpi_srat_cpu_affinity c = {
			.header = { ACPI_SRAT_TYPE_CPU_AFFINITY, sizeof(c) },
			.proximity_lo = 0, .apic_id = i,
			.flags = ACPI_SRAT_CPU_ENABLED,
		};
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
	}
	for (i = 0; i < cfg->nr_mem; i++) {
		const struct acpi_mem_range *r = &cfg->mem[i];
		struct acpi_srat_mem_affinity mem = {
			.header = { ACPI_SRAT_TYPE_MEMORY_AFFINITY,
				    sizeof(mem) },
			.proximity = r->node, .base_address = r->base,
			.length = r->size,
			.flags = ACPI_SRAT_MEM_ENABLED |
				 (r->hotpluggable ?
				  ACPI_SRAT_MEM_HOT_PLUGGABLE : 0),
		};
		memcpy(p, &mem, sizeof(mem));
		p += sizeof(mem);
	}
	acpi_header_seal(&s->header);
}
