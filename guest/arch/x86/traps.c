/*
 * Exception handling and interrupt dispatch.
 *
 * trap_dispatch() sorts vectors into four kinds:
 * - exceptions (0-31): an NMI is logged and ignored; a page fault goes to
 *   do_page_fault() (fault.c); any other exception from user mode ends the
 *   task with a line in Linux's words ("traps: hog[2] #GP general
 *   protection ip:... sp:... error:0"); from kernel mode it is a kernel
 *   bug, so die() prints the vector, its name, the error code, RIP, CR2
 *   and the registers and the kernel panics (which also signals the host
 *   through pvpanic). A fault never ends in a silent triple fault: #DF
 *   runs on its own IST stack;
 * - SYSCALL_VECTOR: int $0x80 from user mode, the system call table;
 * - the LAPIC spurious vector: ignored, no EOI (as the SDM requires);
 * - device interrupts: handed to irq_dispatch(), then EOI, then the
 *   scheduler's interrupt exit (it may wake the shell).
 * On the way back to user mode exit_to_user_mode() switches tasks if the
 * tick or a wake-up asked for it.
 */
#include "arch/x86/traps.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/irq.h"
#include "arch/x86/syscall.h"
#include "kernel/sched.h"
#include "kernel/syscalls.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define VEC_DE  0
#define VEC_NMI 2
#define VEC_BP  3
#define VEC_UD  6
#define VEC_PF  14

#define SIGILL  4
#define SIGTRAP 5
#define SIGFPE  8
#define SIGSEGV 11

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

void die(const struct trap_frame *f)
{
	const char *name = exception_names[f->vector];

	pr_emerg("Oops: exception %lu (%s), error code 0x%lx\n",
		 f->vector, name, f->error_code);
	pr_emerg("CR2: 0x%016lx (faulting address for #PF)\n", read_cr2());
	show_regs(f);
	panic("Fatal exception %lu (%s) at RIP 0x%lx", f->vector, name, f->rip);
}

/* The signal Linux would send for exception @vector. */
static int exception_signal(uint64_t vector)
{
	switch (vector) {
	case VEC_DE:
		return SIGFPE;
	case VEC_BP:
		return SIGTRAP;
	case VEC_UD:
		return SIGILL;
	default:
		return SIGSEGV;
	}
}

/* An exception in user mode other than #PF: the task ends. */
static void __noreturn user_exception(const struct trap_frame *f)
{
	pr_err("traps: %s[%d] %s ip:%lx sp:%lx error:%lx\n", current->comm,
	       current->pid, exception_names[f->vector], f->rip, f->rsp,
	       f->error_code);
	do_exit(exception_signal(f->vector));
}

static void exception_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_NMI) {
		pr_warn("NMI received at RIP 0x%lx, ignored\n", f->rip);
		return;
	}
	if (f->vector == VEC_PF) {
		do_page_fault(f);
		return;
	}
	if (f->vector == VEC_UD && syscall_from_ud(f))
		return;			/* int $0x80 under kvm_pvm: syscall.c */
	if (user_mode(f))
		user_exception(f);
	die(f);
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < NR_EXCEPTIONS) {
		exception_dispatch(f);
	} else if (f->vector == SYSCALL_VECTOR) {
		f->rax = (uint64_t)syscall_dispatch(f);
	} else if (f->vector != SPURIOUS_VECTOR) {
		irq_dispatch(f->vector);
		lapic_eoi();
		sched_irq_exit();
	}
	if (user_mode(f))
		exit_to_user_mode();
}
