/*
 * memvisor ctl: DIMM hotplug from the command line, over QMP.
 *
 * Four commands built only from QEMU's QMP commands and events (sent with
 * the client in tools/qmp), so they work unchanged against memvisor and
 * QEMU:
 *
 *   dimm add   object-add memory-backend-ram "mem-ID" + device_add pc-dimm;
 *              --wait: until ACPI_DEVICE_OST reports the guest's answer
 *   dimm del   device_del; --wait: until DEVICE_DELETED (or an _OST
 *              failure: the guest's refusal), then object-del "mem-ID"
 *   dimm list  query-memory-devices + query-acpi-ospm-status
 *   status     query-status + query-memory-size-summary + query-block,
 *              and the balloon
 *
 * and the balloon's (ctl_balloon.c): balloon [SIZE | --by SIZE | stats |
 * auto on|off], from QEMU's balloon, query-balloon, qom-get/qom-set, plus
 * memvisor's x-query-balloon-stats and x-balloon-policy where it has them.
 *
 * This file: the command line (vmm/cli tables), the _OST vocabulary, list
 * and status; ctl_dimm.c: add and del. ctl checks what it can before it
 * sends anything (the id and size rules of hotplug/hotplug.h, which QEMU
 * does not enforce), so a mistake is a usage error, not a guest's refusal.
 * Every wait (connect, answers, events) is bounded by --timeout seconds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "abi/memhp.h"
#include "hotplug/hotplug.h"
#include "ksm/ksm.h"
#include "tools/ctl/ctl_internal.h"
#include "vmm/cli.h"
#include "vmm/types.h"
#include "vmm/util.h"

#define CTL_DEFAULT_TIMEOUT 10
#define CTL_MAX_TIMEOUT     3600

/* ------------------------------------------------------------ helpers */

json_int_t ctl_jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

const char *ctl_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

const char *ctl_size(uint64_t bytes, char *buf, unsigned int len)
{
	size_t n;

	format_size(bytes, buf, len);
	n = strlen(buf);
	if (n && n + 1 < len && buf[n - 1] >= '0' && buf[n - 1] <= '9')
		strcpy(buf + n, "B");
	return buf;
}

int ctl_fail_msg(const struct errmsg *e)
{
	return cli_fail(CTL_NAME, EXIT_FAIL, "%s", e->msg);
}

json_t *ctl_find_dimm(struct qmpc *c, const char *id, struct errmsg *e)
{
	json_t *list = NULL, *d, *found = NULL;
	size_t i;

	if (qmpc_execute(c, "query-memory-devices", NULL, &list, e))
		return NULL;
	json_array_foreach(list, i, d)
		if (!found && !strcmp(ctl_jstr(json_object_get(d, "data"), "id"), id))
			found = json_incref(json_object_get(d, "data"));
	json_decref(list);
	return found;
}

/* ------------------------------------------------------------ OST */

bool ctl_ost_is_eject(uint32_t source)
{
	return source == ACPI_NOTIFY_EJECT_REQUEST || source == ACPI_OST_EC_OSPM_EJECT;
}

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
	bool is_insert = source == ACPI_NOTIFY_DEVICE_CHECK ||
			 source == ACPI_OST_EC_OSPM_INSERTION;

	if (status < ARRAY_SIZE(general))
		return general[status];
	if (ctl_ost_is_eject(source) && status - 0x80 < ARRAY_SIZE(eject))
		return eject[status - 0x80];
	if (is_insert && status - 0x80 < ARRAY_SIZE(insert))
		return insert[status - 0x80];
	return "unknown status";
}

/*
 * What QMP tells of a DIMM is the guest's last _OST answer, nothing more:
 * an insertion's success means the guest acknowledged the DIMM (a stock
 * Linux may still leave its blocks offline), so the column says so rather
 * than "online".
 */
