/*
 * struct task_struct *__switch_to_asm(struct task_struct *prev,
 *                                     struct task_struct *next)
 *
 * The register half of a context switch (kernel/sched.c does the rest:
 * CR3, TSS.RSP0, the per-CPU stack top). Pushes the callee-saved
 * registers on prev's kernel stack, stores RSP in prev->sp (offset 0 of
 * struct task_struct), loads next->sp and pops next's registers. The RET
 * resumes next where it called this (or, for a new task, at the address
 * task.c put on its stack: ret_from_fork or ret_from_kernel_thread).
 * Returns prev, in next's context, so that next can finish the switch
 * (free prev if it died).
 *
 * The switch frame on an inactive task's stack, lowest address first:
 * r15 r14 r13 r12 rbx rbp return-address (struct inactive_task_frame).
 */
	.text
	.globl	__switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, 0(%rdi)
	movq	0(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax
	ret
