/*
 * System calls (the ABI: user/uapi.h).  Entered from entry.S through
 * do_syscall_64 (SYSCALL) or trap_dispatch (int $0x80), interrupts off,
 * on the task's kernel stack; the result goes back in RAX.
 *
 *	write(fd, buf, len)		fd 1 or 2: the console, copied in
 *					WRITE_CHUNK pieces
 *	mmap(addr, len, prot, flags, fd, off)	anonymous private, or the
 *					disk open as fd: shared, read-only
 *	munmap(addr, len)
 *	sched_yield()
 *	getpid()
 *	exit(code), exit_group(code)
 *	clock_gettime(clk, ts)		CLOCK_MONOTONIC (and REALTIME, the
 *					same clock) from the TSC
 *	mv_cmd_wait(status, detail)	the shell's mailbox (task.c)
 */
#include "kernel/syscalls.h"
#include "kernel/console.h"
#include "kernel/sched.h"
#include "kernel/tsc.h"
#include "arch/x86/syscall.h"
#include "arch/x86/uaccess.h"

#ifndef EBADF
#define EBADF	9
#endif

#define WRITE_CHUNK	256
#define CLOCK_REALTIME	0

static long sys_write(int fd, const char *ubuf, unsigned long len)
{
	char kbuf[WRITE_CHUNK];
	unsigned long done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	while (done < len) {
		unsigned long n = min(len - done, (unsigned long)WRITE_CHUNK);

		if (copy_from_user(kbuf, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(kbuf, n);
		done += n;
	}
	return (long)done;
}

static long sys_mmap(unsigned long addr, unsigned long len,
		     unsigned long prot, unsigned long flags, long fd,
		     unsigned long off)
{
	struct address_space *file;
	unsigned long mapped;
	int err;

	if (flags & MAP_ANONYMOUS) {
		err = do_mmap(current->mm, addr, len, prot, flags, &mapped);
		return err ? err : (long)mapped;
	}
	file = fd >= 0 && fd < MV_NR_FILES ? current->files[fd] : NULL;
	if (!file)
		return -EBADF;
	if (off & ~PAGE_MASK)
		return -EINVAL;
	err = do_mmap_file(current->mm, addr, len, prot, flags, file,
			   off >> PAGE_SHIFT, &mapped);
	return err ? err : (long)mapped;
}

static long sys_clock_gettime(long clk, struct mv_timespec *uts)
{
	struct mv_timespec ts;
	uint64_t ns;

	if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME)
		return -EINVAL;
	ns = ktime_get_ns();
	ts.tv_sec = (long)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	return copy_to_user(uts, &ts, sizeof(ts));
}

long syscall_dispatch(struct trap_frame *f)
{
	switch (f->rax) {
	case __NR_write:
		return sys_write((int)f->rdi, (const char *)f->rsi, f->rdx);
	case __NR_mmap:
		return sys_mmap(f->rdi, f->rsi, f->rdx, f->r10, (long)f->r8,
				f->r9);
	case __NR_munmap:
		return do_munmap(current->mm, f->rdi, f->rsi);
	case __NR_sched_yield:
		schedule();
		return 0;
	case __NR_getpid:
		return current->pid;
	case __NR_exit:
	case __NR_exit_group:
		do_exit((int)(f->rdi & 0xff));
	case __NR_clock_gettime:
		return sys_clock_gettime((long)f->rdi,
					 (struct mv_timespec *)f->rsi);
	case __NR_mv_cmd_wait:
		return sys_mv_cmd_wait((long)f->rdi, (long)f->rsi);
	default:
		return -ENOSYS;
	}
}

void do_syscall_64(struct trap_frame *f)
{
	f->rax = (uint64_t)syscall_dispatch(f);
	exit_to_user_mode();
}
