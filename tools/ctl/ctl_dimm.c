/*
 * memvisor ctl dimm add / dimm del (the commands are listed in ctl.c).
 *
 * A DIMM "ID" is a pc-dimm device plus its own memory backend "mem-ID".
 * Both VMMs keep a backend after its DIMM is gone, until object-del; and
 * the guest ejects a DIMM when it has moved its pages away, which may be
 * long after `dimm del` has returned (without --wait, or after a timeout).
 * So the pair comes apart, and ctl puts it back together:
 *
 *   - dimm add finds the backend "mem-ID" already there and used by no
 *     DIMM (query-memory-devices): it deletes it, says so, and creates it
 *     anew at the size asked for;
 *   - dimm del of an ID with no DIMM deletes what is left: the backend;
 *   - after DEVICE_DELETED, a backend that no DIMM uses and that object-del
 *     cannot find was deleted by another client (two `dimm del --wait` of
 *     one DIMM both end well): both VMMs refuse to delete an unused backend
 *     only when it does not exist.
 *
 * What ctl reports is what the guest said, nothing more: an insertion's
 * _OST success means the guest acknowledged the DIMM; a removal ends with
 * DEVICE_DELETED (ejected) or an eject _OST failure (refused), and at the
 * timeout it is still in progress: the guest may eject the DIMM later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "abi/memhp.h"
#include "tools/ctl/ctl_internal.h"
#include "vmm/cli.h"

#define CTL_ID_LEN 96           /* an id or "mem-" + id, with the NUL */

struct ost_wait {
	const char *id;
	bool eject;             /* removal: DEVICE_DELETED or eject OST */
};

/* An OST failure (not success, not "in progress") for @source's kind. */
static bool ost_failed(uint32_t source, uint32_t status)
{
	if (status == ACPI_OST_SC_SUCCESS)
		return false;
	return ctl_ost_is_eject(source) ? status != ACPI_OST_SC_EJECT_IN_PROGRESS :
					  status != ACPI_OST_SC_INSERT_IN_PROGRESS;
}

/* ACPI_DEVICE_OST about our device and of the kind we wait for (an
 * insertion's final answer, an eject's failure), or our DEVICE_DELETED. */
static bool match_dimm_event(json_t *ev, const void *arg)
{
	const struct ost_wait *w = arg;
	const char *name = ctl_jstr(ev, "event");
	json_t *data = json_object_get(ev, "data");
	json_t *info = json_object_get(data, "info");
	uint32_t src = ctl_jint(info, "source"), st = ctl_jint(info, "status");

	if (!strcmp(name, "DEVICE_DELETED"))
		return w->eject && !strcmp(ctl_jstr(data, "device"), w->id);
	if (strcmp(name, "ACPI_DEVICE_OST") || strcmp(ctl_jstr(info, "device"), w->id))
		return false;
	if (w->eject)
		return ctl_ost_is_eject(src) && ost_failed(src, st);
	return !ctl_ost_is_eject(src) && st != ACPI_OST_SC_INSERT_IN_PROGRESS;
}

/* How many DIMMs use backend @memdev: >= 0, or -errno with @e filled. */
static int backend_users(struct qmpc *c, const char *memdev, struct errmsg *e)
{
	json_t *list = NULL, *d;
	char path[CTL_ID_LEN + 16];
	int n = 0, ret;
	size_t i;

	snprintf(path, sizeof(path), "/objects/%s", memdev);
	ret = qmpc_execute(c, "query-memory-devices", NULL, &list, e);
	if (ret)
		return ret;
	json_array_foreach(list, i, d)
		n += !strcmp(ctl_jstr(json_object_get(d, "data"), "memdev"), path);
	json_decref(list);
	return n;
}

static int object_del(struct qmpc *c, const char *memdev, struct errmsg *e)
{
	return qmpc_execute(c, "object-del", json_pack("{s:s}", "id", memdev),
			    NULL, e);
}

/* ------------------------------------------------------------ dimm add */

/* The first "dimmN" no DIMM uses. */
static int pick_id(struct qmpc *c, char *id, size_t len, struct errmsg *e)
{
	json_t *d;
	int n;

	for (n = 0; n < 1024; n++) {
		snprintf(id, len, "dimm%d", n);
		d = ctl_find_dimm(c, id, e);
		if (!d)
			return e->msg[0] ? -EREMOTEIO : 0;
		json_decref(d);
	}
	return errmsg_set(e, -ENOSPC, "no free DIMM id");
}

static int backend_add(struct qmpc *c, const char *memdev, uint64_t size,
		       struct errmsg *e)
{
	return qmpc_execute(c, "object-add",
			    json_pack("{s:s, s:s, s:I}", "qom-type", "memory-backend-ram",
				      "id", memdev, "size", (json_int_t)size), NULL, e);
}

