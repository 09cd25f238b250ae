/*
 * sysbench: what one round trip into the kernel costs, by way of
 * getpid(): through `syscall` and through `int $0x80` (same table), timed
 * in user mode over @n calls each (first argument; 1000 if zero).
 * Prints "sysbench: syscall N ns, int 0x80 M ns per call (K calls)".
 */
#include "user/ulib.h"

static long sysbench_int80(long nr)
{
	long ret;

	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(nr)
			     : "rcx", "r11", "memory");
	return ret;
}

static uint64_t sysbench_time(unsigned long n, int use_int80)
{
	uint64_t t0 = u_now_ns();

	for (unsigned long i = 0; i < n; i++) {
		if (use_int80)
			sysbench_int80(__NR_getpid);
		else
			u_getpid();
	}
	return (u_now_ns() - t0) / n;
}

void sysbench_main(unsigned long n, unsigned long b, unsigned long c)
{
	struct u_line l;
	uint64_t sys, i80;

	if (!n)
		n = 1000;
	sys = sysbench_time(n, 0);
	i80 = sysbench_time(n, 1);
	l.len = 0;
	u_put_str(&l, "sysbench: syscall ");
	u_put_dec(&l, sys);
	u_put_str(&l, " ns, int 0x80 ");
	u_put_dec(&l, i80);
	u_put_str(&l, " ns per call (");
	u_put_dec(&l, n);
	u_put_str(&l, " calls)\n");
	u_flush(&l);
	u_exit(0);
}
