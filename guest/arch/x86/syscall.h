/*
 * Entry from user mode: the SYSCALL MSRs and GS, and the C side of the
 * system call entry (entry.S builds a struct trap_frame for it too).
 */
#ifndef GUEST_ARCH_X86_SYSCALL_H
#define GUEST_ARCH_X86_SYSCALL_H

#include "arch/x86/traps.h"

#define SYSCALL_VECTOR	0x80	/* int $0x80; also marks syscall frames */

/* EFER.SCE, STAR/LSTAR/FMASK, GS.base for this CPU, the int 0x80 gate. */
void syscall_init(void);

/* entry.S, for `syscall`: run the call, then the exit-to-user work. */
void do_syscall_64(struct trap_frame *f);

/* The hypervisor's broken SYSCALL (a #PF at the entry, CPL still 3;
 * @cr2 the fault address) or int $0x80 (#UD at the INT): run the call and
 * return true; false if @f is not that. */
bool syscall_from_fault(struct trap_frame *f, uint64_t cr2);
bool syscall_from_ud(struct trap_frame *f);

static inline bool user_mode(const struct trap_frame *f)
{
	return f->cs & 3;
}

#endif
