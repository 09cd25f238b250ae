/*
 * ACPI table layouts, shared by the host table builder (acpi/) and the guest
 * kernel's table reader (guest/drivers/acpi.c).
 *
 * From the ACPI 6.4 specification, chapter 5.2: the RSDP, the common system
 * description table header, the Generic Address Structure, the FADT, the
 * FACS, the MADT with the interrupt controller structures either side uses,
 * and the SRAT with its affinity structures. Struct and flag names are
 * ACPICA's (include/acpi/actbl*.h, as in Linux); field names are the spec's,
 * lower-cased. The comment beside a field is its byte offset in the
 * structure, as the spec's tables give it.
 *
 * Everything is packed and little-endian, the byte order ACPI defines: both
 * sides are x86-64 and read and write the fields in place. Variable-length
 * tables (XSDT, MADT, SRAT) are a fixed part followed by entries; an MADT or
 * SRAT entry starts with struct acpi_subtable_header and its length says
 * where the next one starts. A reader must check a table's length before it
 * reads a field that later revisions added (e.g. the FADT's X_ fields).
 */
#ifndef ABI_ACPI_H
#define ABI_ACPI_H

#include <stdint.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ACPI tables are little-endian: abi/acpi.h reads them in place"
#endif

#define __acpi_packed __attribute__((packed))

/* Table signatures (the RSDP's is 8 bytes, the others 4). */
#define ACPI_SIG_RSDP "RSD PTR "
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_FADT "FACP"
#define ACPI_SIG_FACS "FACS"
#define ACPI_SIG_DSDT "DSDT"
#define ACPI_SIG_MADT "APIC"
#define ACPI_SIG_SRAT "SRAT"

/* ---------------------------------------------------------------- RSDP */

/* Root System Description Pointer (5.2.5.3). */
struct acpi_table_rsdp {
	char signature[8];              /*  0: "RSD PTR " */
	uint8_t checksum;               /*  8: first 20 bytes sum to 0 */
	char oem_id[6];                 /*  9 */
	uint8_t revision;               /* 15: 0 ACPI 1.0 (RSDT only), 2 XSDT */
	uint32_t rsdt_address;          /* 16: 0 if there is no RSDT */
	uint32_t length;                /* 20: 36; revision >= 2 from here */
	uint64_t xsdt_address;          /* 24 */
	uint8_t ext_checksum;           /* 32: all 36 bytes sum to 0 */
	uint8_t reserved[3];            /* 33 */
} __acpi_packed;

#define ACPI_RSDP_CHECKSUM_LENGTH 20    /* bytes covered by .checksum */

/* ---------------------------------------------------------------- header */

/* System Description Table Header (5.2.6): every table but RSDP and FACS. */
struct acpi_table_header {
	char signature[4];              /*  0 */
	uint32_t length;                /*  4: whole table, header included */
	uint8_t revision;               /*  8 */
	uint8_t checksum;               /*  9: whole table sums to 0 */
	char oem_id[6];                 /* 10 */
	char oem_table_id[8];           /* 16 */
	uint32_t oem_revision;          /* 24 */
	char creator_id[4];             /* 28 */
	uint32_t creator_revision;      /* 32 */
} __acpi_packed;

/* Generic Address Structure (5.2.3.2). */
struct acpi_generic_address {
	uint8_t space_id;               /*  0: ACPI_ADR_SPACE_* */
	uint8_t bit_width;              /*  1 */
	uint8_t bit_offset;             /*  2 */
	uint8_t access_size;            /*  3: ACPI_ACCESS_SIZE_* */
	uint64_t address;               /*  4 */
} __acpi_packed;

#define ACPI_ADR_SPACE_SYSTEM_MEMORY 0
#define ACPI_ADR_SPACE_SYSTEM_IO     1

#define ACPI_ACCESS_SIZE_UNDEFINED   0
#define ACPI_ACCESS_SIZE_BYTE        1
#define ACPI_ACCESS_SIZE_WORD        2
#define ACPI_ACCESS_SIZE_DWORD       3
#define ACPI_ACCESS_SIZE_QWORD       4

/* ---------------------------------------------------------------- FADT */

