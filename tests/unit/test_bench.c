/*
 * bench: the statistics, one run against small shell scripts (ready, late
 * ready line cut in two writes, timeout, early exit, exec failure, process
 * group killed), and `bench boot` end to end with a script standing in for
 * memvisor.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/unit/capture.h"
#include "tools/bench/bench_internal.h"


/* ------------------------------------------------------------ statistics */

START_TEST(stats_odd_even_single)
{
	const double odd[] = { 30, 10, 20, 50, 40 };
	const double even[] = { 4, 1, 3, 2 };
	const double one[] = { 7.5 };
	struct bench_stats st;

	ck_assert_int_eq(bench_stats_compute(odd, 5, &st), 0);
	ck_assert_double_eq(st.median, 30);
	ck_assert_double_eq(st.min, 10);
	ck_assert_double_eq(st.max, 50);
	ck_assert_double_eq(odd[0], 30);	/* input left alone */
	ck_assert_int_eq(bench_stats_compute(even, 4, &st), 0);
	ck_assert_double_eq(st.median, 2.5);
	ck_assert_double_eq(st.min, 1);
	ck_assert_double_eq(st.max, 4);
	ck_assert_int_eq(bench_stats_compute(one, 1, &st), 0);
	ck_assert_double_eq(st.median, 7.5);
	ck_assert_double_eq(st.min, 7.5);
	ck_assert_double_eq(st.max, 7.5);
}
END_TEST

START_TEST(stats_duplicates_and_empty)
{
	const double dup[] = { 5, 1, 5, 5, 1, 9 };
	struct bench_stats st;

	ck_assert_int_eq(bench_stats_compute(dup, 6, &st), 0);
	ck_assert_double_eq(st.median, 5);
	ck_assert_double_eq(st.min, 1);
	ck_assert_double_eq(st.max, 9);
	ck_assert_int_eq(bench_stats_compute(dup, 0, &st), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ one run */

static int run_sh(const char *script, unsigned timeout_ms,
		  struct bench_result *res)
{
	struct bench_argv a = { .n = 0 };
	int ret;

	bench_argv_add(&a, "sh", "-c", script, NULL);
	ret = bench_run_once(&a, timeout_ms, res);
	bench_argv_free(&a);
	return ret;
}

START_TEST(run_ready)
{
	struct bench_result res;

	ck_assert_int_eq(run_sh("echo booting; sleep 0.2; "
				"echo 'memvisor guest ready'; sleep 30",
				10000, &res), 0);
	ck_assert(res.ms >= 190 && res.ms < 10000);
	ck_assert(WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGKILL);
	ck_assert_str_eq(res.last_line, "memvisor guest ready");
}
END_TEST

START_TEST(run_ready_line_in_pieces)
{
	struct bench_result res;

	ck_assert_int_eq(run_sh("printf 'x\\nmemvisor gu'; sleep 0.1; "
				"printf 'est ready\\r\\n'; sleep 30",
				10000, &res), 0);
	ck_assert(res.ms >= 90);
	ck_assert_str_eq(res.last_line, "memvisor guest ready");
}
END_TEST

START_TEST(run_timeout)
{
	struct bench_result res;

	ck_assert_int_eq(run_sh("echo 'memvisor guest not ready'; echo "
				"'memvisor guest'; sleep 30", 300, &res),
			 -ETIMEDOUT);
	ck_assert_str_eq(res.last_line, "memvisor guest");
	ck_assert(WIFSIGNALED(res.status));
}
END_TEST

START_TEST(run_exits_early)
{
	struct bench_result res;

	ck_assert_int_eq(run_sh("echo oops >&2; exit 3", 10000, &res),
			 -EPIPE);
	ck_assert_str_eq(res.last_line, "oops");
	ck_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 3);
}
END_TEST

START_TEST(run_exec_fails)
{
	struct bench_argv a = { .n = 0 };
	struct bench_result res;

	bench_argv_add(&a, "/nonexistent/memvisor", NULL);
	ck_assert_int_eq(bench_run_once(&a, 1000, &res), -ENOENT);
	bench_argv_free(&a);
}
END_TEST

/* True once @pid is gone or a zombie (killed, not yet reaped by init). */
static bool pid_dead(pid_t pid)
{
	char path[64], stat[256], *rp;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	rp = fgets(stat, sizeof(stat), f);
	fclose(f);
	rp = rp ? strrchr(stat, ')') : NULL;
	return !rp || rp[2] == 'Z' || rp[2] == 'X';
}

START_TEST(run_kills_process_group)
{
	char file[] = "/tmp/bench-test-XXXXXX", script[256];
	struct bench_result res;
	int fd = mkstemp(file), i, pid = 0;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; "
		 "echo 'memvisor guest ready'; wait", file);
	ck_assert_int_eq(run_sh(script, 10000, &res), 0);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	unlink(file);
	for (i = 0; i < 100 && !pid_dead(pid); i++)
		usleep(10000);
	ck_assert(pid_dead(pid));
}
END_TEST

