/*
 * Interrupt and exception entry.
 *
 * trap_stubs: 256 stubs, 16 bytes apart (idt.c computes gate addresses
 * from that). Each pushes a dummy error code when the CPU pushes none, then
 * its vector number, and jumps to trap_common, which saves the general
 * registers to form a struct trap_frame (traps.h) and calls
 * trap_dispatch(frame). On return the registers are restored and IRETQ
 * resumes the interrupted code.
 *
 * Stack alignment: the CPU aligns RSP to 16 and pushes 5 words; with the
 * error code, vector and 15 registers that is 22 words, so the call into C
 * happens on a 16-byte aligned stack.
 *
 * Kernel mode only for now: entries from user mode (SWAPGS, RSP0) come with
 * user tasks.
 */
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
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
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
	addq	$16, %rsp               /* vector and error code */
	iretq
