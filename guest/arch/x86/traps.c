/*
 * Exception handling and interrupt dispatch.
 *
 * trap_dispatch() sorts vectors into three kinds:
 * - exceptions (0-31): an NMI is logged and ignored; anything else is a
 *   kernel bug, so the vector, its name, the error code, RIP, CR2 and the
 *   registers go to the console and the kernel panics (which also signals
 *   the host through pvpanic). A fault never ends in a silent triple fault:
 *   #DF runs on its own IST stack;
 * - the LAPIC spurious vector: ignored, no EOI (as the SDM requires);
 * - device interrupts: handed to irq_dispatch(), then EOI.
 */
#include "arch/x86/traps.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/irq.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define VEC_NMI 2

static const char *const exception_names[NR_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved", "reserved", "reserved", "reserved", "reserved",
	"reserved", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved",
};

static void show_regs(const struct trap_frame *f)
{
	pr_emerg("RIP: %04lx:%016lx RSP: %04lx:%016lx RFLAGS: %08lx\n",
		 f->cs, f->rip, f->ss, f->rsp, f->rflags);
	pr_emerg("RAX: %016lx RBX: %016lx RCX: %016lx\n", f->rax, f->rbx, f->rcx);
	pr_emerg("RDX: %016lx RSI: %016lx RDI: %016lx\n", f->rdx, f->rsi, f->rdi);
	pr_emerg("RBP: %016lx R8:  %016lx R9:  %016lx\n", f->rbp, f->r8, f->r9);
	pr_emerg("R10: %016lx R11: %016lx R12: %016lx\n", f->r10, f->r11, f->r12);
	pr_emerg("R13: %016lx R14: %016lx R15: %016lx\n", f->r13, f->r14, f->r15);
}

static void __noreturn fatal_exception(const struct trap_frame *f)
{
	const char *name = exception_names[f->vector];

	pr_emerg("Oops: exception %lu (%s), error code 0x%lx\n",
		 f->vector, name, f->error_code);
	pr_emerg("CR2: 0x%016lx (faulting address for #PF)\n", read_cr2());
	show_regs(f);
	panic("Fatal exception %lu (%s) at RIP 0x%lx", f->vector, name, f->rip);
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < NR_EXCEPTIONS) {
		if (f->vector == VEC_NMI) {
			pr_warn("NMI received at RIP 0x%lx, ignored\n", f->rip);
			return;
		}
		fatal_exception(f);
	}
	if (f->vector == SPURIOUS_VECTOR)
		return;
	irq_dispatch(f->vector);
	lapic_eoi();
}
