/*
 * The balloon's QMP commands, with QEMU's names, arguments, answers and
 * errors, so that libvirt and `ctl balloon` work against either VMM:
 *
 *   balloon {"value": BYTES}       target guest size (> 0); num_pages =
 *                                  (guest size - value) / 4096
 *   query-balloon                  {"actual": guest size - balloon}
 *   qom-get {"path": "/machine/peripheral/balloon0", "property": P}
 *   qom-set {"path": ..., "property": P, "value": V}
 *       guest-stats                   {"stats": {"stat-swap-in": N, ...},
 *                                      "last-update": SECONDS} (read-only;
 *                                      -1 for what the guest did not report)
 *       guest-stats-polling-interval  seconds, 0 to stop polling
 *
 * Without the device (--no-balloon), balloon and query-balloon answer
 * DeviceNotActive "No balloon device has been activated", as QEMU does.
 * BALLOON_CHANGE {"actual": ...} is emitted by balloon.c when the driver
 * changes `actual`.
 *
 * memvisor's own, with QEMU's x- prefix for what QEMU does not have:
 *   x-query-balloon-stats          the device's counters since it was
 *                                  created: {"inflated-pages",
 *                                  "deflated-pages", "reported-pages",
 *                                  "bad-pfns", "bad-requests", "discards",
 *                                  "discard-errors", "released-bytes"
 *                                  (holes punched, cumulative), "balloon-
 *                                  bytes" (held now), "policy": {...}}
 *   x-balloon-policy {"enable": BOOL, "free-host-min": BYTES,
 *                     "free-host-max", "step", "interval", "min-guest"}
 *                                  the host pressure policy (policy.c);
 *                                  keys left out keep their value
 * Pure argument handling; the device does the rest.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "balloon/balloon_internal.h"
#include "vmm/qmp.h"

#define QMP_ERROR_NOT_ACTIVE "DeviceNotActive"
#define QOM_TYPE "virtio-balloon-pci"

static bool active(struct balloon *b, struct qmp_error *err)
{
	if (b->vp)
		return true;
	qmp_error_set(err, QMP_ERROR_NOT_ACTIVE, "No balloon device has been activated");
	return false;
}

/* An integer argument, with QEMU's two complaints. 0 or -EINVAL. */
static int get_int(json_t *args, const char *name, json_int_t *out,
		   struct qmp_error *err)
{
	json_t *v = json_object_get(args, name);

	if (!v) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' is missing", name);
		return -EINVAL;
	}
	if (!json_is_integer(v)) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "Invalid parameter type for '%s', expected: integer", name);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

static json_t *qmp_balloon(void *opaque, json_t *args, struct qmp_error *err)
{
	struct balloon *b = opaque;
	json_int_t value;

	if (!active(b, err) || get_int(args, "value", &value, err))
		return NULL;
	if (value <= 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter 'target' expects a size");
		return NULL;
	}
	pthread_mutex_lock(&b->lock);
	b->user_target = value;
	pthread_mutex_unlock(&b->lock);
	balloon_set_target(b, value);
	return json_object();
}

static json_t *qmp_query_balloon(void *opaque, json_t *args,
				 struct qmp_error *err)
{
	struct balloon *b = opaque;

	if (!active(b, err))
		return NULL;
	return json_pack("{s:I}", "actual", (json_int_t)balloon_actual_bytes(b));
}

static json_t *guest_stats(struct balloon *b)
{
	json_t *stats = json_object(), *ret;
	int64_t last;
	unsigned int i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < VIRTIO_BALLOON_S_NR && stats; i++)
		json_object_set_new(stats, balloon_stat_names[i],
				    json_integer(b->stats[i]));
	last = b->last_update;
	pthread_mutex_unlock(&b->lock);
	if (!stats)
		return NULL;
	ret = json_pack("{s:o, s:I}", "stats", stats, "last-update",
			(json_int_t)last);
	return ret;
}

/* The path names the balloon (its full QOM path, or its id alone). */
static bool our_path(json_t *args, struct qmp_error *err)
{
	const char *path = json_string_value(json_object_get(args, "path"));

	if (!path) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter 'path' is missing");
		return false;
	}
	if (!strcmp(path, BALLOON_QOM_PATH) || !strcmp(path, BALLOON_ID))
		return true;
	qmp_error_set(err, QMP_ERROR_DEVICE, "Device '%s' not found", path);
	return false;
}

static const char *property(json_t *args, struct qmp_error *err)
{
	const char *p = json_string_value(json_object_get(args, "property"));

	if (!p)
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter 'property' is missing");
	return p;
}

static json_t *qmp_qom_get(void *opaque, json_t *args, struct qmp_error *err)
{
	struct balloon *b = opaque;
	const char *prop;
	json_int_t v;

	if (!our_path(args, err) || !(prop = property(args, err)))
		return NULL;
	if (!strcmp(prop, "guest-stats"))
		return guest_stats(b);
	if (!strcmp(prop, "guest-stats-polling-interval")) {
		pthread_mutex_lock(&b->lock);
		v = b->poll_interval;
		pthread_mutex_unlock(&b->lock);
		return json_integer(v);
	}
	qmp_error_set(err, QMP_ERROR_GENERIC, "Property '" QOM_TYPE ".%s' not found", prop);
	return NULL;
}

