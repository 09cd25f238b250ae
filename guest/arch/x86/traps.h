/*
 * Trap frames and the C side of interrupt/exception entry.
 */
#ifndef GUEST_ARCH_X86_TRAPS_H
#define GUEST_ARCH_X86_TRAPS_H

#include "include/types.h"

/* What entry.S leaves on the stack, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;    /* 0 when the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

/* Called from entry.S for every vector. */
void trap_dispatch(struct trap_frame *f);
/* A kernel bug: print the exception and the registers, then panic. */
void die(const struct trap_frame *f) __attribute__((noreturn));
/* #PF (fault.c). */
void do_page_fault(struct trap_frame *f);

#endif
