/*
 * Per-CPU data the entry code reaches through GS.
 *
 * In the kernel GS.base points at this CPU's struct pcpu; in user mode it
 * is the user's (0).  Every entry from user mode (syscall, interrupt,
 * exception) starts with SWAPGS and every exit to user mode ends with one;
 * entries from kernel mode leave GS alone (entry.S checks the saved CS).
 * Only the entry code uses GS; C code, on one CPU for now, reads
 * this_pcpu() directly.
 */
#ifndef GUEST_ARCH_X86_PERCPU_H
#define GUEST_ARCH_X86_PERCPU_H

#define PCPU_KERNEL_RSP	0	/* offsets of struct pcpu, for entry.S */
#define PCPU_USER_RSP	8

#ifndef __ASSEMBLY__
#include "include/types.h"

struct pcpu {
	uint64_t kernel_rsp;	/* top of the running task's kernel stack */
	uint64_t user_rsp;	/* the user RSP, during syscall entry */
};

extern struct pcpu boot_pcpu;

static inline struct pcpu *this_pcpu(void)
{
	return &boot_pcpu;
}
#endif

#endif
