/*
 * unsigned long __copy_user(void *dst, const void *src, unsigned long n)
 *
 * Copy n bytes where one side is user memory; returns how many bytes were
 * NOT copied (0 on success). REP MOVSQ for the words, REP MOVSB for the
 * tail (under emulated ring 0 a string instruction is the cheapest loop).
 *
 * A fault on the user side enters do_page_fault in kernel mode; if
 * handle_mm_fault maps the page, the REP instruction restarts where it
 * stopped. If not, uaccess_fixup() (uaccess.c) moves RIP from the
 * faulting instruction to its fixup here, which returns the rest.
 * __uaccess_extable lists the (instruction, fixup) pairs.
 */
	.text
	.globl	__copy_user
__copy_user:
	movq	%rdx, %rcx
	shrq	$3, %rcx
	andl	$7, %edx
.Lcopy_words:
	rep movsq
	movl	%edx, %ecx
.Lcopy_bytes:
	rep movsb
	xorl	%eax, %eax
	ret
.Lfix_words:
	leaq	(%rdx,%rcx,8), %rax     /* words left, and the tail */
	ret
.Lfix_bytes:
	movq	%rcx, %rax
	ret

	.section .rodata
	.balign	8
	.globl	__uaccess_extable
__uaccess_extable:
	.quad	.Lcopy_words, .Lfix_words
	.quad	.Lcopy_bytes, .Lfix_bytes
