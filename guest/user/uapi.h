/*
 * The user/kernel ABI of the guest: system call numbers, the calling
 * convention, and the command mailbox that lets the shell drive a task.
 * Included by both sides (guest/user/ programs and guest/kernel/).
 *
 * Calling convention (Linux x86-64): `syscall` with the number in RAX and
 * up to six arguments in RDI, RSI, RDX, R10, R8, R9; the result (or
 * -errno) comes back in RAX; RCX and R11 are clobbered.  `int $0x80`
 * with the same registers reaches the same table (measured against
 * `syscall` by the sysbench program).
 *
 * Numbers are Linux's where Linux has the call; memvisor's own calls sit
 * at MV_NR_BASE, far above Linux's range.
 */
#ifndef GUEST_USER_UAPI_H
#define GUEST_USER_UAPI_H

#define __NR_write		1	/* (fd, buf, len): fd 1 and 2 */
#define __NR_mmap		9	/* anonymous private, or a disk's fd
					 * shared read-only */
#define __NR_munmap		11
#define __NR_sched_yield	24
#define __NR_getpid		39
#define __NR_exit		60
#define __NR_clock_gettime	228	/* CLOCK_MONOTONIC from the TSC */
#define __NR_exit_group		231

#define MV_NR_BASE		1024
/*
 * long mv_cmd_wait(long status, long detail): answer the command posted
 * last (the implicit MV_CMD_START the first time: "ready") with
 * @status/@detail, then block until the shell posts the next command and
 * return it (MV_CMD_*).
 */
#define __NR_mv_cmd_wait	(MV_NR_BASE + 0)
#define NR_SYSCALLS_MV		1

#define MV_CMD_START		0	/* implicit: answered when ready */
#define MV_CMD_VERIFY		1	/* re-check every page checksum */
#define MV_CMD_EXIT		2	/* end with exit(0) */
#define MV_CMD_TOUCH		3	/* read the first (cmd >> MV_CMD_SHIFT)
					 * pages again; detail: pages read */
#define MV_CMD_SHIFT		8	/* a command's argument: cmd >> this */

/* Replies to MV_CMD_VERIFY: status, and what detail holds. */
#define MV_VERIFY_OK		0	/* detail: pages checked */
#define MV_VERIFY_MISMATCH	1	/* detail: first bad page index */

#define CLOCK_MONOTONIC		1

/* Linux's mmap() values (also in guest/mm/mm.h for the kernel). */
#define MV_PROT_READ		0x1
#define MV_PROT_WRITE		0x2
#define MV_MAP_SHARED		0x01
#define MV_MAP_PRIVATE		0x02
#define MV_MAP_ANONYMOUS	0x20

/*
 * File descriptors: a user task starts with none but the console (1, 2)
 * and, when the shell gives it one (`hog SIZE file /dev/vda`), the disk
 * open read-only as MV_FD_FILE.  mmap() of it is the disk's page cache.
 */
#define MV_FD_FILE		3
#define MV_NR_FILES		4	/* fds 0..3 */

/* The hog's fill patterns (hog_main's second argument). */
enum hog_pattern {
	HOG_ZERO,	/* every byte 0 */
	HOG_SAME,	/* one pseudo-random page, repeated */
	HOG_SEQ,	/* page i: the 64-bit value i, repeated */
	HOG_RANDOM,	/* a splitmix64 stream from the seed */
	NR_HOG_PATTERNS,
	HOG_FILE = NR_HOG_PATTERNS, /* not a fill: read MV_FD_FILE's mapping
				     * (hog_main's third argument: the fd) */
};

struct mv_timespec {
	long tv_sec;
	long tv_nsec;
};

#endif