/* Create backend @memdev for DIMM @id; one left unused by an earlier
 * removal is replaced. 0 or the exit status. */
static int add_backend(struct qmpc *c, const char *id, const char *memdev,
		       uint64_t size)
{
	struct errmsg e = { .msg = "" }, why = { .msg = "" };
	int ret = backend_add(c, memdev, size, &e);

	if (!ret)
		return 0;
	if (ret != -EREMOTEIO || backend_users(c, memdev, &why) != 0 ||
	    object_del(c, memdev, &why))
		return ctl_fail_msg(&e);        /* not a stale backend */
	printf("dimm %s: deleted backend %s, which no DIMM used (left by an earlier removal)\n",
	       id, memdev);
	e = (struct errmsg){ .msg = "" };
	return backend_add(c, memdev, size, &e) ? ctl_fail_msg(&e) : 0;
}

static void print_dimm(json_t *d)
{
	char sz[32];

	printf("dimm %s: slot %lld, base 0x%llx, size %s, node %lld\n",
	       ctl_jstr(d, "id"), (long long)ctl_jint(d, "slot"),
	       (unsigned long long)ctl_jint(d, "addr"),
	       ctl_size(ctl_jint(d, "size"), sz, sizeof(sz)),
	       (long long)ctl_jint(d, "node"));
}

/* --wait for the guest's answer to the insertion of @id. */
static int wait_added(struct qmpc *c, const char *id, double t0)
{
	struct ost_wait w = { .id = id };
	struct errmsg e = { .msg = "" };
	json_t *ev, *info;
	int r = qmpc_wait_event(c, match_dimm_event, &w,
				qmpc_now_ms() + qmpc_timeout_ms(c), &ev);
	uint32_t src, st;

	if (r == 0)
		return cli_fail(CTL_NAME, EXIT_FAIL, "the guest did not acknowledge dimm %s within %lld s (it stays plugged; remove it with 'dimm del %s')",
				id, (long long)qmpc_timeout_ms(c) / 1000, id);
	if (r < 0)
		return qmpc_lost(&e, r), ctl_fail_msg(&e);
	info = json_object_get(json_object_get(ev, "data"), "info");
	src = ctl_jint(info, "source");
	st = ctl_jint(info, "status");
	json_decref(ev);
	if (st != ACPI_OST_SC_SUCCESS)
		return cli_fail(CTL_NAME, EXIT_FAIL, "the guest failed to add dimm %s: %s (_OST event 0x%x, status 0x%x)",
				id, ctl_ost_meaning(src, st), src, st);
	printf("dimm %s: acknowledged by the guest (_OST success) in %.3f ms\n",
	       id, qmpc_now_ms_f() - t0);
	return 0;
}

int ctl_dimm_add(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" }, ignored = { .msg = "" };
	char id[CTL_ID_LEN - 8], memdev[CTL_ID_LEN];
	json_t *d;
	double t0;
	int ret;

	if (a->id) {
		snprintf(id, sizeof(id), "%s", a->id);
		d = ctl_find_dimm(c, id, &e);
		json_decref(d);
		if (d)
			return cli_fail(CTL_NAME, EXIT_FAIL, "dimm %s already exists", id);
		if (e.msg[0])
			return ctl_fail_msg(&e);
	} else if (pick_id(c, id, sizeof(id), &e)) {
		return ctl_fail_msg(&e);
	}
	snprintf(memdev, sizeof(memdev), "mem-%s", id);
	ret = add_backend(c, id, memdev, a->size);
	if (ret)
		return ret;
	t0 = qmpc_now_ms_f();
	if (qmpc_execute(c, "device_add",
			 json_pack("{s:s, s:s, s:s, s:i}", "driver", "pc-dimm", "id", id,
				   "memdev", memdev, "node", (int)a->node), NULL, &e)) {
		object_del(c, memdev, &ignored);
		return ctl_fail_msg(&e);
	}
	d = ctl_find_dimm(c, id, &e);
	if (d)
		print_dimm(d);
	json_decref(d);
	return a->wait ? wait_added(c, id, t0) : 0;
}

/* ------------------------------------------------------------ dimm del */

/* After DIMM @id is gone: delete its backend @memdev ("" if none). */
static int delete_backend(struct qmpc *c, const char *id, const char *memdev)
{
	struct errmsg e = { .msg = "" }, why = { .msg = "" };
	int ret;

	if (!memdev[0])
		return 0;
	ret = object_del(c, memdev, &e);
	if (ret == -EREMOTEIO && backend_users(c, memdev, &why) == 0) {
		printf("dimm %s: its backend %s was already deleted (by another client)\n",
		       id, memdev);
		return 0;
	}
	return ret ? ctl_fail_msg(&e) : 0;
}

