/*
 * Basic types, constants and helper macros of the guest memory manager.
 *
 * Everything here is plain C with no dependency on the build: it compiles
 * freestanding into the guest kernel and, with -DMM_HOST, into the host unit
 * tests.  Address types: a phys_addr_t is a guest-physical address, a pfn_t a
 * page frame number (phys >> PAGE_SHIFT); kernel virtual addresses are plain
 * pointers or unsigned long.
 *
 * The guest's virtual layout is guest/memlayout.h's (included in guest
 * builds; the host build repeats the constants):
 *
 *	0xffff888000000000	PAGE_OFFSET: direct map of all RAM (hot-added too)
 *	0xffffc90000000000	VMALLOC_START
 *	0xffffc97fffffffff	VMALLOC_END (inclusive)
 *	0xffffffff80000000	__START_KERNEL_map: kernel image, phys + this
 */
#ifndef GUEST_MM_MM_TYPES_H
#define GUEST_MM_MM_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef MM_HOST
/* The guest's own definitions come first; ours fill the gaps below. */
#include "include/compiler.h"
#include "include/errno.h"
#include "memlayout.h"		/* PAGE_*, layout, phys_addr_t, __va/__pa */
#else
typedef uint64_t phys_addr_t;	/* guest-physical address */

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_OFFSET		0xffff888000000000UL
#define VMALLOC_START		0xffffc90000000000UL
#define VMALLOC_END		0xffffc97fffffffffUL
#define __START_KERNEL_map	0xffffffff80000000UL
#include <errno.h>
#endif

typedef unsigned long pfn_t;	/* page frame number */
typedef unsigned int gfp_t;	/* __GFP_* allocation flags */

#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define NR_CPUS		8	/* per-CPU arrays are sized for this */
#define MAX_NUMNODES	8	/* SRAT proximity domains we support */

#define PFN_PHYS(pfn)	((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(pa)	((pfn_t)((pa) >> PAGE_SHIFT))
#define PFN_UP(pa)	((pfn_t)(((pa) + PAGE_SIZE - 1) >> PAGE_SHIFT))
#define PFN_DOWN(pa)	((pfn_t)((pa) >> PAGE_SHIFT))

#define ALIGN(x, a)		(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#ifndef ALIGN_DOWN
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#endif
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)

/* Linux's numbers, where the guest's errno.h lacks them. */
#ifndef EAGAIN
#define EAGAIN	11
#endif
#ifndef EFAULT
#define EFAULT	14
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi) min(max(v, lo), hi)

/* Bits set in @w (Linux's name).  A loop per set bit: the guest is built
 * without POPCNT, and __builtin_popcount would call libgcc. */
static inline unsigned int hweight64(uint64_t w)
{
	unsigned int n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif
#ifndef __maybe_unused
#define __maybe_unused	__attribute__((unused))
#endif
#ifndef BUILD_BUG_ON
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)
#endif

/* Kernel log levels for mm_log(), Linux's numbers. */
#define MM_LOG_ERR	3
#define MM_LOG_WARN	4
#define MM_LOG_INFO	6
#define MM_LOG_DEBUG	7

static inline unsigned int __fls_ul(unsigned long x)
{
	return 63 - __builtin_clzl(x);	/* x != 0 */
}

static inline unsigned int __ffs_ul(unsigned long x)
{
	return __builtin_ctzl(x);	/* x != 0 */
}

/* Smallest order such that (PAGE_SIZE << order) >= size; size > 0. */
static inline unsigned int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return __fls_ul((size - 1) >> PAGE_SHIFT) + 1;
}

#endif /* GUEST_MM_MM_TYPES_H */
