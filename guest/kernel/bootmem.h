/*
 * The early (boot) allocator, memblock-style: a list of RAM ranges, a list
 * of reserved ranges, and a bump pointer just after the kernel image.
 * guest/mm takes over from it: it walks the free ranges (RAM minus
 * reserved) to fill its page allocator, then calls bootmem_retire().
 */
#ifndef GUEST_KERNEL_BOOTMEM_H
#define GUEST_KERNEL_BOOTMEM_H

#include "include/types.h"

#define BOOTMEM_MAX_RANGES 64

struct mem_range {
	phys_addr_t base;
	phys_addr_t end;        /* exclusive */
};

/* RAM from the boot memory map (page-aligned inwards), minus the reserve
 * documented in bootmem.c. Needs bootinfo_init(). */
void bootmem_init(void);
/* @size bytes aligned to @align (a power of two) from RAM after the
 * kernel image; physical address. Not zeroed. Panics when out of memory
 * (boot-time allocations are not optional) or after bootmem_retire(). */
phys_addr_t bootmem_alloc(size_t size, size_t align);
/* Keep [base, base+size) out of the free ranges (firmware tables...). */
void bootmem_reserve(phys_addr_t base, uint64_t size);
/* Call @fn for each free range (RAM minus reserved), in address order. */
void bootmem_for_each_free(void (*fn)(const struct mem_range *r, void *arg),
			   void *arg);
/* Call @fn for each RAM range, then (second function) each reserved one. */
void bootmem_for_each_memory(void (*fn)(const struct mem_range *r, void *arg),
			     void *arg);
void bootmem_for_each_reserved(void (*fn)(const struct mem_range *r, void *arg),
			       void *arg);
/* Hand over to guest/mm: later bootmem_alloc() calls panic. */
void bootmem_retire(void);

/* Bytes of RAM in the memory map, and of it reserved by the kernel. */
uint64_t bootmem_ram_bytes(void);
uint64_t bootmem_reserved_bytes(void);

#endif