/* Fixed ACPI Description Table, signature "FACP", revision 6 (5.2.9). */
struct acpi_table_fadt {
	struct acpi_table_header header;                /*   0 */
	uint32_t firmware_ctrl;                         /*  36: FACS */
	uint32_t dsdt;                                  /*  40 */
	uint8_t reserved0;                              /*  44 */
	uint8_t preferred_pm_profile;                   /*  45 */
	uint16_t sci_int;                               /*  46: SCI's ISA IRQ */
	uint32_t smi_cmd;                               /*  48: 0: ACPI always on */
	uint8_t acpi_enable;                            /*  52 */
	uint8_t acpi_disable;                           /*  53 */
	uint8_t s4bios_req;                             /*  54 */
	uint8_t pstate_cnt;                             /*  55 */
	uint32_t pm1a_evt_blk;                          /*  56 */
	uint32_t pm1b_evt_blk;                          /*  60 */
	uint32_t pm1a_cnt_blk;                          /*  64 */
	uint32_t pm1b_cnt_blk;                          /*  68 */
	uint32_t pm2_cnt_blk;                           /*  72 */
	uint32_t pm_tmr_blk;                            /*  76 */
	uint32_t gpe0_blk;                              /*  80 */
	uint32_t gpe1_blk;                              /*  84 */
	uint8_t pm1_evt_len;                            /*  88 */
	uint8_t pm1_cnt_len;                            /*  89 */
	uint8_t pm2_cnt_len;                            /*  90 */
	uint8_t pm_tmr_len;                             /*  91 */
	uint8_t gpe0_blk_len;                           /*  92 */
	uint8_t gpe1_blk_len;                           /*  93 */
	uint8_t gpe1_base;                              /*  94 */
	uint8_t cst_cnt;                                /*  95 */
	uint16_t p_lvl2_lat;                            /*  96: > 100: no C2 */
	uint16_t p_lvl3_lat;                            /*  98: > 1000: no C3 */
	uint16_t flush_size;                            /* 100 */
	uint16_t flush_stride;                          /* 102 */
	uint8_t duty_offset;                            /* 104 */
	uint8_t duty_width;                             /* 105 */
	uint8_t day_alrm;                               /* 106 */
	uint8_t mon_alrm;                               /* 107 */
	uint8_t century;                                /* 108 */
	uint16_t iapc_boot_arch;                        /* 109: ACPI_FADT_8042.. */
	uint8_t reserved1;                              /* 111 */
	uint32_t flags;                                 /* 112: ACPI_FADT_* */
	struct acpi_generic_address reset_reg;          /* 116 */
	uint8_t reset_value;                            /* 128 */
	uint16_t arm_boot_arch;                         /* 129 */
	uint8_t minor_version;                          /* 131 */
	uint64_t x_firmware_ctrl;                       /* 132 */
	uint64_t x_dsdt;                                /* 140 */
	struct acpi_generic_address x_pm1a_evt_blk;     /* 148 */
	struct acpi_generic_address x_pm1b_evt_blk;     /* 160 */
	struct acpi_generic_address x_pm1a_cnt_blk;     /* 172 */
	struct acpi_generic_address x_pm1b_cnt_blk;     /* 184 */
	struct acpi_generic_address x_pm2_cnt_blk;      /* 196 */
	struct acpi_generic_address x_pm_tmr_blk;       /* 208 */
	struct acpi_generic_address x_gpe0_blk;         /* 220 */
	struct acpi_generic_address x_gpe1_blk;         /* 232 */
	struct acpi_generic_address sleep_control_reg;  /* 244 */
	struct acpi_generic_address sleep_status_reg;   /* 256 */
	uint64_t hypervisor_vendor_id;                  /* 268 */
} __acpi_packed;

/* FADT flags (Table 5.10). */
#define ACPI_FADT_WBINVD        (1u << 0)
#define ACPI_FADT_C1_SUPPORTED  (1u << 2)   /* PROC_C1 */
#define ACPI_FADT_POWER_BUTTON  (1u << 4)   /* set: control-method button */
#define ACPI_FADT_SLEEP_BUTTON  (1u << 5)   /* set: none or control-method */
#define ACPI_FADT_APIC_PHYSICAL (1u << 19)  /* FORCE_APIC_PHYSICAL_DEST_MODE */
#define ACPI_FADT_HW_REDUCED    (1u << 20)  /* HW_REDUCED_ACPI */

/* IA-PC boot architecture flags (Table 5.11). */
#define ACPI_FADT_LEGACY_DEVICES (1u << 0)
#define ACPI_FADT_8042           (1u << 1)

/* Firmware ACPI Control Structure, 64-byte aligned (5.2.10). */
struct acpi_table_facs {
	char signature[4];              /*  0: "FACS" */
	uint32_t length;                /*  4: 64 */
	uint32_t hardware_signature;    /*  8 */
	uint32_t firmware_waking_vector;/* 12 */
	uint32_t global_lock;           /* 16 */
	uint32_t flags;                 /* 20 */
	uint64_t x_firmware_waking_vector; /* 24 */
	uint8_t version;                /* 32: 2 */
	uint8_t reserved[3];            /* 33 */
	uint32_t ospm_flags;            /* 36 */
	uint8_t reserved2[24];          /* 40 */
} __acpi_packed;