const char *ctl_dimm_state(int hotplugged, uint32_t source, uint32_t status)
{
	if (!source && !status)
		return hotplugged ? "waiting" : "boot";
	if (ctl_ost_is_eject(source))
		return status == ACPI_OST_SC_SUCCESS ||
		       status == ACPI_OST_SC_EJECT_IN_PROGRESS ?
		       "removing" : "remove-refused";
	if (status == ACPI_OST_SC_SUCCESS)
		return "acknowledged";
	return status == ACPI_OST_SC_INSERT_IN_PROGRESS ? "adding" : "add-failed";
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
		if (!strcmp(ctl_jstr(o, "slot"), num))
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
		return ctl_fail_msg(&e);
	}
	printf("%-16s %4s  %-18s  %6s  %4s  %s\n", "ID", "SLOT", "BASE", "SIZE",
	       "NODE", "STATE");
	json_array_foreach(list, i, d) {
		d = json_object_get(d, "data");
		o = ost_for_slot(ost, ctl_jint(d, "slot"));
		printf("%-16s %4lld  0x%016llx  %6s  %4lld  %s\n",
		       json_object_get(d, "id") ? ctl_jstr(d, "id") : "-",
		       (long long)ctl_jint(d, "slot"),
		       (unsigned long long)ctl_jint(d, "addr"),
		       ctl_size(ctl_jint(d, "size"), sz, sizeof(sz)),
		       (long long)ctl_jint(d, "node"),
		       ctl_dimm_state(json_is_true(json_object_get(d, "hotplugged")),
				      ctl_jint(o, "source"), ctl_jint(o, "status")));
	}
	json_decref(list);
	json_decref(ost);
	return 0;
}

/* One line per disk with a medium (QEMU's pc also lists empty drives). */
static void print_disks(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	json_t *blk = NULL, *d, *ins, *img;
	char sz[32];
	size_t i;

	if (qmpc_execute(c, "query-block", NULL, &blk, &e))
		return;                 /* a VMM without disks support */
	json_array_foreach(blk, i, d) {
		ins = json_object_get(d, "inserted");
		if (!ins)
			continue;
		img = json_object_get(ins, "image");
		printf("disk %s: %s, %s, %s, %s\n", ctl_jstr(d, "device"),
		       ctl_jstr(ins, "file"),
		       ctl_size(ctl_jint(img, "virtual-size"), sz, sizeof(sz)),
		       ctl_jstr(ins, "drv"),
		       json_is_true(json_object_get(ins, "ro")) ? "read-only" :
								   "read-write");
	}
	json_decref(blk);
}

static int cmd_status(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	json_t *st = NULL, *sum = NULL;
	char sz[32];

	if (qmpc_execute(c, "query-status", NULL, &st, &e) ||
	    qmpc_execute(c, "query-memory-size-summary", NULL, &sum, &e)) {
		json_decref(st);
		return ctl_fail_msg(&e);
	}
	printf("status: %s\n", ctl_jstr(st, "status"));
	printf("base memory: %s\n", ctl_size(ctl_jint(sum, "base-memory"), sz, sizeof(sz)));
	if (json_object_get(sum, "plugged-memory"))
		printf("plugged memory: %s\n",
		       ctl_size(ctl_jint(sum, "plugged-memory"), sz, sizeof(sz)));
	ctl_balloon_status(c, ctl_jint(sum, "base-memory") +
			   ctl_jint(sum, "plugged-memory"));
	print_disks(c);
	json_decref(st);
	json_decref(sum);
	return 0;
}

/* ------------------------------------------------------------ arguments */

enum { OPT_QMP, OPT_CONNECT, OPT_DOMAIN, OPT_TIMEOUT, OPT_ID, OPT_NODE, OPT_WAIT, OPT_KSM, OPT_BY };

static const struct cli_option ctl_options[] = {
	{ "qmp", "PATH", "the VMM's QMP socket (memvisor's or QEMU's)", OPT_QMP },
	{ "connect", "URI", "instead of --qmp: a libvirt URI, e.g.\n"
	  "qemu:///system or qemu+ssh://HOST/system", OPT_CONNECT },
	{ "domain", "NAME", "with --connect: the domain's name", OPT_DOMAIN },
	{ "ksm", "PATH", "ksmd's socket (ksm get, ksm set)", OPT_KSM },
	{ "timeout", "SEC", "how long to wait for the VMM or the guest\n"
	  "(1 to 3600, default 10)", OPT_TIMEOUT },
	{ "id", "ID", "dimm add: the DIMM's id (default: the first free\n"
	  "dimmN): a letter, then letters, digits, '-', '.'\n"
	  "or '_', at most 59 characters", OPT_ID },
	{ "node", "N", "dimm add: the NUMA node (default 0)", OPT_NODE },
	{ "wait", NULL, "dimm add, dimm del: wait for the guest's answer;\n"
	  "balloon SIZE: until the balloon reaches its target\n"
	  "or stops moving", OPT_WAIT },
	{ "by", "SIZE", "balloon: state the balloon's size instead of the\n"
	  "guest's (target = guest size - SIZE)", OPT_BY },
	{ 0 },
};

