/*
 * The user-mode library of the guest's programs: system call wrappers and
 * a tiny line formatter.  Freestanding; everything here runs at CPL 3.
 *
 * User programs are linked into the kernel image, in its .user section at
 * USER_IMAGE_BASE (guest/kernel.ld), and copied into each task's address
 * space there.  Rules for code in guest/user/ that follow from that:
 *  - never call or reference kernel code or data (a call would not even
 *    link: the kernel is more than 2 GiB away);
 *  - avoid what makes GCC emit memset/memcpy calls (struct copies, large
 *    initialisers): those would be the kernel's;
 *  - every global symbol starts with u_ or the program's name, as they
 *    share the kernel's symbol table.
 */
#ifndef GUEST_USER_ULIB_H
#define GUEST_USER_ULIB_H

#include <stddef.h>
#include <stdint.h>
#include "user/uapi.h"

#define U_PAGE_SIZE	4096UL
#define U_NOLIBCALL	__attribute__((optimize("no-tree-loop-distribute-patterns")))

static inline long u_syscall6(long nr, long a1, long a2, long a3, long a4,
			      long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			       "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return ret;
}

static inline long u_syscall2(long nr, long a1, long a2)
{
	return u_syscall6(nr, a1, a2, 0, 0, 0, 0);
}

static inline long u_write(int fd, const void *buf, size_t len)
{
	return u_syscall6(__NR_write, fd, (long)buf, (long)len, 0, 0, 0);
}

/* Anonymous private read-write memory; NULL on failure. */
static inline void *u_mmap_anon(size_t len)
{
	long r = u_syscall6(__NR_mmap, 0, (long)len,
			    MV_PROT_READ | MV_PROT_WRITE,
			    MV_MAP_PRIVATE | MV_MAP_ANONYMOUS, -1, 0);

	return r < 0 && r > -4096 ? NULL : (void *)r;
}

/* The first @len bytes of the disk open as @fd, shared read-only; NULL
 * on failure. */
static inline const void *u_mmap_file(size_t len, int fd)
{
	long r = u_syscall6(__NR_mmap, 0, (long)len, MV_PROT_READ,
			    MV_MAP_SHARED, fd, 0);

	return r < 0 && r > -4096 ? NULL : (const void *)r;
}

static inline long u_getpid(void)
{
	return u_syscall6(__NR_getpid, 0, 0, 0, 0, 0, 0);
}

static inline long u_cmd_wait(long status, long detail)
{
	return u_syscall2(__NR_mv_cmd_wait, status, detail);
}

static inline uint64_t u_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void u_exit(int code) __attribute__((noreturn));
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t u_now_ns(void);

/* A line being built: u_put*() append, u_flush() writes it to fd 1. */
struct u_line {
	unsigned int len;
	char buf[200];
};

void u_put_str(struct u_line *l, const char *s);
void u_put_dec(struct u_line *l, unsigned long v);
/* "0x" and 16 hex digits */
void u_put_hex64(struct u_line *l, uint64_t v);
void u_flush(struct u_line *l);

#endif
