/*
 * memvisor ctl balloon (the commands are listed in ctl.c).
 *
 * Sizes, as virsh setmem and QEMU's QMP mean them: `balloon SIZE` is the
 * guest's size (QMP balloon's value), `balloon --by SIZE` the balloon's
 * (target = guest size - SIZE). The guest size is QEMU's: base memory plus
 * plugged DIMMs (query-memory-size-summary); the balloon is guest size -
 * query-balloon's actual.
 *
 *   balloon               query-balloon (+ memvisor's x-query-balloon-stats:
 *                         host memory released)
 *   balloon SIZE [--wait] balloon {"value": target}; --wait polls
 *                         query-balloon until actual is the target, or it
 *                         has not moved for CTL_BALLOON_STALL_MS, or the
 *                         timeout: then says which ("stopped at" or "still
 *                         in progress") and exits 1
 *   balloon stats         qom-get guest-stats of /machine/peripheral/
 *                         balloon0; turns guest-stats-polling-interval on
 *                         (2 s) if it is 0, and says so
 *   balloon auto on|off   memvisor's x-balloon-policy
 *
 * The size checks that need the guest's size (more than the guest has,
 * a balloon as large as the guest) are made after the queries and before
 * `balloon` is sent; they are the user's mistake (exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tools/ctl/ctl_internal.h"
#include "vmm/cli.h"

#define BALLOON_QOM_PATH        "/machine/peripheral/balloon0"
#define CTL_BALLOON_POLL_MS     250
#define CTL_BALLOON_STALL_MS    10000
#define CTL_STATS_INTERVAL      2

/* ------------------------------------------------------------ pure */

int ctl_balloon_target(const struct ctl_args *a, uint64_t guest,
		       uint64_t *target, struct errmsg *e)
{
	char sz[32], gs[32];

	ctl_size(a->size, sz, sizeof(sz));
	ctl_size(guest, gs, sizeof(gs));
	if (a->by) {
		if (a->size >= guest)
			return errmsg_user(e, -EINVAL, "balloon --by %s: the guest has only %s (the balloon must leave it something)",
					   sz, gs);
		*target = guest - a->size;
		return 0;
	}
	if (a->size > guest)
		return errmsg_user(e, -EINVAL, "balloon %s: more than the guest's %s (a balloon can only take memory away)",
				   sz, gs);
	*target = a->size;
	return 0;
}

const char *ctl_balloon_wait_state(uint64_t actual, uint64_t target,
				   int64_t since_move_ms, int64_t stall_ms)
{
	if (actual == target)
		return "reached";
	return since_move_ms < stall_ms ? "still in progress" : "stopped";
}

/* ------------------------------------------------------------ queries */

/* The guest's size: base memory plus plugged DIMMs. 0 or -errno. */
static int guest_size(struct qmpc *c, uint64_t *out, struct errmsg *e)
{
	json_t *sum = NULL;
	int ret = qmpc_execute(c, "query-memory-size-summary", NULL, &sum, e);

	if (ret)
		return ret;
	*out = ctl_jint(sum, "base-memory") + ctl_jint(sum, "plugged-memory");
	json_decref(sum);
	return 0;
}

static int query_actual(struct qmpc *c, uint64_t *out, struct errmsg *e)
{
	json_t *r = NULL;
	int ret = qmpc_execute(c, "query-balloon", NULL, &r, e);

	if (ret)
		return ret;
	*out = ctl_jint(r, "actual");
	json_decref(r);
	return 0;
}

/* memvisor's counters (a new reference), or NULL on another VMM. */
static json_t *device_stats(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	json_t *r = NULL;

	if (qmpc_execute(c, "x-query-balloon-stats", NULL, &r, &e))
		return NULL;
	return r;
}

static void print_released(json_t *st)
{
	char a[32], b[32];

	if (!st) {
		printf("host released: not reported by this VMM (its query-balloon gives only actual)\n");
		return;
	}
	printf("host released: %s held by the balloon, %s given back since boot (%lld discards)\n",
	       ctl_size(ctl_jint(st, "balloon-bytes"), a, sizeof(a)),
	       ctl_size(ctl_jint(st, "released-bytes"), b, sizeof(b)),
	       (long long)ctl_jint(st, "discards"));
}

static int cmd_query(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	uint64_t guest, actual;
	char g[32], bl[32], ac[32];
	json_t *st;

	if (guest_size(c, &guest, &e) || query_actual(c, &actual, &e))
		return ctl_fail_msg(&e);
	printf("guest size: %s\n", ctl_size(guest, g, sizeof(g)));
	printf("balloon: %s (the guest has %s)\n",
	       ctl_size(guest > actual ? guest - actual : 0, bl, sizeof(bl)),
	       ctl_size(actual, ac, sizeof(ac)));
	st = device_stats(c);
	print_released(st);
	json_decref(st);
	return 0;
}

