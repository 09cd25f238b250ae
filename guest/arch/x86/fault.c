/*
 * The page fault handler.
 *
 * A #PF on a user address of a task with an mm, from user mode or from a
 * uaccess copy in kernel mode, goes to guest/mm's handle_mm_fault() (with
 * interrupts on when it came from user mode: a fault may clear 2 MiB).
 * Its result decides:
 *	0			mapped: return and retry the access;
 *	VM_FAULT_SIGSEGV	user mode: "hog[2]: segfault at 0 ip ... sp ...
 *				error 6", the task ends; kernel mode: the copy
 *				resumes at its fixup and returns -EFAULT;
 *	VM_FAULT_OOM		the OOM killer (kernel/oom.c) already ran in
 *				the allocator; if it chose this task, it
 *				ends; else another chance at the killer,
 *				which kills the largest task (then the
 *				access is retried) or this one.
 * Anything else - a kernel address, no mm, a reserved-bit fault, kernel
 * code touching user memory outside a copy - is a kernel bug: die().
 *
 * A fetch fault at entry_SYSCALL_64 from user mode is a SYSCALL the
 * hypervisor delivered without leaving CPL 3 (syscall.c): it is checked
 * first, one comparison when it is not.
 *
 * Error code bits (SDM 4.7): P present, W write, U user, RSVD reserved
 * bit set, I instruction fetch; they map onto FAULT_FLAG_*.
 */
#include "kernel/oom.h"
#include "kernel/sched.h"
#include "kernel/printk.h"
#include "arch/x86/cpu.h"
#include "arch/x86/syscall.h"
#include "arch/x86/traps.h"
#include "arch/x86/uaccess.h"

#define PF_PROT		(1u << 0)	/* page present: a rights violation */
#define PF_WRITE	(1u << 1)
#define PF_USER		(1u << 2)
#define PF_RSVD		(1u << 3)
#define PF_INSTR	(1u << 4)

#define SIGSEGV		11

static unsigned int fault_flags(uint64_t error_code)
{
	unsigned int flags = 0;

	if (error_code & PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (error_code & PF_USER)
		flags |= FAULT_FLAG_USER;
	if (error_code & PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;
	return flags;
}

/* Linux's line for a user segfault (show_signal_msg). */
static void __noreturn user_segv(const struct trap_frame *f,
				 unsigned long addr)
{
	pr_err("%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx\n",
	       current->comm, current->pid, addr, f->rip, f->rsp,
	       f->error_code);
	do_exit(SIGSEGV);
}

/* May guest/mm resolve this fault? */
static bool fault_is_mm(const struct trap_frame *f, unsigned long addr)
{
	if (addr >= USER_END || !current || !current->mm ||
	    (f->error_code & PF_RSVD))
		return false;
	return user_mode(f) || uaccess_insn(f->rip);
}

void do_page_fault(struct trap_frame *f)
{
	unsigned long addr = read_cr2();
	vm_fault_t ret;

	if (unlikely(addr == f->rip) && syscall_from_fault(f, addr))
		return;			/* SYSCALL under kvm_pvm: syscall.c */
	if (!fault_is_mm(f, addr))
		die(f);
	if (user_mode(f))
		cpu_sti();
	ret = handle_mm_fault(current->mm, addr, fault_flags(f->error_code));
	cpu_cli();
	if (likely(!ret))
		return;
	if (ret & VM_FAULT_OOM) {
		pagefault_out_of_memory();	/* returns if another task went */
		return;
	}
	if (!user_mode(f) && uaccess_fixup(f))
		return;
	user_segv(f, addr);
}
