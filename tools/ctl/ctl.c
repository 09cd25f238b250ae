/*
 * memvisor ctl: DIMM hotplug from the command line, over QMP.
 *
 * Four commands built only from QEMU's QMP commands and events (sent with
 * the client in vmm/qmp_client.c), so they work unchanged against memvisor
 * and QEMU:
 *
 *   dimm add   object-add memory-backend-ram "mem-ID" + device_add pc-dimm;
 *              --wait: until ACPI_DEVICE_OST reports the guest's success
 *   dimm del   device_del; --wait: until DEVICE_DELETED (or an _OST
 *              failure: the guest's refusal), then object-del "mem-ID"
 *   dimm list  query-memory-devices + query-acpi-ospm-status
 *   status     query-status + query-memory-size-summary
 *
 * Every wait (connect, answers, events) is bounded by --timeout seconds.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ctl/ctl.h"
#include "tools/qmp/qmp_client.h"
#include "vmm/types.h"
#include "vmm/util.h"

#define EXIT_FAIL  1
#define EXIT_USAGE 2
#define CTL_DEFAULT_TIMEOUT 10

/* ACPI _OST source events and status codes (ACPI 6.x, 6.3.5). */
#define OST_EV_DEVICE_CHECK   0x01
#define OST_EV_EJECT_REQUEST  0x03
#define OST_EV_OSPM_EJECT     0x103
#define OST_EV_OSPM_INSERT    0x200
#define OST_SC_SUCCESS        0x00
#define OST_SC_INSERT_IN_PROGRESS 0x80
#define OST_SC_EJECT_IN_PROGRESS  0x84

static const char usage[] =
"usage: memvisor ctl --qmp PATH [--timeout SEC] COMMAND\n"
"  dimm add SIZE [--node N] [--id ID] [--wait]\n"
"                     hot-add a DIMM (SIZE a multiple of 128M); --wait\n"
"                     until the guest has added it\n"
"  dimm del ID [--wait] ask the guest to eject DIMM ID; --wait until it\n"
"                     has, then delete its memory backend\n"
"  dimm list          the DIMMs: id, slot, base, size, node, state\n"
"  status             VM status and memory sizes\n"
"  --timeout SEC      how long to wait for the VMM or the guest (default 10)\n";


/* ------------------------------------------------------------ helpers */

