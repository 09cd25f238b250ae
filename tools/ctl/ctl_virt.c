/*
 * memvisor ctl --connect URI --domain NAME: the same commands, on a
 * libvirt-managed domain, through libvirt's C API. Any URI libvirt takes
 * works, remote ones included (qemu+ssh://host/system).
 *
 *   dimm add    virDomainAttachDeviceFlags(<memory model='dimm'>, LIVE);
 *               --id ID becomes the alias "ua-ID" (libvirt's rule for a
 *               user's alias); without it libvirt names the DIMM (dimmN)
 *   dimm del    virDomainDetachDeviceAlias(LIVE); --wait: until libvirt's
 *               DEVICE_REMOVED event (the guest ejected it) or
 *               DEVICE_REMOVAL_FAILED (the guest refused: its _OST)
 *   dimm list   the live XML's <memory model='dimm'> devices
 *   balloon     virDomainGetInfo + virDomainMemoryStats (actual);
 *               SIZE: virDomainSetMemoryFlags(LIVE); stats:
 *               virDomainMemoryStats (turns the period on if it is off)
 *   status      virDomainGetState, the live XML's sizes and disks
 *   console     virDomainOpenConsole: the serial console on this terminal
 *               (^] ends it) or on stdin/stdout when they are pipes (then
 *               it ends once stdin has ended and the guest is quiet)
 *
 * The output is the QMP client's, line for line, except where libvirt
 * cannot know something QMP tells (the guest's _OST answer to an
 * insertion: libvirt keeps no such state): then the line says so.
 * libvirt's errors are printed in libvirt's words, with what to do.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "tools/ctl/ctl_internal.h"
#include "vmm/cli.h"
#include "vmm/config_xml.h"
#include "vmm/types.h"
#include "vmm/util.h"

#define UA_PREFIX       "ua-"           /* libvirt's user alias prefix */
#define POLL_MS         250
#define STATS_PERIOD    2
#define CONSOLE_ESCAPE  0x1d            /* ^], as virsh console */
#define CONSOLE_QUIET_MS 1000

struct virt {
	virConnectPtr conn;
	virDomainPtr dom;
	const struct ctl_args *a;
};

/* ------------------------------------------------------------ errors */

static void quiet(void *opaque, virErrorPtr err)
{
}