static const char ctl_commands[] =
"Commands:\n"
"  dimm add SIZE [--node N] [--id ID] [--wait]\n"
"                        hot-add a DIMM of SIZE (a multiple of 128M) and\n"
"                        its memory backend mem-ID; --wait until the guest\n"
"                        acknowledges it (its _OST success)\n"
"  dimm del ID [--wait]  ask the guest to eject DIMM ID; --wait until it\n"
"                        has, then delete its backend mem-ID\n"
"  dimm list             the DIMMs: id, slot, base, size, node, state (the\n"
"                        guest's last _OST answer)\n"
"  balloon               guest size, balloon size, host memory released\n"
"  balloon SIZE [--wait] set the guest's size to SIZE (like virsh setmem;\n"
"                        QMP balloon); --by SIZE: the balloon's size instead\n"
"  balloon stats         the guest's statistics (turns polling on if off)\n"
"  balloon auto on|off [free-host-min=SIZE,free-host-max=SIZE,step=SIZE,\n"
"                       interval=SECONDS,min-guest=SIZE]\n"
"                        memvisor's host pressure policy (x-balloon-policy)\n"
"  status                VM status, memory sizes, the balloon, the disks\n"
"  console               the domain's serial console on this terminal (^]\n"
"                        ends it; needs --connect)\n"
"  ksm get [NAME]        ksmd's tunables and statistics (Linux's names),\n"
"                        one NAME: VALUE line each (needs --ksm)\n"
"  ksm set NAME=VALUE    change a tunable, e.g. run=1 (needs --ksm)\n"
"Options:\n";

struct ctl_parse {
	struct ctl_args *a;
	bool has_id, has_node;
	const char *by;
};

static int ctl_option(void *opaque, int key, const char *arg, struct errmsg *e)
{
	struct ctl_parse *p = opaque;
	struct errmsg why = { .msg = "" };
	unsigned long n;

	switch (key) {
	case OPT_QMP:
		p->a->qmp = arg;
		return 0;
	case OPT_KSM:
		p->a->ksm = arg;
		return 0;
	case OPT_CONNECT:
		if (!*arg)
			return errmsg_user(e, -EINVAL, "--connect: empty URI");
		p->a->connect = arg;
		return 0;
	case OPT_DOMAIN:
		if (!*arg)
			return errmsg_user(e, -EINVAL, "--domain: empty name");
		p->a->domain = arg;
		return 0;
	case OPT_TIMEOUT:
		if (parse_uint(arg, 1, CTL_MAX_TIMEOUT, &n))
			return errmsg_user(e, -EINVAL, "--timeout: '%s' is not a number of seconds from 1 to %d",
					   arg, CTL_MAX_TIMEOUT);
		p->a->timeout = n;
		return 0;
	case OPT_ID:
		if (hotplug_dimm_id_check(arg, &why))
			return errmsg_user(e, -EINVAL, "--id: %s", why.msg);
		p->a->id = arg;
		p->has_id = true;
		return 0;
	case OPT_NODE:
		if (parse_uint(arg, 0, 255, &n))
			return errmsg_user(e, -EINVAL, "--node: '%s' is not a node number", arg);
		p->a->node = n;
		p->has_node = true;
		return 0;
	case OPT_BY:
		p->by = arg;
		return 0;
	default:
		p->a->wait = 1;
		return 0;
	}
}

#define COMMANDS "dimm add, dimm del, dimm list, balloon, status, console or ksm"

/* balloon's words: [SIZE | stats | auto on|off [KEY=VALUE,...]]. */
static int parse_balloon(const char **pos, unsigned int npos,
			 const struct ctl_parse *p, struct ctl_args *a,
			 struct errmsg *e)
{
	unsigned int need = 1;

	if (npos == 1)
		a->cmd = p->by ? CTL_BALLOON_SET : CTL_BALLOON_QUERY;
	else if (!strcmp(pos[1], "stats"))
		a->cmd = CTL_BALLOON_STATS, need = 2;
	else if (!strcmp(pos[1], "auto"))
		a->cmd = CTL_BALLOON_AUTO, need = npos < 4 ? 3 : 4;
	else
		a->cmd = CTL_BALLOON_SET, need = 2;
	if (a->cmd == CTL_BALLOON_SET && p->by && npos > 1)
		return errmsg_user(e, -EINVAL, "balloon: give SIZE or --by SIZE, not both");
	if (a->cmd == CTL_BALLOON_AUTO && npos < 3)
		return errmsg_user(e, -EINVAL, "balloon auto needs on or off");
	if (npos > need)
		return errmsg_user(e, -EINVAL, "unexpected argument '%s'", pos[need]);
	if (p->by && a->cmd != CTL_BALLOON_SET)
		return errmsg_user(e, -EINVAL, "--by only goes with balloon");
	return 0;
}

/* balloon SIZE / --by SIZE / auto's operands, checked before anything is
 * sent. */
