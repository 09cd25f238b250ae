/* Size and number parsing (vmm/util.c). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "vmm/util.h"

START_TEST(size_suffixes)
{
	uint64_t v;

	ck_assert_int_eq(parse_size("512M", 0, &v), 0);
	ck_assert_uint_eq(v, 512ull << 20);
	ck_assert_int_eq(parse_size("4G", 0, &v), 0);
	ck_assert_uint_eq(v, 4ull << 30);
	ck_assert_int_eq(parse_size("64k", 0, &v), 0);
	ck_assert_uint_eq(v, 64ull << 10);
	ck_assert_int_eq(parse_size("1T", 0, &v), 0);
	ck_assert_uint_eq(v, 1ull << 40);
	ck_assert_int_eq(parse_size("2GiB", 0, &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(parse_size("128MB", 0, &v), 0);
	ck_assert_uint_eq(v, 128ull << 20);
}
END_TEST

START_TEST(size_default_unit)
{
	uint64_t v;

	ck_assert_int_eq(parse_size("256", 20, &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(parse_size("4096", 0, &v), 0);
	ck_assert_uint_eq(v, 4096);
}
END_TEST

START_TEST(size_rejects)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse_size("12Q", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("M", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("-5M", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size(" 5M", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("5MM", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("1.5G", 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size(NULL, 0, &v), -EINVAL);
	ck_assert_int_eq(parse_size("99999999999999999999", 0, &v), -ERANGE);
	ck_assert_int_eq(parse_size("17179869184G", 0, &v), -ERANGE);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(uint_ranges)
{
	unsigned long n;

	ck_assert_int_eq(parse_uint("4", 1, 64, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(parse_uint("0", 1, 64, &n), -ERANGE);
	ck_assert_int_eq(parse_uint("65", 1, 64, &n), -ERANGE);
	ck_assert_int_eq(parse_uint("4x", 1, 64, &n), -EINVAL);
	ck_assert_int_eq(parse_uint("", 1, 64, &n), -EINVAL);
}
END_TEST

START_TEST(format_sizes)
{
	char buf[32];

	ck_assert_str_eq(format_size(128ull << 20, buf, sizeof(buf)), "128M");
	ck_assert_str_eq(format_size(4ull << 30, buf, sizeof(buf)), "4G");
	ck_assert_str_eq(format_size(1536ull << 20, buf, sizeof(buf)), "1536M");
	ck_assert_str_eq(format_size(1000, buf, sizeof(buf)), "1000");
}
END_TEST

/* Everything reaches the reader; a closed fd is -EBADF. */
START_TEST(write_all_whole)
{
	char buf[100000], back[sizeof(buf)];
	size_t got = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {              /* more than a pipe holds: short writes */
		close(p[0]);
		_exit(write_all(p[1], buf, sizeof(buf)) ? 1 : 0);
	}
	close(p[1]);
	while ((n = read(p[0], back + got, sizeof(back) - got)) > 0)
		got += n;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(got, sizeof(buf));
	ck_assert_int_eq(memcmp(buf, back, sizeof(buf)), 0);
	ck_assert_int_eq(write_all(p[1], buf, 1), -EBADF);
}
END_TEST

START_TEST(kernel_beside)
{
	char *p = guest_kernel_beside("/opt/mv/build/memvisor");

	ck_assert_str_eq(p, "/opt/mv/build/guest.elf");
	free(p);
	p = guest_kernel_beside("memvisor");
	ck_assert_str_eq(p, "guest.elf");
	free(p);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, size_suffixes);
	tcase_add_test(tc, size_default_unit);
	tcase_add_test(tc, size_rejects);
	tcase_add_test(tc, uint_ranges);
	tcase_add_test(tc, format_sizes);
	tcase_add_test(tc, kernel_beside);
	tcase_add_test(tc, write_all_whole);
	suite_add_tcase(s, tc);
	return s;
}
