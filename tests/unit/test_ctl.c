/*
 * memvisor ctl (tools/ctl): argument parsing, the _OST vocabulary, then
 * the client for real against memvisor's QMP server and hotplug commands on
 * a temporary socket, with the test playing the guest through the hotplug
 * registers: --wait for an add, a refused removal, an eject, a removal that
 * outlasts --wait, a stale backend, two removals of one DIMM at once.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotplug/hotplug_internal.h"
#include "tests/unit/capture.h"
#include "tools/ctl/ctl_internal.h"
#include "vmm/memory.h"
#include "vmm/platform.h"
#include "vmm/qmp.h"

extern Suite *ctl_suite(void);

/* ------------------------------------------------------------ parsing */

static int parse(struct ctl_args *a, struct errmsg *e, ...)
{
	char *argv[16] = { "ctl" };
	int argc = 1;
	va_list ap;

	va_start(ap, e);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(e, 0, sizeof(*e));
	return ctl_parse_args(argc, argv, a, e);
}

START_TEST(parse_commands)
{
	struct ctl_args a;
	struct errmsg e;

	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "dimm", "add", "512M",
			       "--node", "1", "--id", "d1", "--wait", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_DIMM_ADD);
	ck_assert_uint_eq(a.size, 512 * MiB);
	ck_assert_uint_eq(a.node, 1);
	ck_assert_str_eq(a.id, "d1");
	ck_assert_int_eq(a.wait, 1);
	ck_assert_uint_eq(a.timeout, 10);
	ck_assert_str_eq(a.qmp, "/s");
	ck_assert_int_eq(parse(&a, &e, "--qmp=/s", "--timeout=3", "dimm", "del",
			       "d1", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_DIMM_DEL);
	ck_assert_uint_eq(a.timeout, 3);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "dimm", "list", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_DIMM_LIST);
	ck_assert_int_eq(parse(&a, &e, "status", "--qmp", "/s", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_STATUS);
}
END_TEST

START_TEST(parse_balloon)
{
	struct ctl_args a;
	struct errmsg e;
	uint64_t t;

	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_BALLOON_QUERY);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "384M", "--wait", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_BALLOON_SET);
	ck_assert_uint_eq(a.size, 384 * MiB);
	ck_assert(!a.by && a.wait);
	ck_assert_int_eq(ctl_balloon_target(&a, 512 * MiB, &t, &e), 0);
	ck_assert_uint_eq(t, 384 * MiB);
	ck_assert_int_eq(ctl_balloon_target(&a, 256 * MiB, &t, &e), -EINVAL);
	ck_assert(e.user && strstr(e.msg, "more than the guest's 256M"));
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "--by", "1G", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_BALLOON_SET);
	ck_assert(a.by);
	ck_assert_int_eq(ctl_balloon_target(&a, 3 * GiB, &t, &e), 0);
	ck_assert_uint_eq(t, 2 * GiB);
	ck_assert_int_eq(ctl_balloon_target(&a, 1 * GiB, &t, &e), -EINVAL);
	ck_assert(e.user && strstr(e.msg, "the guest has only 1G"));
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "--by", "0", NULL), 0);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "stats", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_BALLOON_STATS);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "auto", "off", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_BALLOON_AUTO);
	ck_assert(!a.auto_on && !a.policy_given);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "balloon", "auto", "on",
			       "free-host-min=1G,step=64M", NULL), 0);
	ck_assert(a.auto_on && a.policy_given);
	ck_assert_uint_eq(a.policy.free_min, GiB);
	ck_assert_uint_eq(a.policy.step, 64 * MiB);
	ck_assert_str_eq(ctl_balloon_wait_state(5, 5, 99999, 10), "reached");
	ck_assert_str_eq(ctl_balloon_wait_state(4, 5, 9, 10), "still in progress");
	ck_assert_str_eq(ctl_balloon_wait_state(4, 5, 10, 10), "stopped");
}
END_TEST