static int check_balloon(const char **pos, unsigned int npos,
			 const struct ctl_parse *p, struct ctl_args *a,
			 struct errmsg *e)
{
	const char *sz = p->by ? p->by : pos[1];

	if (a->cmd == CTL_BALLOON_AUTO) {
		if (strcmp(pos[2], "on") && strcmp(pos[2], "off"))
			return errmsg_user(e, -EINVAL, "balloon auto: '%s' is not on or off", pos[2]);
		a->auto_on = !strcmp(pos[2], "on");
		if (npos < 4)
			return 0;
		if (!a->auto_on)
			return errmsg_user(e, -EINVAL, "balloon auto off takes no settings");
		a->policy_given = true;
		return balloon_policy_parse(&a->policy, pos[3], "balloon auto", e);
	}
	if (a->cmd != CTL_BALLOON_SET)
		return 0;
	a->by = p->by != NULL;
	if (parse_size(sz, 20, &a->size) || (!a->size && !a->by))
		return errmsg_user(e, -EINVAL, "balloon: invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 512M)",
				   sz);
	if (a->size & 4095)
		return errmsg_user(e, -EINVAL, "balloon: size '%s' is not a whole number of 4K pages", sz);
	return 0;
}

/* The command from its words. */
static int parse_words(const char **pos, unsigned int npos,
		       const struct ctl_parse *p, struct ctl_args *a,
		       struct errmsg *e)
{
	bool dimm = npos >= 2 && !strcmp(pos[0], "dimm");
	unsigned int need = 1;

	if (!npos)
		return errmsg_user(e, -EINVAL, "no command given (" COMMANDS ")");
	if (!strcmp(pos[0], "ksm")) {
		if (npos >= 2 && !strcmp(pos[1], "get") && npos <= 3)
			a->cmd = CTL_KSM_GET;
		else if (npos == 3 && !strcmp(pos[1], "set"))
			a->cmd = CTL_KSM_SET;
		else
			return errmsg_user(e, -EINVAL, "ksm: expected 'ksm get [NAME]' or 'ksm set NAME=VALUE'");
		a->ksm_arg = npos == 3 ? pos[2] : NULL;
		if (a->cmd == CTL_KSM_SET && !strchr(pos[2], '='))
			return errmsg_user(e, -EINVAL, "ksm set: expected NAME=VALUE, not '%s'", pos[2]);
		return 0;
	}
	if (!strcmp(pos[0], "balloon"))
		return parse_balloon(pos, npos, p, a, e);
	if (p->by)
		return errmsg_user(e, -EINVAL, "--by only goes with balloon");
	if (dimm && !strcmp(pos[1], "add"))
		a->cmd = CTL_DIMM_ADD, need = 3;
	else if (dimm && !strcmp(pos[1], "del"))
		a->cmd = CTL_DIMM_DEL, need = 3;
	else if (dimm && !strcmp(pos[1], "list"))
		a->cmd = CTL_DIMM_LIST, need = 2;
	else if (!strcmp(pos[0], "status"))
		a->cmd = CTL_STATUS;
	else if (!strcmp(pos[0], "console"))
		a->cmd = CTL_CONSOLE;
	else
		return errmsg_user(e, -EINVAL, "unknown command '%s%s%s' (" COMMANDS ")",
				   pos[0], npos > 1 ? " " : "", npos > 1 ? pos[1] : "");
	if (npos < need)
		return errmsg_user(e, -EINVAL, "dimm %s needs %s", pos[1],
				   a->cmd == CTL_DIMM_ADD ? "a SIZE" : "an ID");
	if (npos > need)
		return errmsg_user(e, -EINVAL, "unexpected argument '%s'", pos[need]);
	return 0;
}

/* The options that go with the command, and its operand. */
static int check_command(const char **pos, unsigned int npos,
			 const struct ctl_parse *p, struct ctl_args *a,
			 struct errmsg *e)
{
	struct errmsg why = { .msg = "" };

	if ((p->has_id || p->has_node) && a->cmd != CTL_DIMM_ADD)
		return errmsg_user(e, -EINVAL, "--%s only goes with dimm add",
				   p->has_id ? "id" : "node");
	if (a->wait && a->cmd != CTL_DIMM_ADD && a->cmd != CTL_DIMM_DEL &&
	    a->cmd != CTL_BALLOON_SET)
		return errmsg_user(e, -EINVAL, "--wait only goes with dimm add, dimm del or balloon SIZE");
	if (a->cmd >= CTL_BALLOON_QUERY)
		return check_balloon(pos, npos, p, a, e);
	if (a->cmd == CTL_DIMM_DEL) {
		if (hotplug_dimm_id_check(pos[2], &why))
			return errmsg_user(e, -EINVAL, "dimm del: %s", why.msg);
		a->id = pos[2];
	}
	if (a->cmd != CTL_DIMM_ADD)
		return 0;
	if (parse_size(pos[2], 20, &a->size) || !a->size)
		return errmsg_user(e, -EINVAL, "invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 512M)",
				   pos[2]);
	if (hotplug_dimm_size_check(a->size, &why))
		return errmsg_user(e, -EINVAL, "dimm add: %s", why.msg);
	return 0;
}