static int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("memvisor ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static json_int_t jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* ------------------------------------------------------------ OST */

const char *ctl_ost_meaning(uint32_t source, uint32_t status)
{
	static const char *const general[] = {
		"success", "non-specific failure", "unrecognized notify",
	};
	static const char *const eject[] = {
		"eject not supported", "device in use", "device busy",
		"eject dependency busy", "ejection in progress",
	};
	static const char *const insert[] = {
		"insertion in progress", "device driver load failure",
		"insertion not supported",
	};
	bool is_eject = source == OST_EV_EJECT_REQUEST || source == OST_EV_OSPM_EJECT;
	bool is_insert = source == OST_EV_DEVICE_CHECK || source == OST_EV_OSPM_INSERT;

	if (status < ARRAY_SIZE(general))
		return general[status];
	if (is_eject && status - 0x80 < ARRAY_SIZE(eject))
		return eject[status - 0x80];
	if (is_insert && status - 0x80 < ARRAY_SIZE(insert))
		return insert[status - 0x80];
	return "unknown status";
}

static bool ost_is_eject(uint32_t source)
{
	return source == OST_EV_EJECT_REQUEST || source == OST_EV_OSPM_EJECT;
}

const char *ctl_dimm_state(int hotplugged, uint32_t source, uint32_t status)
{
	if (!source && !status)
		return hotplugged ? "waiting" : "boot";
	if (ost_is_eject(source))
		return status == OST_SC_SUCCESS || status == OST_SC_EJECT_IN_PROGRESS ?
		       "removing" : "remove-refused";
	if (status == OST_SC_SUCCESS)
		return "online";
	return status == OST_SC_INSERT_IN_PROGRESS ? "adding" : "add-failed";
}

/* An OST failure (not success, not "in progress") for @source's kind. */
static bool ost_failed(uint32_t source, uint32_t status)
{
	if (status == OST_SC_SUCCESS)
		return false;
	return ost_is_eject(source) ? status != OST_SC_EJECT_IN_PROGRESS :
				      status != OST_SC_INSERT_IN_PROGRESS;
}

/* ------------------------------------------------------------ dimm add */

struct ost_wait {
	const char *id;
	bool eject;             /* removal: DEVICE_DELETED or eject OST */
};

/* ACPI_DEVICE_OST about our device and of the kind we wait for (an
 * insertion's final answer, an eject's failure), or our DEVICE_DELETED. */
static bool match_dimm_event(json_t *ev, const void *arg)
{
	const struct ost_wait *w = arg;
	const char *name = jstr(ev, "event");
	json_t *data = json_object_get(ev, "data");
	json_t *info = json_object_get(data, "info");

	if (!strcmp(name, "DEVICE_DELETED"))
		return w->eject && !strcmp(jstr(data, "device"), w->id);
	if (strcmp(name, "ACPI_DEVICE_OST") || strcmp(jstr(info, "device"), w->id))
		return false;
	if (w->eject)
		return ost_is_eject(jint(info, "source")) &&
		       ost_failed(jint(info, "source"), jint(info, "status"));
	return !ost_is_eject(jint(info, "source")) &&
	       jint(info, "status") != OST_SC_INSERT_IN_PROGRESS;
}

/* The query-memory-devices entry ("data") of DIMM @id, new reference. */
static json_t *find_dimm(struct qmpc *c, const char *id, struct errmsg *e)
{
	json_t *list = NULL, *d, *found = NULL;
	size_t i;

	if (qmpc_execute(c, "query-memory-devices", NULL, &list, e))
		return NULL;
	json_array_foreach(list, i, d)
		if (!strcmp(jstr(json_object_get(d, "data"), "id"), id))
			found = json_incref(json_object_get(d, "data"));
	json_decref(list);
	return found;
}

/* The first "dimmN" no DIMM uses. */
static int pick_id(struct qmpc *c, char *id, size_t len, struct errmsg *e)
{
	json_t *d;
	int n;

	for (n = 0; n < 1024; n++) {
		snprintf(id, len, "dimm%d", n);
		d = find_dimm(c, id, e);
		if (!d)
			return e->msg[0] ? -EREMOTEIO : 0;
		json_decref(d);
	}
	return errmsg_set(e, -ENOSPC, "no free DIMM id");
}

static void print_dimm(json_t *d)
{
	char sz[32];

	printf("dimm %s: slot %lld, base 0x%llx, size %s, node %lld\n",
	       jstr(d, "id"), (long long)jint(d, "slot"),
	       (unsigned long long)jint(d, "addr"),
	       format_size(jint(d, "size"), sz, sizeof(sz)),
	       (long long)jint(d, "node"));
}

/* --wait for the guest's answer to the insertion of @id. */
static int wait_added(struct qmpc *c, const char *id, double t0)
{
	struct ost_wait w = { .id = id };
	struct errmsg e = { .msg = "" };
	json_t *ev, *info;
	int r = qmpc_wait_event(c, match_dimm_event, &w, qmpc_now_ms() + qmpc_timeout_ms(c), &ev);
	uint32_t src, st;

	if (r == 0)
		return fail(EXIT_FAIL, "the guest did not acknowledge dimm %s within %lld s (it stays plugged; remove it with 'dimm del %s')",
			    id, (long long)qmpc_timeout_ms(c) / 1000, id);
	if (r < 0)
		return qmpc_lost(&e, r), fail(EXIT_FAIL, "%s", e.msg);
	info = json_object_get(json_object_get(ev, "data"), "info");
	src = jint(info, "source");
	st = jint(info, "status");
	json_decref(ev);
	if (st != OST_SC_SUCCESS)
		return fail(EXIT_FAIL, "the guest failed to add dimm %s: %s (_OST event 0x%x, status 0x%x)",
			    id, ctl_ost_meaning(src, st), src, st);
	printf("dimm %s: added by the guest in %.3f ms\n", id, qmpc_now_ms_f() - t0);
	return 0;
}

static int cmd_dimm_add(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" };
	char id[64], memdev[80];
	json_t *d;
	double t0;

	if (a->id) {
		snprintf(id, sizeof(id), "%s", a->id);
		d = find_dimm(c, id, &e);
		json_decref(d);
		if (d)
			return fail(EXIT_FAIL, "dimm %s already exists", id);
		if (e.msg[0])
			return fail(EXIT_FAIL, "%s", e.msg);
	} else if (pick_id(c, id, sizeof(id), &e)) {
		return fail(EXIT_FAIL, "%s", e.msg);
	}
	snprintf(memdev, sizeof(memdev), "mem-%s", id);
	if (qmpc_execute(c, "object-add",
			 json_pack("{s:s, s:s, s:I}", "qom-type", "memory-backend-ram",
				   "id", memdev, "size", (json_int_t)a->size), NULL, &e))
		return fail(EXIT_FAIL, "%s", e.msg);
	t0 = qmpc_now_ms_f();
	if (qmpc_execute(c, "device_add",
			 json_pack("{s:s, s:s, s:s, s:i}", "driver", "pc-dimm", "id", id,
				   "memdev", memdev, "node", (int)a->node), NULL, &e)) {
		struct errmsg ignored = { .msg = "" };

		qmpc_execute(c, "object-del", json_pack("{s:s}", "id", memdev),
			     NULL, &ignored);
		return fail(EXIT_FAIL, "%s", e.msg);
	}
	d = find_dimm(c, id, &e);
	if (d)
		print_dimm(d);
	json_decref(d);
	return a->wait ? wait_added(c, id, t0) : 0;
}

/* ------------------------------------------------------------ dimm del */

static int delete_backend(struct qmpc *c, const char *memdev)
{
	struct errmsg e = { .msg = "" };

	if (qmpc_execute(c, "object-del", json_pack("{s:s}", "id", memdev), NULL, &e))
		return fail(EXIT_FAIL, "%s", e.msg);
	return 0;
}

/* --wait for DEVICE_DELETED, or the guest's refusal. */
static int wait_deleted(struct qmpc *c, const char *id, const char *memdev,
			double t0)
{
	struct ost_wait w = { .id = id, .eject = true };
	struct errmsg e = { .msg = "" };
	json_t *ev, *info;
	uint32_t src, st;
	int r = qmpc_wait_event(c, match_dimm_event, &w, qmpc_now_ms() + qmpc_timeout_ms(c), &ev);

	if (r == 0)
		return fail(EXIT_FAIL, "the guest did not eject dimm %s within %lld s; it stays plugged and nothing was freed",
			    id, (long long)qmpc_timeout_ms(c) / 1000);
	if (r < 0)
		return qmpc_lost(&e, r), fail(EXIT_FAIL, "%s", e.msg);
	if (!strcmp(jstr(ev, "event"), "ACPI_DEVICE_OST")) {
		info = json_object_get(json_object_get(ev, "data"), "info");
		src = jint(info, "source");
		st = jint(info, "status");
		json_decref(ev);
		return fail(EXIT_FAIL, "the guest refused to remove dimm %s: %s (_OST event 0x%x, status 0x%x); it stays plugged",
			    id, ctl_ost_meaning(src, st), src, st);
	}
	json_decref(ev);
	printf("dimm %s: ejected by the guest in %.3f ms\n", id, qmpc_now_ms_f() - t0);
	return memdev[0] ? delete_backend(c, memdev) : 0;
}

static int cmd_dimm_del(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" };
	char memdev[80] = "";
	json_t *d = find_dimm(c, a->id, &e);
	double t0;

	if (!d && e.msg[0])
		return fail(EXIT_FAIL, "%s", e.msg);
	if (!d) {
		/* Ejected after a del without --wait: only the backend is left. */
		snprintf(memdev, sizeof(memdev), "mem-%s", a->id);
		if (qmpc_execute(c, "object-del", json_pack("{s:s}", "id", memdev), NULL, &e))
			return fail(EXIT_FAIL, "dimm '%s' not found", a->id);
		printf("dimm %s: already ejected; deleted its backend %s\n", a->id, memdev);
		return 0;
	}
	if (!strncmp(jstr(d, "memdev"), "/objects/", 9))
		snprintf(memdev, sizeof(memdev), "%s", jstr(d, "memdev") + 9);
	json_decref(d);
	t0 = qmpc_now_ms_f();
	if (qmpc_execute(c, "device_del", json_pack("{s:s}", "id", a->id), NULL, &e))
		return fail(EXIT_FAIL, "%s", e.msg);
	if (a->wait)
		return wait_deleted(c, a->id, memdev, t0);
	printf("dimm %s: removal requested; the guest ejects it (then 'dimm del %s' deletes backend %s)\n",
	       a->id, a->id, memdev);
	return 0;
}

/* ------------------------------------------------------------ list, status */

/* query-acpi-ospm-status entry for @slot, borrowed from @ost. */
static json_t *ost_for_slot(json_t *ost, json_int_t slot)
{
	char num[24];
	json_t *o;
	size_t i;

	snprintf(num, sizeof(num), "%lld", (long long)slot);
	json_array_foreach(ost, i, o)
		if (!strcmp(jstr(o, "slot"), num))
			return o;
	return NULL;
}

static int cmd_dimm_list(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	json_t *list = NULL, *ost = NULL, *d, *o;
	char sz[32];
	size_t i;

	if (qmpc_execute(c, "query-memory-devices", NULL, &list, &e) ||
	    qmpc_execute(c, "query-acpi-ospm-status", NULL, &ost, &e)) {
		json_decref(list);
		return fail(EXIT_FAIL, "%s", e.msg);
	}
	printf("%-16s %4s  %-18s  %6s  %4s  %s\n", "ID", "SLOT", "BASE", "SIZE",
	       "NODE", "STATE");
	json_array_foreach(list, i, d) {
		d = json_object_get(d, "data");
		o = ost_for_slot(ost, jint(d, "slot"));
		printf("%-16s %4lld  0x%016llx  %6s  %4lld  %s\n",
		       json_object_get(d, "id") ? jstr(d, "id") : "-",
		       (long long)jint(d, "slot"), (unsigned long long)jint(d, "addr"),
		       format_size(jint(d, "size"), sz, sizeof(sz)),
		       (long long)jint(d, "node"),
		       ctl_dimm_state(json_is_true(json_object_get(d, "hotplugged")),
				      jint(o, "source"), jint(o, "status")));
	}
	json_decref(list);
	json_decref(ost);
	return 0;
}

static int cmd_status(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	json_t *st = NULL, *sum = NULL;
	char sz[32];

	if (qmpc_execute(c, "query-status", NULL, &st, &e) ||
	    qmpc_execute(c, "query-memory-size-summary", NULL, &sum, &e)) {
		json_decref(st);
		return fail(EXIT_FAIL, "%s", e.msg);
	}
	printf("status: %s\n", jstr(st, "status"));
	printf("base memory: %s\n", format_size(jint(sum, "base-memory"), sz, sizeof(sz)));
	if (json_object_get(sum, "plugged-memory"))
		printf("plugged memory: %s\n",
		       format_size(jint(sum, "plugged-memory"), sz, sizeof(sz)));
	json_decref(st);
	json_decref(sum);
	return 0;
}

/* ------------------------------------------------------------ arguments */

static bool id_ok(const char *id)
{
	size_t i, len = strlen(id);

	if (!len || len > 60 || !isalpha((unsigned char)id[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("-._", id[i]))
			return false;
	return true;
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL if @arg is not
 * --@name. *@i moves past a separate value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
			     struct errmsg *e, int *err)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) || (argv[*i][n] && argv[*i][n] != '='))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 < argc)
		return argv[++*i];
	*err = errmsg_user(e, -EINVAL, "option '%s' needs a value", name);
	return NULL;
}

