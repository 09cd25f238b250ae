/*
 * User-mode library: exit, the clock, and the line formatter (ulib.h).
 * Runs at CPL 3, linked at USER_IMAGE_BASE: see ulib.h for the rules.
 */
#include "user/ulib.h"

void u_exit(int code)
{
	for (;;)
		u_syscall6(__NR_exit_group, code, 0, 0, 0, 0, 0);
}

uint64_t u_now_ns(void)
{
	struct mv_timespec ts;

	if (u_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC, (long)&ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void u_put_char(struct u_line *l, char c)
{
	if (l->len < sizeof(l->buf))
		l->buf[l->len++] = c;
}

void u_put_str(struct u_line *l, const char *s)
{
	while (*s)
		u_put_char(l, *s++);
}

void u_put_dec(struct u_line *l, unsigned long v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		u_put_char(l, digits[--n]);
}

void u_put_hex64(struct u_line *l, uint64_t v)
{
	u_put_str(l, "0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		u_put_char(l, "0123456789abcdef"[(v >> shift) & 0xf]);
}

void u_flush(struct u_line *l)
{
	u_write(1, l->buf, l->len);
	l->len = 0;
}