/* For ctl status: the balloon, and memvisor's counters if it has them. */
void ctl_balloon_status(struct qmpc *c, uint64_t guest)
{
	struct errmsg e = { .msg = "" };
	char bl[32], rel[32];
	uint64_t actual;
	json_t *st;

	if (query_actual(c, &actual, &e)) {
		printf("balloon: none (%s)\n", e.msg);
		return;
	}
	printf("balloon: %s (the guest has %s)\n",
	       ctl_size(guest > actual ? guest - actual : 0, bl, sizeof(bl)),
	       ctl_size(actual, rel, sizeof(rel)));
	st = device_stats(c);
	if (!st)
		return;
	printf("balloon device: inflated %lld pages, deflated %lld, reported %lld, "
	       "bad PFNs %lld, bad requests %lld, released %s\n",
	       (long long)ctl_jint(st, "inflated-pages"),
	       (long long)ctl_jint(st, "deflated-pages"),
	       (long long)ctl_jint(st, "reported-pages"),
	       (long long)ctl_jint(st, "bad-pfns"),
	       (long long)ctl_jint(st, "bad-requests"),
	       ctl_size(ctl_jint(st, "released-bytes"), rel, sizeof(rel)));
	if (json_is_true(json_object_get(json_object_get(st, "policy"), "enabled")))
		printf("balloon policy: on, %lld actions\n", (long long)ctl_jint(
		       json_object_get(st, "policy"), "actions"));
	json_decref(st);
}

/* ------------------------------------------------------------ set */

void ctl_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

int ctl_balloon_wait(ctl_actual_fn actual_of, void *opaque, uint64_t target,
		     int64_t timeout_ms, double t0)
{
	int64_t deadline = qmpc_now_ms() + timeout_ms, moved;
	uint64_t actual, last = 0;
	const char *state;
	char a[32], t[32];
	int ret;

	moved = qmpc_now_ms();
	for (;;) {
		ret = actual_of(opaque, &actual);
		if (ret)
			return ret;
		if (actual != last)
			moved = qmpc_now_ms(), last = actual;
		state = ctl_balloon_wait_state(actual, target, qmpc_now_ms() - moved,
					       CTL_BALLOON_STALL_MS);
		if (strcmp(state, "still in progress") || qmpc_now_ms() >= deadline)
			break;
		ctl_sleep_ms(CTL_BALLOON_POLL_MS);
	}
	ctl_size(actual, a, sizeof(a));
	ctl_size(target, t, sizeof(t));
	if (!strcmp(state, "reached")) {
		printf("balloon: the guest has %s (%.0f ms)\n", a, qmpc_now_ms_f() - t0);
		return 0;
	}
	if (!strcmp(state, "stopped"))
		return cli_fail(CTL_NAME, EXIT_FAIL, "balloon: stopped at %s, target %s (not moved for %d s)",
				a, t, CTL_BALLOON_STALL_MS / 1000);
	return cli_fail(CTL_NAME, EXIT_FAIL, "balloon: still in progress after %lld s: the guest has %s, target %s",
			(long long)timeout_ms / 1000, a, t);
}

/* query-balloon's actual for ctl_balloon_wait. */
static int qmp_actual(void *opaque, uint64_t *actual)
{
	struct errmsg e = { .msg = "" };

	return query_actual(opaque, actual, &e) ? ctl_fail_msg(&e) : 0;
}

static int cmd_set(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" };
	uint64_t guest, actual, target;
	char g[32], t[32], b[32];
	double t0;

	if (guest_size(c, &guest, &e) || query_actual(c, &actual, &e))
		return ctl_fail_msg(&e);
	if (ctl_balloon_target(a, guest, &target, &e))
		return cli_fail(CTL_NAME, EXIT_USAGE, "%s", e.msg);
	t0 = qmpc_now_ms_f();
	if (qmpc_execute(c, "balloon", json_pack("{s:I}", "value", (json_int_t)target),
			 NULL, &e))
		return ctl_fail_msg(&e);
	printf("balloon: target %s of %s (balloon %s)\n", ctl_size(target, t, sizeof(t)),
	       ctl_size(guest, g, sizeof(g)), ctl_size(guest - target, b, sizeof(b)));
	return a->wait ? ctl_balloon_wait(qmp_actual, c, target, qmpc_timeout_ms(c), t0) : 0;
}

/* ------------------------------------------------------------ stats */

static bool is_bytes(const char *name)
{
	return strstr(name, "memory") || strstr(name, "swap") ||
	       strstr(name, "caches");
}