static void parse_fails(const char *part, ...)
{
	char *argv[16] = { "ctl" };
	struct ctl_args a;
	struct errmsg e = { .msg = "" };
	int argc = 1;
	va_list ap;

	va_start(ap, part);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	ck_assert_int_eq(ctl_parse_args(argc, argv, &a, &e), -EINVAL);
	ck_assert_int_eq(e.user, 1);
	ck_assert_msg(strstr(e.msg, part), "'%s' not in '%s'", part, e.msg);
}

START_TEST(parse_rejects)
{
	parse_fails("no command", "--qmp", "/s", NULL);
	parse_fails("--qmp PATH or --connect URI --domain NAME is required", "status", NULL);
	parse_fails("needs a value", "status", "--qmp", NULL);
	parse_fails("needs a SIZE", "--qmp", "/s", "dimm", "add", NULL);
	parse_fails("needs an ID", "--qmp", "/s", "dimm", "del", NULL);
	parse_fails("invalid size 'lots'", "--qmp", "/s", "dimm", "add", "lots", NULL);
	parse_fails("unknown command 'dimm frob'", "--qmp", "/s", "dimm", "frob", NULL);
	parse_fails("unknown option '--force'", "--qmp", "/s", "--force", "status", NULL);
	parse_fails("--wait only goes", "--qmp", "/s", "dimm", "list", "--wait", NULL);
	parse_fails("--node only goes", "--qmp", "/s", "dimm", "del", "a", "--node", "1", NULL);
	parse_fails("--timeout", "--qmp", "/s", "--timeout", "0", "status", NULL);
	parse_fails("--id: DIMM id '9x' is not valid", "--qmp", "/s", "dimm", "add", "1G", "--id", "9x", NULL);
	parse_fails("dimm add: size 100M is not a multiple of 128M", "--qmp", "/s", "dimm", "add", "100M", NULL);
	parse_fails("dimm del: DIMM id", "--qmp", "/s", "dimm", "del", "a/b", NULL);
	parse_fails("needs a value", "--qmp", "/s", "status", "--timeout", NULL);
	parse_fails("takes no value", "--qmp", "/s", "dimm", "del", "a", "--wait=1", NULL);
	parse_fails("unexpected argument 'x'", "--qmp", "/s", "status", "x", NULL);
	parse_fails("balloon: invalid size '0'", "--qmp", "/s", "balloon", "0", NULL);
	parse_fails("balloon: invalid size 'lots'", "--qmp", "/s", "balloon", "lots", NULL);
	parse_fails("not a whole number of 4K pages", "--qmp", "/s", "balloon", "--by", "1001K", NULL);
	parse_fails("not a whole number of 4K pages", "--qmp", "/s", "balloon", "1001K", NULL);
	parse_fails("give SIZE or --by SIZE", "--qmp", "/s", "balloon", "1G", "--by", "1G", NULL);
	parse_fails("--by only goes with balloon", "--qmp", "/s", "status", "--by", "1G", NULL);
	parse_fails("--by only goes with balloon", "--qmp", "/s", "balloon", "stats", "--by", "1G", NULL);
	parse_fails("--wait only goes", "--qmp", "/s", "balloon", "stats", "--wait", NULL);
	parse_fails("balloon auto needs on or off", "--qmp", "/s", "balloon", "auto", NULL);
	parse_fails("'maybe' is not on or off", "--qmp", "/s", "balloon", "auto", "maybe", NULL);
	parse_fails("balloon auto off takes no settings", "--qmp", "/s", "balloon", "auto", "off", "step=1M", NULL);
	parse_fails("balloon auto: free-host-min=SIZE is required", "--qmp", "/s", "balloon", "auto", "on", "step=1M", NULL);
	parse_fails("unexpected argument 'x'", "--qmp", "/s", "balloon", "stats", "x", NULL);
}
END_TEST

