/*
 * vmm/cli.c, the one option parser of run, ctl and bench: flags before,
 * between and after positional arguments, --flag=value, "--", a missing
 * value, an unknown option, a value given to a flag that takes none, too
 * many arguments, a handler's own error, two tables, and --help generated
 * from the tables.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/capture.h"
#include "vmm/cli.h"

/* What the handlers saw. */
struct seen {
	char log[512];          /* "key=value;" per call, in order */
};

static int handle(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct seen *s = opaque;
	size_t n = strlen(s->log);

	if (arg && !strcmp(arg, "bad"))
		return errmsg_user(e, -EINVAL, "--name: 'bad' is not a name");
	snprintf(s->log + n, sizeof(s->log) - n, "%d=%s;", key, arg ? arg : "");
	return 0;
}

static const struct cli_option main_opts[] = {
	{ "name", "NAME", "a value", 1 },
	{ "wait", NULL, "a flag", 2 },
	{ "timeout", "SEC", "two lines\nof help", 3 },
	{ NULL },
};

static const struct cli_option dev_opts[] = {
	{ "slots", "N", "the other table's flag", 7 },
	{ NULL },
};

static struct seen seen, dev_seen;
static const struct cli_table tables[] = {
	{ NULL, main_opts, handle, &seen },
	{ "Device options", dev_opts, handle, &dev_seen },
};
static const struct cli_cmd cmd = {
	.name = "memvisor test", .synopsis = "[options] A B",
	.description = "Tests the parser.\n", .tables = tables, .nr_tables = 2,
};

static const char *pos[3];
static unsigned int npos;
static struct errmsg e;

/* cli_parse on "test" and the arguments up to NULL. */
static int parse(const char *first, ...)
{
	char *argv[16] = { "test" };
	int argc = 1;
	va_list ap;

	memset(&seen, 0, sizeof(seen));
	memset(&dev_seen, 0, sizeof(dev_seen));
	memset(&e, 0, sizeof(e));
	va_start(ap, first);
	for (argv[argc] = (char *)first; argv[argc]; argv[++argc] = va_arg(ap, char *))
		;
	va_end(ap);
	return cli_parse(&cmd, argc, argv, pos, 3, &npos, &e);
}

static void fails_with(int ret, const char *part)
{
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_int_eq(e.user, 1);
	ck_assert_msg(strstr(e.msg, part), "'%s' not in '%s'", part, e.msg);
	ck_assert_int_eq(cli_status(&e), EXIT_USAGE);
}

START_TEST(flags_anywhere)
{
	ck_assert_int_eq(parse("--wait", "a", "--name", "x", "b", "--timeout=5", NULL), 0);
	ck_assert_str_eq(seen.log, "2=;1=x;3=5;");
	ck_assert_uint_eq(npos, 2);
	ck_assert_str_eq(pos[0], "a");
	ck_assert_str_eq(pos[1], "b");
	/* the second table's handler gets its own flags */
	ck_assert_int_eq(parse("a", "--slots", "4", NULL), 0);
	ck_assert_str_eq(dev_seen.log, "7=4;");
	ck_assert_str_eq(seen.log, "");
	/* a value may look like an option; "-" alone is an argument */
	ck_assert_int_eq(parse("--name", "-x", "-", NULL), 0);
	ck_assert_str_eq(seen.log, "1=-x;");
	ck_assert_str_eq(pos[0], "-");
	ck_assert_int_eq(parse("--name=", NULL), 0);
	ck_assert_str_eq(seen.log, "1=;");
}
END_TEST

START_TEST(double_dash)
{
	ck_assert_int_eq(parse("a", "--wait", "--", "--name", "-b", NULL), 0);
	ck_assert_str_eq(seen.log, "2=;");
	ck_assert_uint_eq(npos, 3);
	ck_assert_str_eq(pos[0], "a");
	ck_assert_str_eq(pos[1], "--name");
	ck_assert_str_eq(pos[2], "-b");
	ck_assert_int_eq(parse("--", NULL), 0);
	ck_assert_uint_eq(npos, 0);
	fails_with(parse("--", "a", "b", "c", "d", NULL), "unexpected argument 'd'");
}
END_TEST

START_TEST(mistakes)
{
	fails_with(parse("a", "--name", NULL), "option '--name' needs a value (see memvisor test --help)");
	fails_with(parse("--bogus", NULL), "unknown option '--bogus'");
	fails_with(parse("--bogus=1", "a", NULL), "unknown option '--bogus");
	fails_with(parse("-x", NULL), "unknown option '-x'");
	fails_with(parse("--wait=1", NULL), "option '--wait=1' takes no value");
	fails_with(parse("--help=1", NULL), "option '--help=1' takes no value");
	fails_with(parse("a", "b", "c", "d", NULL), "unexpected argument 'd' (see memvisor test --help)");
	fails_with(parse("--name", "bad", NULL), "--name: 'bad' is not a name");
	/* after a mistake, the next parse starts afresh */
	ck_assert_int_eq(parse("z", "--wait", NULL), 0);
	ck_assert_uint_eq(npos, 1);
	ck_assert_str_eq(seen.log, "2=;");
}
END_TEST

/* Run cli_parse with stdout in a file; return what it printed. */
static const char *parse_output(int *ret, const char *arg)
{
	static char out[4096];
	struct capture c;

	capture_begin(&c);
	*ret = parse("a", arg, "--name", "bad", NULL);
	capture_end(&c, out, sizeof(out));
	return out;
}

START_TEST(help_from_the_tables)
{
	const char *out;
	int ret;

	out = parse_output(&ret, "--help");
	ck_assert_int_eq(ret, 1);               /* before the bad value */
	ck_assert_msg(strstr(out, "usage: memvisor test [options] A B\nTests the parser.\n"), "%s", out);
	ck_assert_msg(strstr(out, "  --name NAME           a value\n"), "%s", out);
	ck_assert_msg(strstr(out, "  --wait                a flag\n"), "%s", out);
	ck_assert_msg(strstr(out, "  --timeout SEC         two lines\n"
				  "                        of help\n"), "%s", out);
	ck_assert_msg(strstr(out, "Device options:\n  --slots N"), "%s", out);
	ck_assert_msg(strstr(out, "  --help                this text\n"), "%s", out);
	out = parse_output(&ret, "-h");
	ck_assert_int_eq(ret, 1);
	ck_assert_msg(strstr(out, "--slots N"), "%s", out);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, flags_anywhere);
	tcase_add_test(tc, double_dash);
	tcase_add_test(tc, mistakes);
	tcase_add_test(tc, help_from_the_tables);
	suite_add_tcase(s, tc);
	return s;
}