/* ---------------------------------------------------------------- MADT */

/* First two bytes of every MADT and SRAT entry. */
struct acpi_subtable_header {
	uint8_t type;                   /*  0 */
	uint8_t length;                 /*  1: whole entry */
} __acpi_packed;

/* Multiple APIC Description Table, signature "APIC" (5.2.12). */
struct acpi_table_madt {
	struct acpi_table_header header;/*  0 */
	uint32_t lapic_address;         /* 36 */
	uint32_t flags;                 /* 40: ACPI_MADT_PCAT_COMPAT */
} __acpi_packed;                        /* 44: entries follow */

#define ACPI_MADT_PCAT_COMPAT   (1u << 0)   /* dual 8259s present */

enum acpi_madt_type {
	ACPI_MADT_TYPE_LOCAL_APIC = 0,
	ACPI_MADT_TYPE_IO_APIC = 1,
	ACPI_MADT_TYPE_INTERRUPT_OVERRIDE = 2,
	ACPI_MADT_TYPE_NMI_SOURCE = 3,
	ACPI_MADT_TYPE_LOCAL_APIC_NMI = 4,
	ACPI_MADT_TYPE_LOCAL_APIC_OVERRIDE = 5,
	ACPI_MADT_TYPE_LOCAL_X2APIC = 9,
};

/* Processor Local APIC (5.2.12.2). */
struct acpi_madt_local_apic {
	struct acpi_subtable_header header; /* 0 */
	uint8_t processor_uid;          /*  2 */
	uint8_t apic_id;                /*  3 */
	uint32_t flags;                 /*  4: ACPI_MADT_ENABLED.. */
} __acpi_packed;

#define ACPI_MADT_ENABLED         (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE  (1u << 1)

/* I/O APIC (5.2.12.3). */
struct acpi_madt_io_apic {
	struct acpi_subtable_header header; /* 0 */
	uint8_t id;                     /*  2 */
	uint8_t reserved;               /*  3 */
	uint32_t address;               /*  4 */
	uint32_t gsi_base;              /*  8 */
} __acpi_packed;

/* Interrupt Source Override (5.2.12.5). */
struct acpi_madt_interrupt_override {
	struct acpi_subtable_header header; /* 0 */
	uint8_t bus;                    /*  2: 0, ISA */
	uint8_t source_irq;             /*  3: ISA IRQ */
	uint32_t gsi;                   /*  4 */
	uint16_t inti_flags;            /*  8: ACPI_MADT_POLARITY_/TRIGGER_ */
} __acpi_packed;

/* Local APIC NMI (5.2.12.7). */
struct acpi_madt_local_apic_nmi {
	struct acpi_subtable_header header; /* 0 */
	uint8_t processor_uid;          /*  2: 0xff: all processors */
	uint16_t inti_flags;            /*  3 */
	uint8_t lint;                   /*  5: LINTn input */
} __acpi_packed;

/* Local APIC Address Override (5.2.12.8). */
struct acpi_madt_local_apic_override {
	struct acpi_subtable_header header; /* 0 */
	uint16_t reserved;              /*  2 */
	uint64_t address;               /*  4 */
} __acpi_packed;

/* Processor Local x2APIC (5.2.12.12). */
struct acpi_madt_local_x2apic {
	struct acpi_subtable_header header; /* 0 */
	uint16_t reserved;              /*  2 */
	uint32_t x2apic_id;             /*  4 */
	uint32_t flags;                 /*  8: as acpi_madt_local_apic's */
	uint32_t processor_uid;         /* 12 */
} __acpi_packed;

/* MPS INTI flags (Table 5.26): polarity in bits 1:0, trigger in 3:2. */
#define ACPI_MADT_POLARITY_MASK      (3u << 0)
#define ACPI_MADT_POLARITY_CONFORMS  (0u << 0)
#define ACPI_MADT_POLARITY_ACTIVE_HIGH (1u << 0)
#define ACPI_MADT_POLARITY_ACTIVE_LOW  (3u << 0)
#define ACPI_MADT_TRIGGER_MASK       (3u << 2)
#define ACPI_MADT_TRIGGER_CONFORMS   (0u << 2)
#define ACPI_MADT_TRIGGER_EDGE       (1u << 2)
#define ACPI_MADT_TRIGGER_LEVEL      (3u << 2)

/* ---------------------------------------------------------------- SRAT */