/* --connect URI --domain NAME: libvirt instead of QMP. */
START_TEST(parse_connect)
{
	struct ctl_args a;
	struct errmsg e;

	ck_assert_int_eq(parse(&a, &e, "--connect", "qemu+ssh://h/system", "--domain",
			       "g", "dimm", "add", "128M", "--node", "1", NULL), 0);
	ck_assert_str_eq(a.connect, "qemu+ssh://h/system");
	ck_assert_str_eq(a.domain, "g");
	ck_assert_ptr_null(a.qmp);
	ck_assert_int_eq(a.cmd, CTL_DIMM_ADD);
	ck_assert_int_eq(parse(&a, &e, "--connect=qemu:///system", "--domain=g",
			       "console", NULL), 0);
	ck_assert_int_eq(a.cmd, CTL_CONSOLE);
	parse_fails("needs --domain NAME", "--connect", "qemu:///system", "status", NULL);
	parse_fails("--domain goes with --connect", "--domain", "g", "status", NULL);
	parse_fails("not both", "--qmp", "/s", "--connect", "u", "--domain", "g", "status", NULL);
	parse_fails("console needs --connect", "--qmp", "/s", "console", NULL);
	parse_fails("--connect: empty URI", "--connect=", "--domain", "g", "status", NULL);
	parse_fails("--domain: empty name", "--connect", "u", "--domain=", "status", NULL);
	parse_fails("unexpected argument 'x'", "--connect", "u", "--domain", "g",
		    "console", "x", NULL);
}
END_TEST

/* The id rule of hotplug/hotplug.h: 59 characters leave room for "mem-". */
START_TEST(parse_id_rule_and_help)
{
	char id59[60], id60[61];
	struct ctl_args a;
	struct errmsg e;

	memset(id60, 'd', 60);
	id60[60] = '\0';
	snprintf(id59, sizeof(id59), "%.59s", id60);
	ck_assert_int_eq(parse(&a, &e, "--qmp", "/s", "dimm", "add", "128M", "--id",
			       id59, NULL), 0);
	parse_fails("60 characters long, more than 59", "--qmp", "/s", "dimm", "add",
		    "128M", "--id", id60, NULL);
}
END_TEST

/* --help lists every command and flag (on stdout, here a file). */
START_TEST(help_lists_everything)
{
	const char *const words[] = { "dimm add SIZE", "dimm del ID", "dimm list",
		"status", "console", "--qmp PATH", "--connect URI", "--domain NAME",
		"--timeout SEC", "--id ID", "--node N",
		"--wait", "--help" };
	struct capture c;
	struct ctl_args a;
	struct errmsg e;
	char out[4096];
	unsigned int i;

	capture_begin(&c);
	ck_assert_int_eq(parse(&a, &e, "dimm", "add", "--help", NULL), 1);
	capture_end(&c, out, sizeof(out));
	for (i = 0; i < ARRAY_SIZE(words); i++)
		ck_assert_msg(strstr(out, words[i]), "%s not in %s", words[i], out);
}
END_TEST

START_TEST(sizes_have_units)
{
	char buf[32];

	ck_assert_str_eq(ctl_size(0, buf, sizeof(buf)), "0B");
	ck_assert_str_eq(ctl_size(128 * MiB, buf, sizeof(buf)), "128M");
	ck_assert_str_eq(ctl_size(3 * GiB, buf, sizeof(buf)), "3G");
	ck_assert_str_eq(ctl_size(1000, buf, sizeof(buf)), "1000B");
}
END_TEST

