/*
 * Turning on the two ways in from user mode.
 *
 * SYSCALL (EFER.SCE): LSTAR is entry.S's entry_SYSCALL_64; STAR gives the
 * kernel selectors (CS = KERNEL_CS, SS = +8) and the base SYSRET adds to
 * (USER_CS32: SS = +8 = USER_DS, CS = +16 = USER_CS, see seg.h); FMASK
 * clears IF, TF, DF, AC and NT on entry, so the entry code runs with
 * interrupts off until it has a kernel stack.
 *
 * int $0x80: a DPL-3 gate to the same table, for comparison (sysbench).
 *
 * Under the nested KVM of our machines (kvm_pvm, ring 0 emulated) neither
 * works as the SDM says, so both have a second way in:
 *  - SYSCALL from CPL 3 sets RCX, R11, RFLAGS and RIP = LSTAR but leaves
 *    the CPU at CPL 3, so fetching the entry code faults (#PF, user mode,
 *    instruction fetch, RIP = CR2 = entry_SYSCALL_64).  do_page_fault()
 *    hands that to syscall_from_fault(), which completes the call as the
 *    entry code would have and returns to RCX with R11's flags.
 *  - int $0x80 from CPL 3 raises #UD at the INT instruction;
 *    syscall_from_ud() recognises its two bytes (CD 80) and runs the call.
 * On QEMU and real hardware the first paths are taken; the same user
 * binary works everywhere.
 *
 * GS: GS.base = this CPU's struct pcpu, KERNEL_GS_BASE = 0 (the user's),
 * which SWAPGS exchanges on each entry from and exit to user mode.
 */
#include "arch/x86/syscall.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/seg.h"
#include "arch/x86/uaccess.h"
#include "kernel/syscalls.h"

#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define X86_RFLAGS_TF	(1ul << 8)
#define X86_RFLAGS_DF	(1ul << 10)
#define X86_RFLAGS_NT	(1ul << 14)
#define X86_RFLAGS_AC	(1ul << 18)

struct pcpu boot_pcpu;

extern const char entry_SYSCALL_64[];	/* entry.S */

void syscall_init(void)
{
	wrmsr(MSR_GS_BASE, (uint64_t)&boot_pcpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, (uint64_t)USER_CS32 << 48 | (uint64_t)KERNEL_CS << 32);
	wrmsr(MSR_LSTAR, (uint64_t)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK, X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_DF |
				X86_RFLAGS_AC | X86_RFLAGS_NT);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	idt_set_gate(SYSCALL_VECTOR, 0, 3);
}

bool syscall_from_fault(struct trap_frame *f, uint64_t cr2)
{
	if (f->rip != (uint64_t)entry_SYSCALL_64 || cr2 != f->rip ||
	    !user_mode(f))
		return false;
	f->rip = f->rcx;
	f->rflags = f->r11;
	f->rax = (uint64_t)syscall_dispatch(f);
	return true;
}

bool syscall_from_ud(struct trap_frame *f)
{
	uint8_t insn[2];

	if (!user_mode(f) || copy_from_user(insn, (void *)f->rip, 2) ||
	    insn[0] != 0xcd || insn[1] != SYSCALL_VECTOR)
		return false;
	f->rip += 2;
	f->rax = (uint64_t)syscall_dispatch(f);
	return true;
}
