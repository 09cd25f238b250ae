/*
 * The system call table (kernel/sys.c); the ABI is user/uapi.h's.
 */
#ifndef GUEST_KERNEL_SYSCALLS_H
#define GUEST_KERNEL_SYSCALLS_H

#include "arch/x86/traps.h"

/* Run the call @f describes (number in RAX, arguments in RDI, RSI, RDX,
 * R10, R8, R9); its result, or -ENOSYS. */
long syscall_dispatch(struct trap_frame *f);

#endif
