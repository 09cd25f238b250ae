/*
 * IDT setup. entry.S emits one 16-byte stub per vector at
 * trap_stubs + 16 * vector; a gate is just that address split into the
 * descriptor's three offset fields. Only the vectors in use get a gate
 * (exceptions at boot, IRQ vectors as drivers request them), so boot
 * writes 32 gates, not 256; a stray vector without a gate shows up as a
 * #GP naming it in the error code.
 */
#include "arch/x86/idt.h"
#include "arch/x86/gdt.h"
#include "include/compiler.h"

#define GATE_INTERRUPT 0x8e     /* P, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

extern const char trap_stubs[];         /* entry.S */
static struct idt_gate idt[256] __aligned(16);

void idt_set_gate(unsigned int vector, unsigned int ist, unsigned int dpl)
{
	uint64_t addr = (uint64_t)(trap_stubs + 16 * vector);
	struct idt_gate *g = &idt[vector & 0xff];

	g->offset_lo = addr & 0xffff;
	g->selector = KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_INTERRUPT | (dpl & 3) << 5;
	g->offset_mid = (addr >> 16) & 0xffff;
	g->offset_hi = addr >> 32;
}

void idt_init(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned int v;

	for (v = 0; v < NR_EXCEPTIONS; v++)
		idt_set_gate(v, v == 8 ? IST_DOUBLE_FAULT : 0, 0);
	idt_set_gate(SPURIOUS_VECTOR, 0, 0);
	__asm__ __volatile__("lidt %0" :: "m"(p));
}