static int parse_option(int argc, char **argv, int *i, struct ctl_args *a,
			struct errmsg *e)
{
	unsigned long n;
	const char *v;
	int err = 0;

	if (!strcmp(argv[*i], "--wait"))
		return a->wait = 1, 0;
	if ((v = opt_value(argc, argv, i, "--qmp", e, &err)))
		return a->qmp = v, 0;
	if ((v = opt_value(argc, argv, i, "--id", e, &err))) {
		if (!id_ok(v))
			return errmsg_user(e, -EINVAL, "--id: '%s' is not a valid id (a letter, then letters, digits, '-', '.' or '_')", v);
		return a->id = v, 0;
	}
	if ((v = opt_value(argc, argv, i, "--timeout", e, &err))) {
		if (parse_uint(v, 1, 3600, &n))
			return errmsg_user(e, -EINVAL, "--timeout: '%s' is not a number of seconds from 1 to 3600", v);
		return a->timeout = n, 0;
	}
	if ((v = opt_value(argc, argv, i, "--node", e, &err))) {
		if (parse_uint(v, 0, 255, &n))
			return errmsg_user(e, -EINVAL, "--node: '%s' is not a node number", v);
		return a->node = n, 0;
	}
	return err ? err : errmsg_user(e, -EINVAL, "unknown option '%s' (see memvisor ctl --help)",
				       argv[*i]);
}

