/*
 * GDT and TSS.
 *
 * head.S entered long mode on a three-entry boot GDT in .head.text; this
 * replaces it with the kernel's final table (layout in seg.h). Selectors
 * KERNEL_CS/KERNEL_DS keep their values and descriptors, so CS and SS need
 * no reload. The TSS carries RSP0 (for user tasks, later) and IST1, a
 * private stack for #DF so a kernel stack overflow is still reported.
 */
#include "arch/x86/gdt.h"
#include "include/compiler.h"

#define DF_STACK_SIZE 4096

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

static uint64_t gdt[GDT_ENTRIES] __aligned(16) = {
	[GDT_ENTRY_KERNEL_CS] = DESC_KERNEL_CS,
	[GDT_ENTRY_KERNEL_DS] = DESC_KERNEL_DS,
	[GDT_ENTRY_USER_CS32] = DESC_USER_CS32,
	[GDT_ENTRY_USER_DS]   = DESC_USER_DS,
	[GDT_ENTRY_USER_CS]   = DESC_USER_CS,
};
static struct tss tss __aligned(16);
static uint8_t df_stack[DF_STACK_SIZE] __aligned(16);

/* A 64-bit available-TSS descriptor occupies two GDT slots. */
static void gdt_set_tss(uint64_t base, uint32_t limit)
{
	gdt[GDT_ENTRY_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			     (0x89ull << 40) | ((uint64_t)(limit >> 16) << 48) |
			     ((base >> 24 & 0xff) << 56);
	gdt[GDT_ENTRY_TSS + 1] = base >> 32;
}

void gdt_init(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };

	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(df_stack + DF_STACK_SIZE);
	tss.iomap_base = sizeof(tss);           /* no I/O bitmap */
	gdt_set_tss((uint64_t)&tss, sizeof(tss) - 1);
	__asm__ __volatile__("lgdt %0" :: "m"(p));
	__asm__ __volatile__("ltr %w0" :: "r"(TSS_SEL));
}

void tss_set_rsp0(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}