static const char *virt_msg(void)
{
	const char *m = virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

/* One line: @what, libvirt's words, and @hint if any. EXIT_FAIL. */
static int virt_fail(const char *what, const char *hint)
{
	return cli_fail(CTL_NAME, EXIT_FAIL, "%s: %s%s%s", what, virt_msg(),
			hint ? "; " : "", hint ? hint : "");
}

/* What to do about a failed connection, from libvirt's error. */
static const char *connect_hint(void)
{
	virErrorPtr err = virGetLastError();
	const char *m = virt_msg();

	if (strstr(m, "Permission denied") || (err && err->code == VIR_ERR_AUTH_FAILED))
		return "run as root, or as a member of the libvirt group";
	if (strstr(m, "No such file") || strstr(m, "Connection refused"))
		return "is libvirtd running? start it with 'systemctl start libvirtd' (or 'libvirtd -d')";
	return "check the URI (e.g. qemu:///system or qemu+ssh://HOST/system)";
}

static int virt_open(struct virt *v, const struct ctl_args *a)
{
	char what[512], hint[512];

	virSetErrorFunc(NULL, quiet);
	v->a = a;
	v->conn = virConnectOpenAuth(a->connect, virConnectAuthPtrDefault, 0);
	if (!v->conn) {
		snprintf(what, sizeof(what), "cannot connect to %s", a->connect);
		return virt_fail(what, connect_hint());
	}
	v->dom = virDomainLookupByName(v->conn, a->domain);
	if (!v->dom) {
		snprintf(what, sizeof(what), "domain '%s' on %s", a->domain, a->connect);
		snprintf(hint, sizeof(hint), "'virsh -c %s list --all' lists the domains",
			 a->connect);
		return virt_fail(what, hint);
	}
	if (virDomainIsActive(v->dom) != 1) {
		return cli_fail(CTL_NAME, EXIT_FAIL, "domain '%s' is not running (start it with 'virsh -c %s start %s')",
				a->domain, a->connect, a->domain);
	}
	return 0;
}

static void virt_close(struct virt *v)
{
	if (v->dom)
		virDomainFree(v->dom);
	if (v->conn)
		virConnectClose(v->conn);
}

/* The live XML, read; 0 or EXIT_FAIL (said). */
static int live(struct virt *v, struct config_live *out)
{
	struct errmsg e = { .msg = "" };
	char *xml = virDomainGetXMLDesc(v->dom, 0);
	int ret;

	if (!xml)
		return virt_fail("reading the domain's XML", NULL);
	ret = config_xml_live(xml, strlen(xml), out, &e);
	free(xml);
	if (ret)
		return cli_fail(CTL_NAME, EXIT_FAIL, "the domain's XML from libvirt: %s", e.msg);
	return 0;
}

/* ------------------------------------------------------------ dimm */

/* The ID ctl shows for an alias: a user's "ua-ID" as ID. */
static const char *shown_id(const char *alias)
{
	return strncmp(alias, UA_PREFIX, strlen(UA_PREFIX)) ? alias :
	       alias + strlen(UA_PREFIX);
}

static const struct config_live_dimm *find_dimm(const struct config_live *l,
						const char *id)
{
	unsigned int i;

	for (i = 0; i < l->nr_dimms; i++)
		if (!strcmp(shown_id(l->dimms[i].alias), id))
			return &l->dimms[i];
	return NULL;
}

static void print_dimm(const struct config_live_dimm *d)
{
	char sz[32];

	printf("dimm %s: slot %lld, base 0x%llx, size %s, node %ld\n",
	       shown_id(d->alias), d->slot, (unsigned long long)d->base,
	       ctl_size(d->size, sz, sizeof(sz)), d->node);
}

static int dimm_list(struct virt *v)
{
	static struct config_live l;
	char sz[32];
	unsigned int i;

	if (live(v, &l))
		return EXIT_FAIL;
	printf("%-16s %4s  %-18s  %6s  %4s  %s\n", "ID", "SLOT", "BASE", "SIZE",
	       "NODE", "STATE");
	for (i = 0; i < l.nr_dimms; i++)
		printf("%-16s %4lld  0x%016llx  %6s  %4ld  %s\n",
		       shown_id(l.dimms[i].alias), l.dimms[i].slot,
		       (unsigned long long)l.dimms[i].base,
		       ctl_size(l.dimms[i].size, sz, sizeof(sz)), l.dimms[i].node,
		       "attached");
	return 0;
}

/* The DIMM of @after that is not in @before (the one just attached). */
static const struct config_live_dimm *new_dimm(const struct config_live *before,
					       const struct config_live *after)
{
	unsigned int i;

	for (i = 0; i < after->nr_dimms; i++)
		if (!find_dimm(before, shown_id(after->dimms[i].alias)))
			return &after->dimms[i];
	return NULL;
}

static int dimm_add(struct virt *v)
{
	static struct config_live before, after;
	const struct config_live_dimm *d;
	char xml[512], alias[128] = "";

	if (live(v, &before))
		return EXIT_FAIL;
	if (v->a->id && find_dimm(&before, v->a->id))
		return cli_fail(CTL_NAME, EXIT_USAGE, "dimm add: the domain already has a DIMM '%s'",
				v->a->id);
	if (v->a->id)
		snprintf(alias, sizeof(alias), "<alias name='" UA_PREFIX "%s'/>", v->a->id);
	snprintf(xml, sizeof(xml),
		 "<memory model='dimm'><target><size unit='KiB'>%llu</size>"
		 "<node>%u</node></target>%s</memory>",
		 (unsigned long long)v->a->size >> 10, v->a->node, alias);
	if (virDomainAttachDeviceFlags(v->dom, xml, VIR_DOMAIN_AFFECT_LIVE))
		return virt_fail("dimm add", "'dimm list' shows the DIMMs; the domain needs <maxMemory slots=...> and a NUMA cell");
	if (live(v, &after))
		return EXIT_FAIL;
	d = new_dimm(&before, &after);
	if (!d)
		return cli_fail(CTL_NAME, EXIT_FAIL, "dimm add: libvirt attached the DIMM but its live XML does not show it");
	print_dimm(d);
	if (v->a->wait)
		printf("dimm %s: attached; libvirt does not report the guest's acknowledgment (read /sys/devices/system/memory in the guest)\n",
		       shown_id(d->alias));
	return 0;
}

/* dimm del --wait: libvirt's removal events for one alias. */
struct del_wait {
	const char *alias;
	int done;               /* 1 removed, -1 refused */
};

static void on_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
	struct del_wait *w = opaque;

	if (!strcmp(alias, w->alias))
		w->done = 1;
}

