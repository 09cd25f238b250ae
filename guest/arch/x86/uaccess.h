/*
 * Copying between kernel and user memory (copy_user.S, uaccess.c).
 *
 * The user side may be unmapped: the first touch of a page faults it in
 * through the #PF handler (handle_mm_fault for the current task's mm),
 * and an address that cannot be mapped ends the copy with -EFAULT instead
 * of an oops.  Only the current task's memory, from its kernel context.
 */
#ifndef GUEST_ARCH_X86_UACCESS_H
#define GUEST_ARCH_X86_UACCESS_H

#include "include/errno.h"
#include "include/types.h"
#include "arch/x86/traps.h"

#ifndef EFAULT
#define EFAULT 14
#endif

#define UACCESS_USER_END 0x0000800000000000UL	/* memlayout.h USER_END */

/* Bytes not copied. */
unsigned long __copy_user(void *dst, const void *src, unsigned long n);

/* [uaddr, uaddr + n) lies in the user half. */
static inline bool access_ok(unsigned long uaddr, unsigned long n)
{
	return uaddr <= UACCESS_USER_END && n <= UACCESS_USER_END - uaddr;
}

/* 0 or -EFAULT. */
static inline int copy_from_user(void *dst, const void *usrc, unsigned long n)
{
	if (!access_ok((unsigned long)usrc, n))
		return -EFAULT;
	return __copy_user(dst, usrc, n) ? -EFAULT : 0;
}

static inline int copy_to_user(void *udst, const void *src, unsigned long n)
{
	if (!access_ok((unsigned long)udst, n))
		return -EFAULT;
	return __copy_user(udst, src, n) ? -EFAULT : 0;
}

/* Is @f a fault inside a uaccess copy?  Then resume at its fixup. */
bool uaccess_fixup(struct trap_frame *f);
/* Is @rip one of the copy instructions that may fault on user memory? */
bool uaccess_insn(uint64_t rip);

#endif