/* The command from its words; checks which options go with it. */
static int parse_command(const char **pos, int npos, struct ctl_args *a,
			 bool has_id, bool has_node, struct errmsg *e)
{
	bool dimm = npos >= 2 && !strcmp(pos[0], "dimm");
	int need = 1;

	if (!npos)
		return errmsg_user(e, -EINVAL, "no command given (dimm add, dimm del, dimm list or status)");
	if (dimm && !strcmp(pos[1], "add"))
		a->cmd = CTL_DIMM_ADD, need = 3;
	else if (dimm && !strcmp(pos[1], "del"))
		a->cmd = CTL_DIMM_DEL, need = 3;
	else if (dimm && !strcmp(pos[1], "list"))
		a->cmd = CTL_DIMM_LIST, need = 2;
	else if (!strcmp(pos[0], "status"))
		a->cmd = CTL_STATUS;
	else
		return errmsg_user(e, -EINVAL, "unknown command '%s%s%s' (dimm add, dimm del, dimm list or status)",
				   pos[0], npos > 1 ? " " : "", npos > 1 ? pos[1] : "");
	if (npos < need)
		return errmsg_user(e, -EINVAL, "dimm %s needs %s", pos[1],
				   a->cmd == CTL_DIMM_ADD ? "a SIZE" : "an ID");
	if (npos > need)
		return errmsg_user(e, -EINVAL, "unexpected argument '%s'", pos[need]);
	if ((has_id || has_node) && a->cmd != CTL_DIMM_ADD)
		return errmsg_user(e, -EINVAL, "--%s only goes with dimm add", has_id ? "id" : "node");
	if (a->wait && a->cmd != CTL_DIMM_ADD && a->cmd != CTL_DIMM_DEL)
		return errmsg_user(e, -EINVAL, "--wait only goes with dimm add or dimm del");
	if (a->cmd == CTL_DIMM_DEL) {
		if (!id_ok(pos[2]))
			return errmsg_user(e, -EINVAL, "'%s' is not a valid DIMM id", pos[2]);
		a->id = pos[2];
	}
	if (a->cmd == CTL_DIMM_ADD && (parse_size(pos[2], 20, &a->size) || !a->size))
		return errmsg_user(e, -EINVAL, "invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 512M)",
				   pos[2]);
	return 0;
}

