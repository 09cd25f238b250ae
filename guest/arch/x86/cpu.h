/*
 * x86-64 CPU primitives: control registers, MSRs, CPUID, interrupt flag.
 * All inline; nothing here has state.
 */
#ifndef GUEST_ARCH_X86_CPU_H
#define GUEST_ARCH_X86_CPU_H

#include "include/types.h"

#define X86_CR0_PE   (1u << 0)
#define X86_CR0_WP   (1u << 16)
#define X86_CR0_PG   (1u << 31)
#define X86_CR4_PAE  (1u << 5)
#define X86_CR4_PGE  (1u << 7)

#define MSR_EFER          0xc0000080
#define EFER_SCE          (1u << 0)
#define EFER_LME          (1u << 8)
#define EFER_NXE          (1u << 11)
#define MSR_APIC_BASE     0x1b

#define X86_RFLAGS_IF     (1ul << 9)

/* CPUID 0x80000001 EDX bits. */
#define CPUID_EXT_NX      (1u << 20)
#define CPUID_EXT_GBPAGES (1u << 26)

static inline void cpu_cli(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ __volatile__("sti" ::: "memory"); }
static inline void cpu_hlt(void) { __asm__ __volatile__("hlt" ::: "memory"); }

/* Enable interrupts and halt until the next one, with no window in between
 * (STI's one-instruction shadow covers the HLT). */
static inline void cpu_sti_hlt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline uint64_t cpu_save_flags(void)
{
	uint64_t f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}

/* Disable interrupts; returns the previous RFLAGS for cpu_irq_restore(). */
static inline uint64_t cpu_irq_save(void)
{
	uint64_t f = cpu_save_flags();

	cpu_cli();
	return f;
}

static inline void cpu_irq_restore(uint64_t flags)
{
	if (flags & X86_RFLAGS_IF)
		cpu_sti();
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr4" :: "r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)));
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

/* Halt this CPU for good, interrupts off. */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

#endif