/* System Resource Affinity Table, signature "SRAT" (5.2.16). */
struct acpi_table_srat {
	struct acpi_table_header header;/*  0 */
	uint32_t table_revision;        /* 36: must be 1 */
	uint64_t reserved;              /* 40 */
} __acpi_packed;                        /* 48: entries follow */

enum acpi_srat_type {
	ACPI_SRAT_TYPE_CPU_AFFINITY = 0,
	ACPI_SRAT_TYPE_MEMORY_AFFINITY = 1,
	ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY = 2,
};

/* Processor Local APIC/SAPIC Affinity (5.2.16.1). */
struct acpi_srat_cpu_affinity {
	struct acpi_subtable_header header; /* 0 */
	uint8_t proximity_lo;           /*  2: domain bits 7:0 */
	uint8_t apic_id;                /*  3 */
	uint32_t flags;                 /*  4: ACPI_SRAT_CPU_ENABLED */
	uint8_t sapic_eid;              /*  8 */
	uint8_t proximity_hi[3];        /*  9: domain bits 31:8 */
	uint32_t clock_domain;          /* 12 */
} __acpi_packed;

#define ACPI_SRAT_CPU_ENABLED   (1u << 0)

/* Memory Affinity (5.2.16.2). */
struct acpi_srat_mem_affinity {
	struct acpi_subtable_header header; /* 0 */
	uint32_t proximity;             /*  2 */
	uint16_t reserved0;             /*  6 */
	uint64_t base_address;          /*  8: the spec's Base Address Low/High */
	uint64_t length;                /* 16: Length Low/High */
	uint32_t reserved1;             /* 24 */
	uint32_t flags;                 /* 28: ACPI_SRAT_MEM_* */
	uint64_t reserved2;             /* 32 */
} __acpi_packed;

#define ACPI_SRAT_MEM_ENABLED       (1u << 0)
#define ACPI_SRAT_MEM_HOT_PLUGGABLE (1u << 1)
#define ACPI_SRAT_MEM_NON_VOLATILE  (1u << 2)

/* Processor Local x2APIC Affinity (5.2.16.3). */
struct acpi_srat_x2apic_cpu_affinity {
	struct acpi_subtable_header header; /* 0 */
	uint16_t reserved0;             /*  2 */
	uint32_t proximity;             /*  4 */
	uint32_t x2apic_id;             /*  8 */
	uint32_t flags;                 /* 12: ACPI_SRAT_CPU_ENABLED */
	uint32_t clock_domain;          /* 16 */
	uint32_t reserved1;             /* 20 */
} __acpi_packed;

/* ---------------------------------------------------------------- sizes */

#define ACPI_ABI_SIZE(type, n) _Static_assert(sizeof(struct type) == (n), #type)
#define ACPI_ABI_OFFSET(type, field, n) \
	_Static_assert(__builtin_offsetof(struct type, field) == (n), \
		       #type "." #field)

ACPI_ABI_SIZE(acpi_table_rsdp, 36);
ACPI_ABI_OFFSET(acpi_table_rsdp, xsdt_address, 24);
ACPI_ABI_SIZE(acpi_table_header, 36);
ACPI_ABI_SIZE(acpi_generic_address, 12);
ACPI_ABI_SIZE(acpi_table_fadt, 276);
ACPI_ABI_OFFSET(acpi_table_fadt, flags, 112);
ACPI_ABI_OFFSET(acpi_table_fadt, x_dsdt, 140);
ACPI_ABI_OFFSET(acpi_table_fadt, x_gpe0_blk, 220);
ACPI_ABI_SIZE(acpi_table_facs, 64);
ACPI_ABI_SIZE(acpi_subtable_header, 2);
ACPI_ABI_SIZE(acpi_table_madt, 44);
ACPI_ABI_SIZE(acpi_madt_local_apic, 8);
ACPI_ABI_SIZE(acpi_madt_io_apic, 12);
ACPI_ABI_SIZE(acpi_madt_interrupt_override, 10);
ACPI_ABI_SIZE(acpi_madt_local_apic_nmi, 6);
ACPI_ABI_SIZE(acpi_madt_local_apic_override, 12);
ACPI_ABI_SIZE(acpi_madt_local_x2apic, 16);
ACPI_ABI_SIZE(acpi_table_srat, 48);
ACPI_ABI_SIZE(acpi_srat_cpu_affinity, 16);
ACPI_ABI_SIZE(acpi_srat_mem_affinity, 40);
ACPI_ABI_OFFSET(acpi_srat_mem_affinity, flags, 28);
ACPI_ABI_SIZE(acpi_srat_x2apic_cpu_affinity, 24);

#undef ACPI_ABI_SIZE
#undef ACPI_ABI_OFFSET
#undef __acpi_packed

#endif