static json_t *qmp_qom_set(void *opaque, json_t *args, struct qmp_error *err)
{
	struct balloon *b = opaque;
	const char *prop;
	json_int_t v;

	if (!our_path(args, err) || !(prop = property(args, err)))
		return NULL;
	if (!strcmp(prop, "guest-stats")) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "Property '" QOM_TYPE ".guest-stats' is not writable");
		return NULL;
	}
	if (strcmp(prop, "guest-stats-polling-interval")) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Property '" QOM_TYPE ".%s' not found", prop);
		return NULL;
	}
	if (get_int(args, "value", &v, err))
		return NULL;
	if (v < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "timer value must be greater than zero");
		return NULL;
	}
	if (v > UINT32_MAX) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "timer value is too big");
		return NULL;
	}
	balloon_set_poll_interval(b, v);
	return json_object();
}

static json_t *policy_json(struct balloon *b)
{
	json_t *o;

	pthread_mutex_lock(&b->lock);
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I}",
		      "enabled", b->policy_on,
		      "free-host-min", (json_int_t)b->policy.free_min,
		      "free-host-max", (json_int_t)b->policy.free_max,
		      "step", (json_int_t)b->policy.step,
		      "interval", (json_int_t)b->policy.interval,
		      "min-guest", (json_int_t)b->policy.min_guest,
		      "actions", (json_int_t)b->policy_actions);
	pthread_mutex_unlock(&b->lock);
	return o;
}

static json_t *qmp_query_stats(void *opaque, json_t *args,
			       struct qmp_error *err)
{
	struct balloon *b = opaque;
	struct balloon_counters c;
	uint64_t held;

	if (!active(b, err))
		return NULL;
	balloon_get_counters(b, &c);
	held = balloon_ram_size(b) - balloon_actual_bytes(b);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "inflated-pages", (json_int_t)c.inflated,
			 "deflated-pages", (json_int_t)c.deflated,
			 "reported-pages", (json_int_t)c.reported,
			 "bad-pfns", (json_int_t)c.bad_pfns,
			 "bad-requests", (json_int_t)c.bad_requests,
			 "discards", (json_int_t)c.discards,
			 "discard-errors", (json_int_t)c.discard_errors,
			 "released-bytes", (json_int_t)c.released,
			 "balloon-bytes", (json_int_t)held,
			 "policy", policy_json(b));
}

/* A size argument of x-balloon-policy, if given: > 0, in 4 KiB pages. */
static int get_policy_size(json_t *args, const char *name, uint64_t *out,
			   struct qmp_error *err)
{
	json_int_t v;

	if (!json_object_get(args, name))
		return 0;
	if (get_int(args, name, &v, err))
		return -EINVAL;
	if (v <= 0 || v & (BALLOON_PAGE_SIZE - 1)) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
			      "Parameter '%s' must be a positive multiple of 4096", name);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static json_t *qmp_balloon_policy(void *opaque, json_t *args,
				  struct qmp_error *err)
{
	struct balloon *b = opaque;
	json_t *en = json_object_get(args, "enable");
	struct balloon_policy p;
	struct errmsg e = { .msg = "" };
	json_int_t iv;
	bool had_max;

	if (!active(b, err))
		return NULL;
	if (!json_is_boolean(en)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter 'enable' expects a boolean");
		return NULL;
	}
	pthread_mutex_lock(&b->lock);
	p = b->policy;
	pthread_mutex_unlock(&b->lock);
	had_max = json_object_get(args, "free-host-max") != NULL;
	if (get_policy_size(args, "free-host-min", &p.free_min, err) ||
	    get_policy_size(args, "free-host-max", &p.free_max, err) ||
	    get_policy_size(args, "step", &p.step, err) ||
	    get_policy_size(args, "min-guest", &p.min_guest, err))
		return NULL;
	if (json_object_get(args, "interval")) {
		if (get_int(args, "interval", &iv, err))
			return NULL;
		if (iv < 1 || iv > 86400) {
			qmp_error_set(err, QMP_ERROR_GENERIC,
				      "Parameter 'interval' must be from 1 to 86400 seconds");
			return NULL;
		}
		p.interval = iv;
	}
	if (!had_max && json_object_get(args, "free-host-min"))
		p.free_max = 2 * p.free_min;
	if (json_is_true(en) && balloon_policy_check(&p, "x-balloon-policy", &e)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "%s", e.msg);
		return NULL;
	}
	balloon_policy_set(b, json_is_true(en), &p);
	return json_object();
}

static const struct {
	const char *name;
	qmp_handler_fn fn;
	bool needs_device;          /* registered only with the device */
} balloon_cmds[] = {
	{ "balloon", qmp_balloon, false },
	{ "query-balloon", qmp_query_balloon, false },
	{ "qom-get", qmp_qom_get, true },
	{ "qom-set", qmp_qom_set, true },
	{ "x-query-balloon-stats", qmp_query_stats, false },
	{ "x-balloon-policy", qmp_balloon_policy, false },
};

json_t *balloon_qmp_execute(struct balloon *b, const char *cmd, json_t *args,
			    struct qmp_error *err)
{
	unsigned int i;

	for (i = 0; i < sizeof(balloon_cmds) / sizeof(balloon_cmds[0]); i++)
		if (!strcmp(balloon_cmds[i].name, cmd))
			return balloon_cmds[i].fn(b, args, err);
	qmp_error_set(err, QMP_ERROR_NOT_FOUND, "The command %s has not been found", cmd);
	return NULL;
}

int balloon_qmp_register(struct balloon *b, struct qmp_server *srv)
{
	unsigned int i;
	int ret;

	b->qmp = srv;
	for (i = 0; i < sizeof(balloon_cmds) / sizeof(balloon_cmds[0]); i++) {
		if (balloon_cmds[i].needs_device && !b->vp)
			continue;
		ret = qmp_register(srv, balloon_cmds[i].name, balloon_cmds[i].fn, b);
		if (ret)
			return ret;
	}
	return 0;
}
