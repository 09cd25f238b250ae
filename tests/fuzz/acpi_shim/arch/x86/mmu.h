/*
 * Host stand-in for guest/arch/x86/mmu.h, for fuzz_acpi.c only: it comes
 * before guest/ on that harness's include path. The ACPI reader needs
 * memremap() and, for the RSDP scan of the BIOS area, __va()/__pa(); the
 * harness implements them over the fuzz input (see fuzz_acpi.c).
 */
#ifndef GUEST_ARCH_X86_MMU_H
#define GUEST_ARCH_X86_MMU_H

#include "include/types.h"

void *memremap(phys_addr_t pa, size_t size);
void *__va(phys_addr_t pa);
phys_addr_t __pa(const void *p);

#endif
