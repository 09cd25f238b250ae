/*
 * The IDT: 256 interrupt gates, pointing at the stubs in entry.S.
 */
#ifndef GUEST_ARCH_X86_IDT_H
#define GUEST_ARCH_X86_IDT_H

#include "include/types.h"

#define NR_EXCEPTIONS    32
#define IRQ_VECTOR_BASE  0x20   /* GSI n arrives on vector 0x20 + n */
#define IRQ_VECTOR_LAST  0xef
#define SPURIOUS_VECTOR  0xff

/* Install the exception gates (vectors 0-31) and load the IDT. */
void idt_init(void);
/* Point @vector at its entry.S stub; @ist 0 = current stack; @dpl 3 lets
 * user mode raise it with INT. */
void idt_set_gate(unsigned int vector, unsigned int ist, unsigned int dpl);

#endif
