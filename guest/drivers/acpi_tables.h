/*
 * ACPI table layouts (ACPI 6.x spec, chapter 5.2), internal to the ACPI
 * reader. Only the fields the kernel reads are named.
 */
#ifndef GUEST_DRIVERS_ACPI_TABLES_H
#define GUEST_DRIVERS_ACPI_TABLES_H

#include "include/compiler.h"
#include "include/types.h"

struct acpi_rsdp {
	char signature[8];              /* "RSD PTR " */
	uint8_t checksum;               /* first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;               /* 0: ACPI 1.0 (RSDT only), 2: XSDT */
	uint32_t rsdt_address;
	uint32_t length;                /* revision >= 2 from here */
	uint64_t xsdt_address;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __packed;

struct acpi_sdt_header {
	char signature[4];
	uint32_t length;                /* whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

/* Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;               /* 0 memory, 1 system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;

#define ACPI_GAS_SYSTEM_IO 1

struct acpi_fadt {
	struct acpi_sdt_header h;
	uint32_t firmware_ctrl;         /* 36: FACS */
	uint32_t dsdt;                  /* 40 */
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;               /* 46: ISA IRQ of the SCI */
	uint32_t smi_cmd;               /* 48 */
	uint8_t acpi_enable;            /* 52 */
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;          /* 56 */
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;          /* 64 */
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;              /* 80 */
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;            /* 88 */
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;           /* 92 */
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
	uint16_t iapc_boot_arch;        /* 109 */
	uint8_t reserved1;
	uint32_t flags;                 /* 112 */
	struct acpi_gas reset_reg;      /* 116 */
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl;       /* 132 */
	uint64_t x_dsdt;                /* 140 */
	struct acpi_gas x_pm1a_evt_blk; /* 148 */
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk; /* 172 */
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;     /* 220 */
	struct acpi_gas x_gpe1_blk;
} __packed;

#define ACPI_FADT_HW_REDUCED (1u << 20)

struct acpi_madt {
	struct acpi_sdt_header h;
	uint32_t lapic_address;
	uint32_t flags;                 /* bit 0: PC-AT 8259 pair present */
} __packed;

struct acpi_subtable {                  /* MADT and SRAT entries */
	uint8_t type;
	uint8_t length;
} __packed;

#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_ISO            2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC         9

struct madt_lapic {
	struct acpi_subtable s;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;                 /* bit 0 enabled, bit 1 online capable */
} __packed;

struct madt_ioapic {
	struct acpi_subtable s;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct madt_iso {                       /* interrupt source override */
	struct acpi_subtable s;
	uint8_t bus;                    /* 0: ISA */
	uint8_t source;                 /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;                 /* MPS INTI flags */
} __packed;

struct madt_lapic_override {
	struct acpi_subtable s;
	uint16_t reserved;
	uint64_t address;
} __packed;

struct madt_x2apic {
	struct acpi_subtable s;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t processor_uid;
} __packed;

struct acpi_srat {
	struct acpi_sdt_header h;
	uint32_t table_revision;
	uint64_t reserved;
} __packed;

#define SRAT_CPU_AFFINITY    0
#define SRAT_MEM_AFFINITY    1
#define SRAT_X2APIC_AFFINITY 2

struct srat_cpu_affinity {
	struct acpi_subtable s;
	uint8_t proximity_lo;
	uint8_t apic_id;
	uint32_t flags;                 /* bit 0 enabled */
	uint8_t sapic_eid;
	uint8_t proximity_hi[3];
	uint32_t clock_domain;
} __packed;

struct srat_mem_affinity {
	struct acpi_subtable s;
	uint32_t proximity;
	uint16_t reserved0;
	uint32_t base_lo;
	uint32_t base_hi;
	uint32_t length_lo;
	uint32_t length_hi;
	uint32_t reserved1;
	uint32_t flags;                 /* bit 0 enabled, 1 hot-pluggable, 2 NV */
	uint64_t reserved2;
} __packed;

struct srat_x2apic_affinity {
	struct acpi_subtable s;
	uint16_t reserved0;
	uint32_t proximity;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t clock_domain;
	uint32_t reserved1;
} __packed;

/* MPS INTI flags (MADT overrides). */
#define MPS_POLARITY_MASK   0x3
#define MPS_POLARITY_HIGH   0x1
#define MPS_POLARITY_LOW    0x3
#define MPS_TRIGGER_MASK    0xc
#define MPS_TRIGGER_EDGE    0x4
#define MPS_TRIGGER_LEVEL   0xc

#endif