static void on_removal_failed(virConnectPtr c, virDomainPtr d, const char *alias,
			      void *opaque)
{
	struct del_wait *w = opaque;

	if (!strcmp(alias, w->alias))
		w->done = -1;
}

static void tick(int timer, void *opaque)
{
}

/* Is the DIMM @alias still in the live XML? 1, 0, or -1 (said). */
static int still_there(struct virt *v, const char *alias)
{
	static struct config_live l;
	unsigned int i;

	if (live(v, &l))
		return -1;
	for (i = 0; i < l.nr_dimms; i++)
		if (!strcmp(l.dimms[i].alias, alias))
			return 1;
	return 0;
}

/* Run libvirt's event loop until @w is done or the timeout. */
static void wait_events(struct virt *v, struct del_wait *w)
{
	int64_t deadline = qmpc_now_ms() + v->a->timeout * 1000ll;
	int timer = virEventAddTimeout(POLL_MS, tick, NULL, NULL);

	while (!w->done && qmpc_now_ms() < deadline &&
	       virEventRunDefaultImpl() == 0)
		;
	if (timer >= 0)
		virEventRemoveTimeout(timer);
}

static int dimm_del_wait(struct virt *v, const char *alias, double t0)
{
	struct del_wait w = { .alias = alias };
	int cb_ok, cb_fail, there;

	cb_ok = virConnectDomainEventRegisterAny(v->conn, v->dom,
			VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
			VIR_DOMAIN_EVENT_CALLBACK(on_removed), &w, NULL);
	cb_fail = virConnectDomainEventRegisterAny(v->conn, v->dom,
			VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
			VIR_DOMAIN_EVENT_CALLBACK(on_removal_failed), &w, NULL);
	if (cb_ok < 0 || cb_fail < 0)
		return virt_fail("dimm del --wait: watching libvirt's events", NULL);
	if (virDomainDetachDeviceAlias(v->dom, alias, VIR_DOMAIN_AFFECT_LIVE))
		return virt_fail("dimm del", "'dimm list' shows the DIMMs");
	there = still_there(v, alias);  /* libvirt may have seen it go already */
	if (there > 0)
		wait_events(v, &w);
	virConnectDomainEventDeregisterAny(v->conn, cb_ok);
	virConnectDomainEventDeregisterAny(v->conn, cb_fail);
	if (there < 0)
		return EXIT_FAIL;
	if (w.done < 0)
		return cli_fail(CTL_NAME, EXIT_FAIL, "the guest refused to remove dimm %s (libvirt's DEVICE_REMOVAL_FAILED: the guest's _OST); it stays plugged",
				shown_id(alias));
	if (!w.done && there && still_there(v, alias) > 0)
		return cli_fail(CTL_NAME, EXIT_FAIL, "dimm %s: removal still in progress after %u s (the guest may eject it later)",
				shown_id(alias), v->a->timeout);
	printf("dimm %s: ejected by the guest in %.3f ms\n", shown_id(alias),
	       qmpc_now_ms_f() - t0);
	return 0;
}

static int dimm_del(struct virt *v)
{
	static struct config_live l;
	const struct config_live_dimm *d;
	char alias[sizeof(d->alias)];
	double t0 = qmpc_now_ms_f();

	if (live(v, &l))
		return EXIT_FAIL;
	d = find_dimm(&l, v->a->id);
	if (!d)
		return cli_fail(CTL_NAME, EXIT_FAIL, "dimm '%s' not found ('dimm list' shows the DIMMs)",
				v->a->id);
	snprintf(alias, sizeof(alias), "%s", d->alias);
	if (v->a->wait)
		return dimm_del_wait(v, alias, t0);
	if (virDomainDetachDeviceAlias(v->dom, alias, VIR_DOMAIN_AFFECT_LIVE))
		return virt_fail("dimm del", "'dimm list' shows the DIMMs");
	printf("dimm %s: removal requested; the guest ejects it\n", v->a->id);
	return 0;
}

/* ------------------------------------------------------------ balloon */

/* The guest's size and the balloon's actual, in bytes. */
/* The guest's size and the balloon's actual, in bytes; NULL, or what
 * failed (libvirt's error says why). */
static const char *query_sizes(struct virt *v, uint64_t *guest, uint64_t *actual)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	virDomainInfo info;
	int i, n;

	if (virDomainGetInfo(v->dom, &info))
		return "reading the domain's memory";
	n = virDomainMemoryStats(v->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	if (n < 0)
		return "reading the balloon";
	*guest = (uint64_t)info.maxMem << 10;
	*actual = (uint64_t)info.memory << 10;
	for (i = 0; i < n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON)
			*actual = st[i].val << 10;
	return NULL;
}