/* ------------------------------------------------------------ the helper */

static int count_fds(void)
{
	char path[64];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

START_TEST(child_no_fd_leaks)
{
	struct bench_argv a = { .n = 0 }, none = { .n = 0 };
	struct bench_child ch;
	struct bench_result res;
	int before = count_fds(), i;

	bench_argv_add(&a, "/nonexistent/memvisor", NULL);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(bench_child_start(&ch, &a), -ENOENT);
		ck_assert_int_eq(ch.in_fd, -1);
		ck_assert_int_eq(ch.out_fd, -1);
		ck_assert_int_eq(bench_child_stop(&ch), 0);     /* again: no-op */
	}
	ck_assert_int_eq(bench_child_start(&ch, &none), -EINVAL);
	bench_argv_free(&a);
	ck_assert_int_eq(run_sh("exit 1", 1000, &res), -EPIPE);
	ck_assert_int_eq(count_fds(), before);
	ck_assert(fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 &&
		  fcntl(2, F_GETFD) >= 0);
}
END_TEST

/* With fd 0 closed, a pipe gets fd 0: the child must still get its pipes
 * as stdin and stdout, and the parent's stop must not close a stranger. */
START_TEST(child_with_stdin_closed)
{
	int saved = dup(0), keep;
	struct bench_result res;

	ck_assert_int_ge(saved, 0);
	close(0);
	ck_assert_int_eq(run_sh("read x; echo \"memvisor guest ready $x\"; sleep 30",
				100, &res), -ETIMEDOUT);
	ck_assert_int_eq(run_sh("echo memvisor guest ready; sleep 30", 5000, &res), 0);
	keep = dup(saved);      /* takes the lowest free fd: 0 again */
	ck_assert_int_eq(keep, 0);
	close(saved);
}
END_TEST

START_TEST(child_argv_limits)
{
	struct bench_argv a = { .n = 0 };
	int i;

	for (i = 0; i < BENCH_ARGV_MAX + 2; i++)
		bench_argv_addf(&a, "a%d", i);
	ck_assert_uint_eq(a.n, BENCH_ARGV_MAX);
	ck_assert_ptr_null(a.v[BENCH_ARGV_MAX]);
	ck_assert_int_eq(a.err, -E2BIG);
	bench_argv_free(&a);
	ck_assert_uint_eq(a.n, 0);
}
END_TEST

/* Both benchmarks boot the same VM on each backend. */
START_TEST(backend_command_lines)
{
	const struct bench_vm vm = { .self = "/b/memvisor", .kernel = "/b/g.elf",
				     .memory = "256M", .slots = 8, .maxmem = "4G",
				     .qmp = "/tmp/q" };
	const struct bench_vm boot = { .self = "mv", .kernel = "k", .memory = "64M" };
	struct bench_argv a = { .n = 0 };
	char line[512] = "";
	unsigned int i;

	bench_backend_argv(&a, BENCH_MEMVISOR, &vm);
	bench_backend_argv(&a, BENCH_QEMU_KVM, &vm);
	bench_backend_argv(&a, BENCH_QEMU_TCG, &boot);
	ck_assert_int_eq(a.err, -E2BIG);        /* three lines exceed one argv */
	for (i = 0; i < a.n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s ",
			 a.v[i]);
	ck_assert_msg(strstr(line, "/b/memvisor run --memory 256M --slots 8 --maxmem 4G "
			     "--kernel /b/g.elf --qmp /tmp/q "
			     "qemu-system-x86_64 -M pc -accel kvm -m 256M,slots=8,maxmem=4G "
			     "-kernel /b/g.elf -serial stdio -display none -no-reboot "
			     "-nodefaults -qmp unix:/tmp/q,server=on,wait=off") == line,
		      "%s", line);
	bench_argv_free(&a);
	bench_backend_argv(&a, BENCH_QEMU_TCG, &boot);
	ck_assert_int_eq(a.err, 0);
	ck_assert_str_eq(a.v[4], "tcg");
	ck_assert_str_eq(a.v[6], "64M");
	bench_argv_free(&a);
	ck_assert_str_eq(bench_backend_skip(BENCH_QEMU_KVM, true), "skipped (--no-qemu)");
}
END_TEST

