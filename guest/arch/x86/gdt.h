/*
 * The final GDT (kernel and user segments, one TSS) and the TSS's stacks.
 */
#ifndef GUEST_ARCH_X86_GDT_H
#define GUEST_ARCH_X86_GDT_H

#include "arch/x86/seg.h"
#include "include/types.h"

#define IST_DOUBLE_FAULT 1      /* IST slot of the #DF stack */

/* Load the GDT and the TSS (with an IST stack for #DF). */
void gdt_init(void);
/* Stack the CPU switches to on an interrupt from user mode (TSS.RSP0). */
void tss_set_rsp0(uint64_t rsp0);

#endif