int ctl_parse_args(int argc, char **argv, struct ctl_args *a, struct errmsg *e)
{
	const char *pos[4];
	int i, npos = 0, ret;
	bool has_id = false, has_node = false;

	*a = (struct ctl_args){ .timeout = CTL_DEFAULT_TIMEOUT };
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			if (npos == ARRAY_SIZE(pos))
				return errmsg_user(e, -EINVAL, "unexpected argument '%s'", argv[i]);
			pos[npos++] = argv[i];
			continue;
		}
		has_id |= !strncmp(argv[i], "--id", 4);
		has_node |= !strncmp(argv[i], "--node", 6);
		ret = parse_option(argc, argv, &i, a, e);
		if (ret)
			return ret;
	}
	ret = parse_command(pos, npos, a, has_id, has_node, e);
	if (!ret && !a->qmp)
		ret = errmsg_user(e, -EINVAL, "--qmp PATH is required (the VMM's QMP socket)");
	return ret;
}

/* ------------------------------------------------------------ main */

static int run(struct qmpc *c, const struct ctl_args *a)
{
	switch (a->cmd) {
	case CTL_DIMM_ADD:  return cmd_dimm_add(c, a);
	case CTL_DIMM_DEL:  return cmd_dimm_del(c, a);
	case CTL_DIMM_LIST: return cmd_dimm_list(c);
	case CTL_STATUS:    return cmd_status(c);
	default:            return EXIT_USAGE;
	}
}

int ctl_main(int argc, char **argv)
{
	struct errmsg e = { .msg = "" };
	struct ctl_args a;
	struct qmpc *c;
	int i, ret;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return fputs(usage, stdout), 0;
	if (ctl_parse_args(argc, argv, &a, &e))
		return fail(EXIT_USAGE, "%s", e.msg);
	signal(SIGPIPE, SIG_IGN);
	c = qmpc_open(a.qmp, a.timeout * 1000ll, &e);
	if (!c)
		return fail(e.user ? EXIT_USAGE : EXIT_FAIL, "%s", e.msg);
	ret = run(c, &a);
	qmpc_close(c);
	return ret;
}