START_TEST(ost_words)
{
	ck_assert_str_eq(ctl_ost_meaning(3, 0x81), "device in use");
	ck_assert_str_eq(ctl_ost_meaning(0x103, 0x82), "device busy");
	ck_assert_str_eq(ctl_ost_meaning(1, 0x81), "device driver load failure");
	ck_assert_str_eq(ctl_ost_meaning(1, 1), "non-specific failure");
	ck_assert_str_eq(ctl_ost_meaning(3, 0x99), "unknown status");
	ck_assert_str_eq(ctl_dimm_state(0, 0, 0), "boot");
	ck_assert_str_eq(ctl_dimm_state(1, 0, 0), "waiting");
	ck_assert_str_eq(ctl_dimm_state(1, 1, 0), "acknowledged");
	ck_assert_str_eq(ctl_dimm_state(1, 3, 0x84), "removing");
	ck_assert_str_eq(ctl_dimm_state(1, 3, 0x81), "remove-refused");
	ck_assert_str_eq(ctl_dimm_state(1, 1, 0x82), "add-failed");
}
END_TEST

/* ------------------------------------------------------------ live */

static char dir[] = "/tmp/ctl-test-XXXXXX", sock[64];
static struct guest_mem mem;
static struct memhp *hp;
static struct qmp_server *srv;

static void live_setup(void)
{
	struct hotplug_config cfg;
	struct errmsg e = { .msg = "" };
	int err;

	/* ctl prints its results; keep the test log quiet when forked. */
	if (!getenv("CK_FORK") || strcmp(getenv("CK_FORK"), "no")) {
		ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
		ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	}
	strcpy(dir, "/tmp/ctl-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/qmp", dir);
	hotplug_config_init(&cfg);
	ck_assert_int_eq(hotplug_parse_slots(&cfg, "4", &e), 0);
	ck_assert_int_eq(hotplug_parse_maxmem(&cfg, "1G", &e), 0);
	ck_assert_int_eq(hotplug_config_finish(&cfg, 256 * MiB, &e), 0);
	ck_assert_int_eq(guest_mem_init(&mem, -1, 256 * MiB, &e), 0);
	hp = memhp_new(&mem, NULL, &cfg, &e);
	ck_assert_ptr_nonnull(hp);
	srv = qmp_server_create(sock, &err);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(hotplug_qmp_register(hp, srv), 0);
	ck_assert_int_eq(qmp_server_start(srv), 0);
}

static void live_teardown(void)
{
	qmp_server_destroy(srv);
	memhp_free(hp);
	guest_mem_destroy(&mem);
	rmdir(dir);
}

struct ctl_run {
	pthread_t thread;
	char *argv[16];
	int argc;
	int status;
};

static void *ctl_thread(void *arg)
{
	struct ctl_run *r = arg;

	r->status = ctl_main(r->argc, r->argv);
	return NULL;
}

/* Start `ctl --qmp SOCK --timeout 5 ARGS...` in a thread. */
static void ctl_start(struct ctl_run *r, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->argv[r->argc++] = "ctl";
	r->argv[r->argc++] = "--qmp";
	r->argv[r->argc++] = sock;
	r->argv[r->argc++] = "--timeout";
	r->argv[r->argc++] = "5";
	va_start(ap, r);
	while ((r->argv[r->argc] = va_arg(ap, char *)))
		r->argc++;
	va_end(ap);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, ctl_thread, r), 0);
}

