/*
 * Hand-over from the early allocator (kernel/bootmem.c) to guest/mm.
 */
#ifndef GUEST_KERNEL_MM_BOOT_H
#define GUEST_KERNEL_MM_BOOT_H

/* Feed memblock, run mm_init(), retire bootmem, register mm's /proc
 * files. Needs acpi_init() (SRAT nodes). */
void mm_boot(void);

#endif