/* query_sizes, with a failure said; 0 or EXIT_FAIL. */
static int balloon_sizes(struct virt *v, uint64_t *guest, uint64_t *actual)
{
	const char *what = query_sizes(v, guest, actual);

	return what ? virt_fail(what, NULL) : 0;
}

static void print_balloon(uint64_t guest, uint64_t actual)
{
	char bl[32], ac[32];

	printf("balloon: %s (the guest has %s)\n",
	       ctl_size(guest > actual ? guest - actual : 0, bl, sizeof(bl)),
	       ctl_size(actual, ac, sizeof(ac)));
}

static int balloon_query(struct virt *v)
{
	uint64_t guest, actual;
	char g[32];

	if (balloon_sizes(v, &guest, &actual))
		return EXIT_FAIL;
	printf("guest size: %s\n", ctl_size(guest, g, sizeof(g)));
	print_balloon(guest, actual);
	printf("host released: not reported by libvirt (its memory statistics give only actual)\n");
	return 0;
}

/* The balloon's actual for ctl_balloon_wait. */
static int virt_actual(void *opaque, uint64_t *actual)
{
	uint64_t guest;

	return balloon_sizes(opaque, &guest, actual);
}

static int balloon_set(struct virt *v)
{
	struct errmsg e = { .msg = "" };
	uint64_t guest, actual, target;
	char g[32], t[32], b[32];
	double t0;

	if (balloon_sizes(v, &guest, &actual))
		return EXIT_FAIL;
	if (ctl_balloon_target(v->a, guest, &target, &e))
		return cli_fail(CTL_NAME, EXIT_USAGE, "%s", e.msg);
	t0 = qmpc_now_ms_f();
	if (virDomainSetMemoryFlags(v->dom, target >> 10, VIR_DOMAIN_AFFECT_LIVE))
		return virt_fail("balloon", "the domain needs <memballoon model='virtio'>");
	printf("balloon: target %s of %s (balloon %s)\n", ctl_size(target, t, sizeof(t)),
	       ctl_size(guest, g, sizeof(g)), ctl_size(guest - target, b, sizeof(b)));
	return v->a->wait ? ctl_balloon_wait(virt_actual, v, target,
					     v->a->timeout * 1000ll, t0) : 0;
}

/* libvirt's statistics under QEMU's guest-stats names (KiB in libvirt). */
static const struct { int tag; const char *name; bool kib; } stat_names[] = {
	{ VIR_DOMAIN_MEMORY_STAT_SWAP_IN, "stat-swap-in", true },
	{ VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, "stat-swap-out", true },
	{ VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, "stat-major-faults", false },
	{ VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, "stat-minor-faults", false },
	{ VIR_DOMAIN_MEMORY_STAT_UNUSED, "stat-free-memory", true },
	{ VIR_DOMAIN_MEMORY_STAT_AVAILABLE, "stat-total-memory", true },
	{ VIR_DOMAIN_MEMORY_STAT_USABLE, "stat-available-memory", true },
	{ VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, "stat-disk-caches", true },
	{ VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, "stat-htlb-pgalloc", false },
	{ VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, "stat-htlb-pgfail", false },
};