/* ------------------------------------------------------------ bench boot */

/* Run bench_main with stderr discarded and stdout in @out (if not NULL). */
static int bench_capture(int argc, char **argv, const char *self, char *out,
			 size_t len)
{
	struct capture c;
	int ret;

	capture_begin(&c);
	ret = bench_main(argc, argv, self);
	capture_end(&c, out, len);
	return ret;
}

static int bench_quiet(int argc, char **argv, const char *self)
{
	return bench_capture(argc, argv, self, NULL, 0);
}

/* Every --help lists every subcommand and flag. */
START_TEST(help_lists_everything)
{
	char *top[] = { "--help", NULL }, *boot[] = { "boot", "--help", NULL };
	char *hp[] = { "hotplug", "-h", NULL }, out[4096];
	const char *const boot_flags[] = { "--runs N", "--memory SIZE",
		"--kernel PATH", "--timeout SECONDS", "--no-qemu", "--help" };
	const char *const hp_flags[] = { "--runs N", "--kernel PATH", "--no-qemu",
		"--help" };
	unsigned int i;

	ck_assert_int_eq(bench_capture(1, top, "mv", out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "  boot ") && strstr(out, "  hotplug ") &&
		      strstr(out, "--help"), "%s", out);
	ck_assert_int_eq(bench_capture(2, boot, "mv", out, sizeof(out)), 0);
	for (i = 0; i < sizeof(boot_flags) / sizeof(boot_flags[0]); i++)
		ck_assert_msg(strstr(out, boot_flags[i]), "%s not in %s", boot_flags[i], out);
	ck_assert_int_eq(bench_capture(2, hp, "mv", out, sizeof(out)), 0);
	for (i = 0; i < sizeof(hp_flags) / sizeof(hp_flags[0]); i++)
		ck_assert_msg(strstr(out, hp_flags[i]), "%s not in %s", hp_flags[i], out);
}
END_TEST

START_TEST(boot_with_fake_memvisor)
{
	char dir[] = "/tmp/bench-test-XXXXXX", self[64], kernel[64];
	char *ok[] = { "boot", "--runs", "3", "--no-qemu", "--memory", "64M",
		       NULL };
	char *bad_runs[] = { "boot", "--runs", "0", NULL };
	char *bad_mem[] = { "boot", "--memory", "1000K", NULL };
	char *bad_cmd[] = { "boat", NULL };
	char *help[] = { "boot", "--help", NULL };
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(self, sizeof(self), "%s/memvisor", dir);
	snprintf(kernel, sizeof(kernel), "%s/guest.elf", dir);
	f = fopen(self, "w");
	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\necho \"$@\"\necho memvisor guest ready\n"
	      "exec sleep 30\n", f);
	fclose(f);
	chmod(self, 0700);
	ck_assert_int_eq(bench_quiet(6, ok, self), 1);	/* no guest.elf */
	close(creat(kernel, 0600));
	ck_assert_int_eq(bench_quiet(6, ok, self), 0);
	ck_assert_int_eq(bench_quiet(3, bad_runs, self), 2);
	ck_assert_int_eq(bench_quiet(3, bad_mem, self), 2);
	ck_assert_int_eq(bench_quiet(1, bad_cmd, self), 2);
	ck_assert_int_eq(bench_quiet(2, help, self), 0);
	unlink(kernel);
	unlink(self);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *bench_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *stats = tcase_create("stats");
	TCase *run = tcase_create("run");

	tcase_add_test(stats, stats_odd_even_single);
	tcase_add_test(stats, stats_duplicates_and_empty);
	tcase_add_test(run, run_ready);
	tcase_add_test(run, run_ready_line_in_pieces);
	tcase_add_test(run, run_timeout);
	tcase_add_test(run, run_exits_early);
	tcase_add_test(run, run_exec_fails);
	tcase_add_test(run, run_kills_process_group);
	tcase_add_test(run, child_no_fd_leaks);
	tcase_add_test(run, child_with_stdin_closed);
	tcase_add_test(run, child_argv_limits);
	tcase_add_test(run, backend_command_lines);
	tcase_add_test(run, boot_with_fake_memvisor);
	tcase_add_test(run, help_lists_everything);
	tcase_set_timeout(run, 30);
	suite_add_tcase(s, stats);
	suite_add_tcase(s, run);
	return s;
}
