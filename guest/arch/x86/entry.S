/*
 * Kernel entry and exit: interrupts and exceptions, system calls, and the
 * first return to user mode of a new task.
 *
 * Every way in builds the same struct trap_frame (traps.h) on the running
 * task's kernel stack, so the C code, the scheduler and a new task's
 * first exit all see one layout.
 *
 * trap_stubs: 256 stubs, 16 bytes apart (idt.c computes gate addresses
 * from that). Each pushes a dummy error code when the CPU pushes none,
 * then its vector number, and jumps to trap_common, which does SWAPGS if
 * it came from user mode (CS.RPL 3), saves the general registers and
 * calls trap_dispatch(frame). trap_return restores them, does SWAPGS again
 * if it returns to user mode, and IRETQ resumes the interrupted code. The
 * CPU took the stack from TSS.RSP0 if it came from user mode (the
 * scheduler keeps RSP0 at the running task's stack top).
 *
 * entry_SYSCALL_64: SYSCALL arrives with interrupts off (FMASK), the user
 * RIP in RCX, RFLAGS in R11 and the user stack still in RSP. It swaps GS,
 * parks the user RSP in the per-CPU area, loads the task's kernel stack
 * from it (percpu.h), pushes what an interrupt would have (SS, RSP,
 * RFLAGS, CS, RIP), the call number as the error code and SYSCALL_VECTOR
 * as the vector, then the registers, and calls do_syscall_64(frame). The
 * way out is SYSRETQ: RIP from RCX, RFLAGS from R11, user RSP popped.
 *
 * Stack alignment: the CPU aligns RSP to 16 and pushes 5 words; with the
 * error code, vector and 15 registers that is 22 words, so the call into C
 * happens on a 16-byte aligned stack. The syscall path starts from the
 * (16-aligned) stack top and pushes the same 22 words.
 */
#include "arch/x86/seg.h"
#include "arch/x86/percpu.h"

#define SYSCALL_VECTOR	0x80		/* syscall.h */
#define FRAME_CS	24		/* saved CS, above vector, error, RIP */

	.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	.endm

	.text
	.balign	16
	.globl	trap_stubs
trap_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if !((vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
	pushq	$0                      /* no CPU error code: dummy */
	.endif
	pushq	$vec
	jmp	trap_common
	.set	vec, vec + 1
	.endr

trap_common:
	testb	$3, FRAME_CS(%rsp)      /* from user mode? */
	jz	1f
	swapgs
1:	PUSH_REGS
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	.globl	trap_return
trap_return:
	POP_REGS
	addq	$16, %rsp               /* vector and error code */
	testb	$3, 8(%rsp)             /* back to user mode? */
	jz	2f
	swapgs
2:	iretq

	.globl	entry_SYSCALL_64
entry_SYSCALL_64:
	swapgs
	movq	%rsp, %gs:PCPU_USER_RSP
	movq	%gs:PCPU_KERNEL_RSP, %rsp
	pushq	$USER_DS                /* SS */
	pushq	%gs:PCPU_USER_RSP       /* RSP */
	pushq	%r11                    /* RFLAGS */
	pushq	$USER_CS                /* CS */
	pushq	%rcx                    /* RIP */
	pushq	%rax                    /* error code: the call number */
	pushq	$SYSCALL_VECTOR
	PUSH_REGS
	movq	%rsp, %rdi
	call	do_syscall_64
	POP_REGS
	addq	$16, %rsp               /* vector and call number */
	popq	%rcx                    /* RIP */
	addq	$8, %rsp                /* CS */
	popq	%r11                    /* RFLAGS */
	popq	%rsp                    /* the user stack, from here on */
	swapgs
	sysretq

/*
 * A new user task's first run: __switch_to_asm "returned" here with the
 * previous task in RAX and RSP at the task's prepared trap frame.
 */
	.globl	ret_from_fork
ret_from_fork:
	movq	%rax, %rdi
	call	schedule_tail
	jmp	trap_return

/* A new kernel task's first run: RBX is its function, R12 the argument. */
	.globl	ret_from_kernel_thread
ret_from_kernel_thread:
	movq	%rax, %rdi
	call	schedule_tail
	movq	%r12, %rdi
	call	*%rbx
	ud2                             /* kernel task functions never return */