static int ctl_join(struct ctl_run *r)
{
	pthread_join(r->thread, NULL);
	return r->status;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait until the host has set @bits in @slot's status, as the guest's
 * GPE handler would find them. */
static void guest_wait_status(unsigned int slot, uint8_t bits)
{
	int i;

	for (i = 0; i < 5000; i++) {
		memhp_io_write(hp, MEMHP_REG_SEL, 4, slot);
		if ((memhp_io_read(hp, MEMHP_REG_STATUS, 1) & bits) == bits)
			return;
		sleep_ms(1);
	}
	ck_abort_msg("slot %u never got status 0x%x", slot, bits);
}

static void guest_ost(unsigned int slot, uint32_t ev, uint32_t status)
{
	memhp_io_write(hp, MEMHP_REG_SEL, 4, slot);
	memhp_io_write(hp, MEMHP_REG_OST_EVENT, 4, ev);
	memhp_io_write(hp, MEMHP_REG_OST_STATUS, 4, status);
}

START_TEST(live_add_wait_and_refused_removal)
{
	struct ctl_run r;

	ctl_start(&r, "dimm", "add", "256M", "--id", "d1", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_ENABLED | MEMHP_STS_INSERT);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_INSERT);
	guest_ost(0, 0x01, 0x80);               /* in progress: keep waiting */
	sleep_ms(50);
	guest_ost(0, 0x01, 0);                  /* done */
	ck_assert_int_eq(ctl_join(&r), 0);
	ck_assert_uint_eq(memhp_plugged_size(hp), 256 * MiB);

	ctl_start(&r, "dimm", "del", "d1", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	guest_ost(0, 0x03, 0x84);               /* ejection in progress */
	sleep_ms(50);
	guest_ost(0, 0x03, 0x81);               /* device in use: refused */
	ck_assert_int_eq(ctl_join(&r), 1);
	ck_assert_uint_eq(memhp_plugged_size(hp), 256 * MiB);
}
END_TEST

START_TEST(live_del_wait_ejects_and_frees)
{
	struct ctl_run r;
	struct qmp_error err;
	json_t *ret;

	ctl_start(&r, "dimm", "add", "128M", NULL);         /* id dimm0 */
	ck_assert_int_eq(ctl_join(&r), 0);
	ck_assert_uint_eq(memhp_plugged_size(hp), 128 * MiB);

	ctl_start(&r, "dimm", "del", "dimm0", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT);
	ck_assert_int_eq(ctl_join(&r), 0);
	ck_assert_uint_eq(memhp_plugged_size(hp), 0);
	/* ctl deleted the backend after DEVICE_DELETED. */
	ret = memhp_qmp_call(hp, "object-del", json_pack("{s:s}", "id", "mem-dimm0"),
			     &err);
	ck_assert_ptr_null(ret);
	ck_assert_msg(strstr(err.desc, "not found"), "%s", err.desc);
}
END_TEST

START_TEST(live_wait_times_out)
{
	struct ctl_run r;

	ctl_start(&r, "--timeout", "1", "dimm", "add", "128M", "--wait", NULL);
	ck_assert_int_eq(ctl_join(&r), 1);
	/* The DIMM stays. */
	ck_assert_uint_eq(memhp_plugged_size(hp), 128 * MiB);
	ctl_start(&r, "dimm", "add", "128M", "--id", "dimm0", NULL);
	ck_assert_int_eq(ctl_join(&r), 1);      /* exists */
	ctl_start(&r, "dimm", "add", "1G", NULL);
	ck_assert_int_eq(ctl_join(&r), 1);      /* over maxmem */
	ctl_start(&r, "dimm", "list", NULL);
	ck_assert_int_eq(ctl_join(&r), 0);
}
END_TEST

/* Plug DIMM @id (128M) with no --wait; the guest does not answer. */
static void plug(const char *id)
{
	struct ctl_run r;

	ctl_start(&r, "dimm", "add", "128M", "--id", id, NULL);
	ck_assert_int_eq(ctl_join(&r), 0);
}

/* --wait runs out while the guest is still removing: status 1, nothing
 * freed; the guest ejects later; then `dimm add` of the same id finds the
 * stale backend mem-ID, replaces it, and succeeds. */
START_TEST(live_del_outlasts_wait_then_add_again)
{
	struct ctl_run r;

	plug("s1");
	ctl_start(&r, "--timeout", "1", "dimm", "del", "s1", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	guest_ost(0, 0x103, 0x84);              /* ejection in progress */
	ck_assert_int_eq(ctl_join(&r), 1);
	ck_assert_uint_eq(memhp_plugged_size(hp), 128 * MiB);
	memhp_io_write(hp, MEMHP_REG_SEL, 4, 0);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT);
	ck_assert_uint_eq(memhp_plugged_size(hp), 0);
	ctl_start(&r, "dimm", "add", "256M", "--id", "s1", NULL);
	ck_assert_int_eq(ctl_join(&r), 0);      /* stale mem-s1 replaced */
	ck_assert_uint_eq(memhp_plugged_size(hp), 256 * MiB);
}
END_TEST

/* A backend in use is not stale: dimm add reports the VMM's refusal. */
START_TEST(live_add_keeps_used_backend)
{
	struct qmp_error err;
	struct ctl_run r;
	json_t *ret;

	plug("u1");
	ret = memhp_qmp_call(hp, "device_del", json_pack("{s:s}", "id", "u1"), &err);
	ck_assert_ptr_nonnull(ret);
	json_decref(ret);
	/* a DIMM named otherwise using "mem-u2" */
	ret = memhp_qmp_call(hp, "object-add", json_pack("{s:s, s:s, s:I}",
			     "qom-type", "memory-backend-ram", "id", "mem-u2",
			     "size", (json_int_t)(128 * MiB)), &err);
	ck_assert_ptr_nonnull(ret);
	json_decref(ret);
	ret = memhp_qmp_call(hp, "device_add", json_pack("{s:s, s:s, s:s}",
			     "driver", "pc-dimm", "id", "other", "memdev", "mem-u2"), &err);
	ck_assert_ptr_nonnull(ret);
	json_decref(ret);
	ctl_start(&r, "dimm", "add", "128M", "--id", "u2", NULL);
	ck_assert_int_eq(ctl_join(&r), 1);
	ck_assert_uint_eq(memhp_plugged_size(hp), 256 * MiB);
}
END_TEST

/* Two `dimm del --wait` of one DIMM: each reports the eject, status 0. */
START_TEST(live_two_removals_at_once)
{
	struct ctl_run r1, r2;
	struct qmp_error err;

	plug("t1");
	ctl_start(&r1, "dimm", "del", "t1", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	ctl_start(&r2, "dimm", "del", "t1", "--wait", NULL);
	guest_wait_status(0, MEMHP_STS_REMOVE);         /* the second request */
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_CLR_REMOVE);
	memhp_io_write(hp, MEMHP_REG_CTRL, 1, MEMHP_CTRL_EJECT);
	ck_assert_int_eq(ctl_join(&r1), 0);
	ck_assert_int_eq(ctl_join(&r2), 0);
	ck_assert_uint_eq(memhp_plugged_size(hp), 0);
	ck_assert_ptr_null(memhp_qmp_call(hp, "object-del",
					  json_pack("{s:s}", "id", "mem-t1"), &err));
}
END_TEST

Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *parse_tc = tcase_create("parse");
	TCase *live_tc = tcase_create("live");

	tcase_add_test(parse_tc, parse_commands);
	tcase_add_test(parse_tc, parse_rejects);
	tcase_add_test(parse_tc, parse_connect);
	tcase_add_test(parse_tc, parse_balloon);
	tcase_add_test(parse_tc, ost_words);
	tcase_add_test(parse_tc, parse_id_rule_and_help);
	tcase_add_test(parse_tc, sizes_have_units);
	tcase_add_test(parse_tc, help_lists_everything);
	tcase_add_checked_fixture(live_tc, live_setup, live_teardown);
	tcase_set_timeout(live_tc, 20);
	tcase_add_test(live_tc, live_add_wait_and_refused_removal);
	tcase_add_test(live_tc, live_del_wait_ejects_and_frees);
	tcase_add_test(live_tc, live_wait_times_out);
	tcase_add_test(live_tc, live_del_outlasts_wait_then_add_again);
	tcase_add_test(live_tc, live_add_keeps_used_backend);
	tcase_add_test(live_tc, live_two_removals_at_once);
	suite_add_tcase(s, parse_tc);
	suite_add_tcase(s, live_tc);
	return s;
}
