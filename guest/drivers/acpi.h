/*
 * ACPI reader: finds the RSDP, walks the XSDT (or RSDT) and extracts what
 * the kernel needs from the FADT (power management blocks, SCI), the MADT
 * (LAPIC, IOAPICs, interrupt overrides) and the SRAT (NUMA nodes and
 * hotpluggable memory ranges). Results land in `acpi`, read-only after
 * acpi_init().
 */
#ifndef GUEST_DRIVERS_ACPI_H
#define GUEST_DRIVERS_ACPI_H

#include "include/types.h"

#define ACPI_MAX_CPUS          64
#define ACPI_MAX_IOAPICS       8
#define ACPI_MAX_OVERRIDES     16
#define ACPI_MAX_MEM_AFFINITY  32
#define ACPI_MAX_TABLES        32
#define ACPI_MAX_NODES         8    /* proximity domains (guest/mm MAX_NUMNODES) */

/* How an interrupt line is wired. */
struct irq_route {
	uint32_t gsi;
	bool level;             /* level- (true) or edge-triggered */
	bool active_low;
};

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t node;          /* SRAT proximity domain, 0 without SRAT */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_override {          /* MADT interrupt source override */
	uint8_t source;         /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI polarity/trigger */
};

struct acpi_mem_affinity {      /* SRAT memory affinity (enabled ones) */
	phys_addr_t base;
	uint64_t length;
	uint32_t node;
	bool hotpluggable;
	bool nonvolatile;
};

/* Fixed hardware from the FADT, I/O port numbers (0: absent). */
struct acpi_pm_info {
	uint16_t sci_int;       /* ISA IRQ of the SCI */
	uint16_t smi_cmd;
	uint8_t acpi_enable;    /* value for smi_cmd to enter ACPI mode */
	uint16_t pm1a_evt;      /* status (len/2 bytes), then enable */
	uint16_t pm1b_evt;
	uint8_t pm1_evt_len;
	uint16_t pm1a_cnt;
	uint16_t pm1b_cnt;
	uint16_t gpe0_blk;      /* status (len/2 bytes), then enable */
	uint8_t gpe0_blk_len;
	phys_addr_t dsdt;
	bool hw_reduced;
};

struct acpi_info {
	phys_addr_t rsdp_pa;
	char oem_id[7];
	bool has_fadt, has_madt, has_srat;
	struct acpi_pm_info pm;
	phys_addr_t lapic_addr;
	bool pcat_compat;       /* MADT: 8259 PICs present */
	unsigned int nr_cpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int nr_nodes;  /* 1 without SRAT */
	unsigned int nr_mem_affinity;
	struct acpi_mem_affinity mem_affinity[ACPI_MAX_MEM_AFFINITY];
};

extern struct acpi_info acpi;

/* Find and parse the tables; reserves tables that sit in RAM. Needs the
 * direct map. 0, or -ENODEV without an RSDP. */
int acpi_init(void);
/* Mapped table with signature @sig (e.g. "HPET"), NULL if absent. */
const void *acpi_find_table(const char *sig);
/* Where ISA IRQ @isa_irq arrives: identity/edge/high unless the MADT
 * overrides it; the SCI defaults to level/low as the spec says. */
void acpi_isa_irq_route(unsigned int isa_irq, struct irq_route *r);
/* SLP_TYPa/b of sleep state @state (5 for S5) from the DSDT's \_Sx
 * package. Scans the DSDT bytes, so it runs when needed, not at boot.
 * 0 or -ENOENT. */
int acpi_sleep_type(unsigned int state, uint8_t *slp_typ_a, uint8_t *slp_typ_b);
/* Value of the DSDT's  Name (@name, integer)  (@name: 4 characters, e.g.
 * "MDNR"), the first one found. 0 or -ENOENT. */
int acpi_dsdt_name_int(const char *name, uint64_t *val);

#endif