/* The statistics, and their last_update (0: the guest has not reported). */
static int read_stats(struct virt *v, virDomainMemoryStatStruct *st, int *n,
		      unsigned long long *updated)
{
	int i;

	*n = virDomainMemoryStats(v->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	if (*n < 0)
		return virt_fail("balloon stats", NULL);
	*updated = 0;
	for (i = 0; i < *n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE)
			*updated = st[i].val;
	return 0;
}

/* Turn the statistics period on if it is off (as the QMP client does),
 * then wait for a report; 0 or EXIT_FAIL (said). */
static int wait_stats(struct virt *v, virDomainMemoryStatStruct *st, int *n)
{
	int64_t deadline = qmpc_now_ms() + v->a->timeout * 1000ll;
	unsigned long long updated, first;

	if (read_stats(v, st, n, &first))
		return EXIT_FAIL;
	if (first)
		return 0;
	if (virDomainSetMemoryStatsPeriod(v->dom, STATS_PERIOD, VIR_DOMAIN_AFFECT_LIVE))
		return virt_fail("balloon stats: turning the statistics period on", NULL);
	printf("statistics polling was off: turned it on, every %d s (libvirt's memory stats period)\n",
	       STATS_PERIOD);
	do {
		ctl_sleep_ms(POLL_MS);
		if (read_stats(v, st, n, &updated))
			return EXIT_FAIL;
	} while (!updated && qmpc_now_ms() < deadline);
	if (!updated)
		return cli_fail(CTL_NAME, EXIT_FAIL, "balloon stats: the guest has not reported statistics within %u s",
				v->a->timeout);
	return 0;
}

static int balloon_stats(struct virt *v)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	unsigned int i;
	char sz[32];
	int j, n;

	if (wait_stats(v, st, &n))
		return EXIT_FAIL;
	for (j = 0; j < n; j++)
		if (st[j].tag == VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE)
			printf("last update: %llu (seconds since the epoch)\n", st[j].val);
	for (i = 0; i < ARRAY_SIZE(stat_names); i++)
		for (j = 0; j < n; j++) {
			if (st[j].tag != stat_names[i].tag)
				continue;
			if (stat_names[i].kib)
				printf("%-24s %s\n", stat_names[i].name,
				       ctl_size(st[j].val << 10, sz, sizeof(sz)));
			else
				printf("%-24s %llu\n", stat_names[i].name, st[j].val);
		}
	return 0;
}

/* ------------------------------------------------------------ status */

static const char *state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:     return "running";
	case VIR_DOMAIN_BLOCKED:     return "running";
	case VIR_DOMAIN_PAUSED:      return "paused";
	case VIR_DOMAIN_SHUTDOWN:    return "shutdown";
	case VIR_DOMAIN_SHUTOFF:     return "shutdown";
	case VIR_DOMAIN_CRASHED:     return "guest-panicked";
	case VIR_DOMAIN_PMSUSPENDED: return "suspended";
	default:                     return "unknown";
	}
}

static void print_disks(struct virt *v, const struct config_live *l)
{
	virDomainBlockInfo bi;
	unsigned int i;
	char sz[32];

	for (i = 0; i < l->nr_disks; i++) {
		const struct config_live_disk *d = &l->disks[i];

		if (!d->file[0])
			continue;       /* no medium */
		if (virDomainGetBlockInfo(v->dom, d->target, &bi, 0))
			bi.capacity = 0;
		printf("disk %s: %s, %s, %s, %s\n", d->target, d->file,
		       ctl_size(bi.capacity, sz, sizeof(sz)),
		       d->format[0] ? d->format : "raw",
		       d->readonly ? "read-only" : "read-write");
	}
}

static int status(struct virt *v)
{
	static struct config_live l;
	uint64_t dimms = 0, guest, actual;
	int state, reason;
	unsigned int i;
	char sz[32];

	if (virDomainGetState(v->dom, &state, &reason, 0))
		return virt_fail("reading the domain's state", NULL);
	if (live(v, &l))
		return EXIT_FAIL;
	for (i = 0; i < l.nr_dimms; i++)
		dimms += l.dimms[i].size;
	printf("status: %s\n", state_name(state));
	printf("base memory: %s\n", ctl_size(l.memory - dimms, sz, sizeof(sz)));
	if (l.max_memory)
		printf("plugged memory: %s\n", ctl_size(dimms, sz, sizeof(sz)));
	if (query_sizes(v, &guest, &actual))    /* a line of status, not an error */
		printf("balloon: none (%s)\n", virt_msg());
	else
		print_balloon(guest, actual);
	print_disks(v, &l);
	return 0;
}

/* ------------------------------------------------------------ console */

struct console {
	virStreamPtr st;
	int done;               /* 1: ended by the user or EOF, -1: error */
	bool tty;
	int in_watch, timer;
	int64_t timeout_ms;
	int64_t last_output, deadline;  /* ms, once stdin has ended */
};

static void console_end(struct console *c, int how)
{
	if (!c->done)
		c->done = how;
}

/* The guest's output to stdout. */
static void on_stream(virStreamPtr st, int events, void *opaque)
{
	struct console *c = opaque;
	char buf[4096];
	int n;

	if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
		return console_end(c, 1);
	n = virStreamRecv(st, buf, sizeof(buf));
	if (n == -2)
		return;                 /* nothing after all */
	if (n <= 0)
		return console_end(c, n ? -1 : 1);
	if (write_all(STDOUT_FILENO, buf, n))
		return console_end(c, 1);       /* stdout closed: as cat does */
	c->last_output = qmpc_now_ms();
}