/* --qmp PATH, or --connect URI --domain NAME: which VM. */
static int check_target(const struct ctl_args *a, struct errmsg *e)
{
	if (a->qmp && a->connect)
		return errmsg_user(e, -EINVAL, "give --qmp or --connect, not both");
	if (a->domain && !a->connect)
		return errmsg_user(e, -EINVAL, "--domain goes with --connect URI");
	if (a->connect && !a->domain)
		return errmsg_user(e, -EINVAL, "--connect needs --domain NAME (the libvirt domain)");
	if (a->cmd == CTL_CONSOLE && !a->connect)
		return errmsg_user(e, -EINVAL, "console needs --connect URI --domain NAME (memvisor's and QEMU's consoles are their own terminals)");
	if (!a->qmp && !a->connect)
		return errmsg_user(e, -EINVAL, "--qmp PATH or --connect URI --domain NAME is required (which VM)");
	return 0;
}

int ctl_parse_args(int argc, char **argv, struct ctl_args *a, struct errmsg *e)
{
	struct ctl_parse p = { .a = a };
	const struct cli_table table = { NULL, ctl_options, ctl_option, &p };
	const struct cli_cmd cmd = {
		.name = CTL_NAME, .synopsis = "{--qmp PATH | --connect URI --domain NAME} [--timeout SEC] COMMAND",
		.description = ctl_commands, .tables = &table, .nr_tables = 1,
	};
	const char *pos[4];
	unsigned int npos;
	int ret;

	*a = (struct ctl_args){ .timeout = CTL_DEFAULT_TIMEOUT };
	balloon_policy_init(&a->policy);
	ret = cli_parse(&cmd, argc, argv, pos, ARRAY_SIZE(pos), &npos, e);
	if (!ret)
		ret = parse_words(pos, npos, &p, a, e);
	if (!ret)
		ret = check_command(pos, npos, &p, a, e);
	if (!ret && (a->cmd == CTL_KSM_GET || a->cmd == CTL_KSM_SET)) {
		if (!a->ksm)
			ret = errmsg_user(e, -EINVAL, "--ksm PATH is required (ksmd's socket)");
		return ret;
	}
	if (!ret)
		ret = check_target(a, e);
	return ret;
}

/* ------------------------------------------------------------ main */

static int run(struct qmpc *c, const struct ctl_args *a)
{
	switch (a->cmd) {
	case CTL_DIMM_ADD:  return ctl_dimm_add(c, a);
	case CTL_DIMM_DEL:  return ctl_dimm_del(c, a);
	case CTL_DIMM_LIST: return cmd_dimm_list(c);
	case CTL_STATUS:    return cmd_status(c);
	case CTL_BALLOON_QUERY:
	case CTL_BALLOON_SET:
	case CTL_BALLOON_STATS:
	case CTL_BALLOON_AUTO:  return ctl_balloon(c, a);
	default:            return EXIT_USAGE;   /* ksm: handled without QMP */
	}
}

int ctl_main(int argc, char **argv)
{
	struct errmsg e = { .msg = "" };
	struct ctl_args a;
	struct qmpc *c;
	int ret;

	ret = ctl_parse_args(argc, argv, &a, &e);
	if (ret)
		return ret > 0 ? 0 : cli_fail(CTL_NAME, cli_status(&e), "%s", e.msg);
	signal(SIGPIPE, SIG_IGN);
	if (a.cmd == CTL_KSM_GET || a.cmd == CTL_KSM_SET) {
		ret = a.cmd == CTL_KSM_GET ? ksm_ctl_get(a.ksm, a.ksm_arg, stdout, &e)
					   : ksm_ctl_set(a.ksm, a.ksm_arg, &e);
		return ret ? cli_fail(CTL_NAME, cli_status(&e), "%s", e.msg) : 0;
	}
	if (a.connect)
		return ctl_virt(&a);
	c = qmpc_open(a.qmp, a.timeout * 1000ll, &e);
	if (!c)
		return cli_fail(CTL_NAME, cli_status(&e), "%s", e.msg);
	ret = run(c, &a);
	qmpc_close(c);
	return ret;
}
