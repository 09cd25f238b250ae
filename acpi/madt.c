/*
 * MADT (signature "APIC") and SRAT.
 *
 * MADT, as QEMU's pc machine writes it: the local APIC address, PCAT_COMPAT
 * (the guest also has legacy 8259s, which it must mask), one Processor Local
 * APIC per vCPU (ACPI processor UID = APIC id = cpu index, enabled), one
 * IOAPIC with id 0 at PLAT_IOAPIC_GPA serving GSIs 0-23, the Interrupt
 * Source Overrides ISA IRQ0 -> GSI2 (the PIT; bus-conforming polarity and
 * trigger) and IRQ9 -> GSI9 level-triggered active-high (the SCI), and a
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
#define MADT_PCAT_COMPAT        (1u << 0)

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_LAPIC_NMI = 4,
};

struct madt_lapic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;         /* bit 0: enabled */
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_iso {
	uint8_t type, length;
	uint8_t bus;            /* 0: ISA */
	uint8_t source;         /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI flags: polarity 1:0, trigger 3:2 */
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length;
	uint8_t processor_uid;  /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

#define MADT_LAPIC_ENABLED      (1u << 0)
#define MPS_INTI_CONFORMING     0x0
#define MPS_INTI_ACTIVE_HIGH    0x1
#define MPS_INTI_LEVEL          (0x3 << 2)
#define MADT_IOAPIC_ID          0   /* QEMU's ACPI_BUILD_IOAPIC_ID */
#define PIT_ISA_IRQ             0
#define PIT_GSI                 2

#define SRAT_REVISION           3
#define SRAT_CPU_AFFINITY       0
#define SRAT_MEM_AFFINITY       1

struct srat_cpu {
	uint8_t type, length;
	uint8_t proximity_lo;   /* domain bits 7:0 */
	uint8_t apic_id;
	uint32_t flags;         /* bit 0: enabled */
	uint8_t sapic_eid;
	uint8_t proximity_hi[3];/* domain bits 31:8 */
	uint32_t clock_domain;
} __attribute__((packed));

struct srat_mem {
	uint8_t type, length;
	uint32_t proximity;
	uint16_t reserved1;
	uint64_t base;          /* split lo/hi in the spec; same bytes */
	uint64_t size;
	uint32_t reserved2;
	uint32_t flags;
	uint64_t reserved3;
} __attribute__((packed));

#define SRAT_ENABLED            (1u << 0)
#define SRAT_HOTPLUGGABLE       (1u << 1)

_Static_assert(sizeof(struct madt_lapic) == 8, "madt_lapic");
_Static_assert(sizeof(struct madt_ioapic) == 12, "madt_ioapic");
_Static_assert(sizeof(struct madt_iso) == 10, "madt_iso");
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "madt_lapic_nmi");
_Static_assert(sizeof(struct srat_cpu) == 16, "srat_cpu");
_Static_assert(sizeof(struct srat_mem) == 40, "srat_mem");

size_t acpi_madt_size(const struct acpi_config *cfg)
{
	return sizeof(struct acpi_madt) +
	       cfg->ncpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso) +
	       sizeof(struct madt_lapic_nmi);
}

static uint8_t *madt_iso(uint8_t *p, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	struct madt_iso iso = {
		.type = MADT_ISO, .length = sizeof(iso),
		.bus = 0, .source = irq, .gsi = gsi, .flags = flags,
	};

	memcpy(p, &iso, sizeof(iso));
	return p + sizeof(iso);
}

void acpi_madt_build(void *out, const struct acpi_config *cfg)
{
	struct acpi_madt *m = out;
	uint8_t *p = (uint8_t *)(m + 1);
	struct madt_ioapic io = {
		.type = MADT_IOAPIC, .length = sizeof(io),
		.ioapic_id = MADT_IOAPIC_ID, .address = PLAT_IOAPIC_GPA,
		.gsi_base = 0,
	};
	struct madt_lapic_nmi nmi = {
		.type = MADT_LAPIC_NMI, .length = sizeof(nmi),
		.processor_uid = 0xff, .flags = 0, .lint = 1,
	};
	unsigned int i;

	memset(m, 0, acpi_madt_size(cfg));
	acpi_header_init(&m->h, "APIC", acpi_madt_size(cfg), MADT_REVISION);
	m->lapic_address = PLAT_LAPIC_GPA;
	m->flags = MADT_PCAT_COMPAT;
	for (i = 0; i < cfg->ncpus; i++) {
		struct madt_lapic l = {
			.type = MADT_LAPIC, .length = sizeof(l),
			.processor_uid = i, .apic_id = i,
			.flags = MADT_LAPIC_ENABLED,
		};
		memcpy(p, &l, sizeof(l));
		p += sizeof(l);
	}
	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	p = madt_iso(p, PIT_ISA_IRQ, PIT_GSI, MPS_INTI_CONFORMING);
	p = madt_iso(p, PLAT_SCI_IRQ, PLAT_SCI_IRQ,
		     MPS_INTI_LEVEL | MPS_INTI_ACTIVE_HIGH);
	memcpy(p, &nmi, sizeof(nmi));
	acpi_header_seal(&m->h);
}

size_t acpi_srat_size(const struct acpi_config *cfg)
{
	return sizeof(struct acpi_srat) +
	       cfg->ncpus * sizeof(struct srat_cpu) +
	       cfg->nr_mem * sizeof(struct srat_mem);
}

void acpi_srat_build(void *out, const struct acpi_config *cfg)
{
	struct acpi_srat *s = out;
	uint8_t *p = (uint8_t *)(s + 1);
	unsigned int i;

	memset(s, 0, acpi_srat_size(cfg));
	acpi_header_init(&s->h, "SRAT", acpi_srat_size(cfg), SRAT_REVISION);
	s->reserved1 = 1;
	for (i = 0; i < cfg->ncpus; i++) {
		struct srat_cpu c = {
			.type = SRAT_CPU_AFFINITY, .length = sizeof(c),
			.proximity_lo = 0, .apic_id = i, .flags = SRAT_ENABLED,
		};
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
	}
	for (i = 0; i < cfg->nr_mem; i++) {
		const struct acpi_mem_range *r = &cfg->mem[i];
		struct srat_mem mem = {
			.type = SRAT_MEM_AFFINITY, .length = sizeof(mem),
			.proximity = r->node, .base = r->base, .size = r->size,
			.flags = SRAT_ENABLED |
				 (r->hotpluggable ? SRAT_HOTPLUGGABLE : 0),
		};
		memcpy(p, &mem, sizeof(mem));
		p += sizeof(mem);
	}
	acpi_header_seal(&s->h);
}