/* After stdin ended: end once the guest has been quiet for a while. */
static void on_quiet_tick(int timer, void *opaque)
{
	struct console *c = opaque;
	int64_t now = qmpc_now_ms();

	if (now - c->last_output >= CONSOLE_QUIET_MS || now >= c->deadline)
		console_end(c, 1);
}

/*
 * stdin ended. On a terminal that ends the session; from a pipe (`echo
 * CMD | ctl console`) the answer is still to come, so the output is
 * copied until the guest has been quiet for CONSOLE_QUIET_MS (at most
 * --timeout seconds).
 */
static void stdin_ended(struct console *c)
{
	virEventRemoveHandle(c->in_watch);
	c->in_watch = -1;
	if (c->tty)
		return console_end(c, 1);
	c->last_output = qmpc_now_ms();
	c->deadline = c->last_output + c->timeout_ms;
	c->timer = virEventAddTimeout(100, on_quiet_tick, c, NULL);
	if (c->timer < 0)
		console_end(c, 1);
}

/* Our stdin to the guest; ^] on a terminal ends the session. */
static void on_stdin(int watch, int fd, int events, void *opaque)
{
	struct console *c = opaque;
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf));
	char *esc;

	if (n <= 0)
		return stdin_ended(c);
	esc = c->tty ? memchr(buf, CONSOLE_ESCAPE, n) : NULL;
	if (esc)
		n = esc - buf;
	if (n > 0 && virStreamSend(c->st, buf, n) < 0)
		console_end(c, -1);
	if (esc)
		console_end(c, 1);
}

static int console(struct virt *v)
{
	struct console c = { .tty = isatty(STDIN_FILENO), .timer = -1,
			     .timeout_ms = v->a->timeout * 1000ll };
	struct termios saved, raw;
	int ret;

	c.st = virStreamNew(v->conn, VIR_STREAM_NONBLOCK);
	if (!c.st)
		return virt_fail("console", NULL);
	/* FORCE: take the console over from another client (virsh console
	 * --force does the same), so a client that died cannot lock it. */
	if (virDomainOpenConsole(v->dom, NULL, c.st, VIR_DOMAIN_CONSOLE_FORCE)) {
		virStreamFree(c.st);
		return virt_fail("console", "the domain needs a <serial type='pty'> console");
	}
	if (c.tty) {
		fprintf(stderr, "Connected to domain '%s'; ^] ends the session\n", v->a->domain);
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	virStreamEventAddCallback(c.st, VIR_STREAM_EVENT_READABLE |
				  VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
				  on_stream, &c, NULL);
	c.in_watch = virEventAddHandle(STDIN_FILENO, VIR_EVENT_HANDLE_READABLE |
				       VIR_EVENT_HANDLE_HANGUP, on_stdin, &c, NULL);
	while (!c.done && virEventRunDefaultImpl() == 0)
		;
	if (c.in_watch >= 0)
		virEventRemoveHandle(c.in_watch);
	if (c.timer >= 0)
		virEventRemoveTimeout(c.timer);
	virStreamEventRemoveCallback(c.st);
	ret = c.done < 0 ? virt_fail("console", NULL) : 0;
	virStreamFinish(c.st);
	virStreamFree(c.st);
	if (c.tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fprintf(stderr, "\n");
	}
	return ret;
}

/* ------------------------------------------------------------ main */

static int dispatch(struct virt *v)
{
	switch (v->a->cmd) {
	case CTL_DIMM_ADD:      return dimm_add(v);
	case CTL_DIMM_DEL:      return dimm_del(v);
	case CTL_DIMM_LIST:     return dimm_list(v);
	case CTL_STATUS:        return status(v);
	case CTL_CONSOLE:       return console(v);
	case CTL_BALLOON_QUERY: return balloon_query(v);
	case CTL_BALLOON_SET:   return balloon_set(v);
	case CTL_BALLOON_STATS: return balloon_stats(v);
	default:
		return cli_fail(CTL_NAME, EXIT_USAGE, "balloon auto is memvisor's own policy (x-balloon-policy); libvirt has no such call: use --qmp");
	}
}

int ctl_virt(const struct ctl_args *a)
{
	struct virt v = { 0 };
	int ret;

	if (a->cmd == CTL_BALLOON_AUTO)
		return dispatch(&v);
	if (virEventRegisterDefaultImpl())
		return virt_fail("starting libvirt's event loop", NULL);
	ret = virt_open(&v, a);
	if (!ret)
		ret = dispatch(&v);
	virt_close(&v);
	return ret;
}
