/*
 * GDT selectors, shared by head.S, entry.S and gdt.c. The order of the user
 * selectors is what SYSRET expects (STAR[63:48] = USER_CS32: SS = +8, CS = +16).
 */
#ifndef GUEST_ARCH_X86_SEG_H
#define GUEST_ARCH_X86_SEG_H

#define GDT_ENTRY_KERNEL_CS   1
#define GDT_ENTRY_KERNEL_DS   2
#define GDT_ENTRY_USER_CS32   3
#define GDT_ENTRY_USER_DS     4
#define GDT_ENTRY_USER_CS     5
#define GDT_ENTRY_TSS         6    /* 16 bytes: entries 6 and 7 */
#define GDT_ENTRIES           8

#define KERNEL_CS   (GDT_ENTRY_KERNEL_CS * 8)
#define KERNEL_DS   (GDT_ENTRY_KERNEL_DS * 8)
#define USER_CS32   (GDT_ENTRY_USER_CS32 * 8 + 3)
#define USER_DS     (GDT_ENTRY_USER_DS * 8 + 3)
#define USER_CS     (GDT_ENTRY_USER_CS * 8 + 3)
#define TSS_SEL     (GDT_ENTRY_TSS * 8)

/* Raw descriptors (limit 0xfffff, base 0, G=1). */
#define DESC_KERNEL_CS  0x00af9a000000ffff   /* P, DPL0, code, L */
#define DESC_KERNEL_DS  0x00cf92000000ffff   /* P, DPL0, data, writable */
#define DESC_USER_CS32  0x00cffa000000ffff   /* P, DPL3, code, D (compat) */
#define DESC_USER_DS    0x00cff2000000ffff   /* P, DPL3, data, writable */
#define DESC_USER_CS    0x00affa000000ffff   /* P, DPL3, code, L */

#endif