/* Turn polling on if it is off: 1 if it did, 0 if it was on, -errno. */
static int poll_interval(struct qmpc *c, struct errmsg *e)
{
	json_t *v = NULL;
	int ret = qmpc_execute(c, "qom-get", json_pack("{s:s, s:s}", "path",
			       BALLOON_QOM_PATH, "property",
			       "guest-stats-polling-interval"), &v, e);

	if (ret)
		return ret;
	ret = json_integer_value(v);
	json_decref(v);
	if (ret)
		return 0;
	ret = qmpc_execute(c, "qom-set", json_pack("{s:s, s:s, s:i}", "path",
			   BALLOON_QOM_PATH, "property", "guest-stats-polling-interval",
			   "value", CTL_STATS_INTERVAL), NULL, e);
	if (ret)
		return ret;
	printf("statistics polling was off: turned it on, every %d s (guest-stats-polling-interval)\n",
	       CTL_STATS_INTERVAL);
	return 1;
}

/* guest-stats once the guest has reported (a new reference), or NULL;
 * @fresh: polling was just turned on, so the first report may be the
 * guest's boot-time buffer: wait for the next one. */
static json_t *wait_stats(struct qmpc *c, bool fresh, struct errmsg *e)
{
	int64_t deadline = qmpc_now_ms() + qmpc_timeout_ms(c);
	json_int_t first = 0;
	json_t *r;

	for (;;) {
		r = NULL;
		if (qmpc_execute(c, "qom-get", json_pack("{s:s, s:s}", "path",
				 BALLOON_QOM_PATH, "property", "guest-stats"), &r, e))
			return NULL;
		if (!first)
			first = ctl_jint(r, "last-update");
		if ((ctl_jint(r, "last-update") &&
		     (!fresh || ctl_jint(r, "last-update") != first)) ||
		    qmpc_now_ms() >= deadline)
			return r;
		json_decref(r);
		ctl_sleep_ms(CTL_BALLOON_POLL_MS);
	}
}

static int cmd_stats(struct qmpc *c)
{
	struct errmsg e = { .msg = "" };
	const char *name;
	json_t *r, *v;
	char sz[32];
	int on = poll_interval(c, &e);

	if (on < 0 || !(r = wait_stats(c, on, &e)))
		return ctl_fail_msg(&e);
	if (!ctl_jint(r, "last-update")) {
		json_decref(r);
		return cli_fail(CTL_NAME, EXIT_FAIL, "balloon stats: the guest has not reported statistics within %lld s",
				(long long)qmpc_timeout_ms(c) / 1000);
	}
	printf("last update: %lld (seconds since the epoch)\n",
	       (long long)ctl_jint(r, "last-update"));
	json_object_foreach(json_object_get(r, "stats"), name, v) {
		json_int_t n = json_integer_value(v);

		if (n < 0)
			printf("%-24s -\n", name);
		else if (is_bytes(name))
			printf("%-24s %s\n", name, ctl_size(n, sz, sizeof(sz)));
		else
			printf("%-24s %lld\n", name, (long long)n);
	}
	json_decref(r);
	return 0;
}

/* ------------------------------------------------------------ auto */

static int cmd_auto(struct qmpc *c, const struct ctl_args *a)
{
	struct errmsg e = { .msg = "" };
	const struct balloon_policy *p = &a->policy;
	json_t *args = json_pack("{s:b}", "enable", a->auto_on), *st, *pol;
	char lo[32], hi[32], step[32], min[32];

	if (a->policy_given) {
		json_object_set_new(args, "free-host-min", json_integer(p->free_min));
		json_object_set_new(args, "free-host-max", json_integer(p->free_max));
		json_object_set_new(args, "step", json_integer(p->step));
		json_object_set_new(args, "interval", json_integer(p->interval));
		json_object_set_new(args, "min-guest", json_integer(p->min_guest));
	}
	if (qmpc_execute(c, "x-balloon-policy", args, NULL, &e)) {
		if (strstr(e.msg, "not been found") || strstr(e.msg, "not found"))
			return cli_fail(CTL_NAME, EXIT_FAIL, "balloon auto: this VMM has no host pressure policy (x-balloon-policy is memvisor's)");
		return ctl_fail_msg(&e);
	}
	st = device_stats(c);
	pol = json_object_get(st, "policy");
	if (!a->auto_on || !pol)
		printf("balloon policy: %s\n", a->auto_on ? "on" : "off");
	else
		printf("balloon policy: on: inflate under %s host MemAvailable, deflate over %s, %s every %lld s, guest never under %s\n",
		       ctl_size(ctl_jint(pol, "free-host-min"), lo, sizeof(lo)),
		       ctl_size(ctl_jint(pol, "free-host-max"), hi, sizeof(hi)),
		       ctl_size(ctl_jint(pol, "step"), step, sizeof(step)),
		       (long long)ctl_jint(pol, "interval"),
		       ctl_size(ctl_jint(pol, "min-guest"), min, sizeof(min)));
	json_decref(st);
	return 0;
}

int ctl_balloon(struct qmpc *c, const struct ctl_args *a)
{
	switch (a->cmd) {
	case CTL_BALLOON_QUERY: return cmd_query(c);
	case CTL_BALLOON_SET:   return cmd_set(c, a);
	case CTL_BALLOON_STATS: return cmd_stats(c);
	default:                return cmd_auto(c, a);
	}
}