/* The slot's last _OST says the guest is ejecting DIMM @id. */
static bool eject_in_progress(struct qmpc *c, const char *id)
{
	struct errmsg e = { .msg = "" };
	json_t *ost = NULL, *o;
	bool yes = false;
	size_t i;

	if (qmpc_execute(c, "query-acpi-ospm-status", NULL, &ost, &e))
		return false;
	json_array_foreach(ost, i, o)
		if (!strcmp(ctl_jstr(o, "device"), id))
			yes = ctl_ost_is_eject(ctl_jint(o, "source")) &&
			      ctl_jint(o, "status") == ACPI_OST_SC_EJECT_IN_PROGRESS;
	json_decref(ost);
	return yes;
}

/* --wait ran out: the request stands and the guest may still eject the
 * DIMM, so say that, and how to follow it. */
static int del_timed_out(struct qmpc *c, const struct ctl_args *a,
			 const char *memdev)
{
	bool ejecting = eject_in_progress(c, a->id);

	return cli_fail(CTL_NAME, EXIT_FAIL, "the guest did not eject dimm %s within %u s; the removal is still in progress %s: follow it with 'memvisor ctl --qmp %s dimm list' or the DEVICE_DELETED event (the DIMM's memory is freed when it is ejected; then 'dimm del %s' deletes its backend %s)",
			a->id, a->timeout,
			ejecting ? "in the guest (its _OST: ejection in progress)" :
			"(the guest has not answered yet; moving the pages off a DIMM can take minutes)",
			a->qmp, a->id, memdev);
}

/* --wait for DEVICE_DELETED, or the guest's refusal. */
static int wait_deleted(struct qmpc *c, const struct ctl_args *a,
			const char *memdev, double t0)
{
	struct ost_wait w = { .id = a->id, .eject = true };
	struct errmsg e = { .msg = "" };
	json_t *ev, *info;
	uint32_t src, st;
	int r = qmpc_wait_event(c, match_dimm_event, &w,
				qmpc_now_ms() + qmpc_timeout_ms(c), &ev);

	if (r == 0)
		return del_timed_out(c, a, memdev);
	if (r < 0)
		return qmpc_lost(&e, r), ctl_fail_msg(&e);
	if (!strcmp(ctl_jstr(ev, "event"), "ACPI_DEVICE_OST")) {
		info = json_object_get(json_object_get(ev, "data"), "info");
		src = ctl_jint(info, "source");
		st = ctl_jint(info, "status");
		json_decref(ev);
		return cli_fail(CTL_NAME, EXIT_FAIL, "the guest refused to remove dimm %s: %s (_OST event 0x%x, status 0x%x); it stays plugged",
				a->id, ctl_ost_meaning(src, st), src, st);
	}
	json_decref(ev);
	printf("dimm %s: ejected by the guest in %.3f ms\n", a->id,
	       qmpc_now_ms_f() - t0);
	return delete_backend(c, a->id, memdev);
}

/* No DIMM @id: delete its backend, left by a removal ctl did not see end. */
static int del_leftover(struct qmpc *c, const char *id)
{
	struct errmsg e = { .msg = "" };
	char memdev[CTL_ID_LEN];

	snprintf(memdev, sizeof(memdev), "mem-%s", id);
	if (object_del(c, memdev, &e))
		return cli_fail(CTL_NAME, EXIT_FAIL, "dimm '%s' not found", id);
	printf("dimm %s: already ejected; deleted its backend %s\n", id, memdev);
	return 0;
}

int ctl_dimm_del(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" }, why = { .msg = "" };
	char memdev[CTL_ID_LEN] = "";
	json_t *d = ctl_find_dimm(c, a->id, &e);
	double t0;

	if (!d && e.msg[0])
		return ctl_fail_msg(&e);
	if (!d)
		return del_leftover(c, a->id);
	if (!strncmp(ctl_jstr(d, "memdev"), "/objects/", 9))
		snprintf(memdev, sizeof(memdev), "%s", ctl_jstr(d, "memdev") + 9);
	json_decref(d);
	t0 = qmpc_now_ms_f();
	if (qmpc_execute(c, "device_del", json_pack("{s:s}", "id", a->id), NULL, &e)) {
		d = ctl_find_dimm(c, a->id, &why);
		json_decref(d);
		if (d || why.msg[0])
			return ctl_fail_msg(&e);
		/* Ejected for an earlier request just before ours. */
		printf("dimm %s: ejected by the guest (for an earlier request)\n", a->id);
		return delete_backend(c, a->id, memdev);
	}
	if (a->wait)
		return wait_deleted(c, a, memdev, t0);
	printf("dimm %s: removal requested; the guest ejects it (then 'dimm del %s' deletes backend %s)\n",
	       a->id, a->id, memdev);
	return 0;
}
