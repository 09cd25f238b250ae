/*
 * QMP commands of memory hotplug, with QEMU's names, arguments and answers:
 *
 *   object-add {"qom-type": "memory-backend-ram"|"memory-backend-memfd",
 *               "id": ID, "size": BYTES}
 *   object-del {"id": ID}
 *   device_add {"driver": "pc-dimm", "id": ID, "memdev": ID, "node": N}
 *   device_del {"id": ID}
 *   query-memory-devices    [{"type": "dimm", "data": {"addr", "size",
 *                            "slot", "node", "memdev": "/objects/ID", "id",
 *                            "hotplugged", "hotpluggable"}}]
 *   query-acpi-ospm-status  [{"device"?, "slot", "slot-type": "DIMM",
 *                            "source", "status"}], one per slot
 *
 * and the events ACPI_DEVICE_OST {"info": ACPIOSTInfo} and DEVICE_DELETED
 * {"device", "path"}, emitted by dimm.c. This file only parses arguments
 * and shapes answers: each command takes memhp.lock around one call into
 * dimm.c and delivers the resulting events after dropping it. Errors are
 * GenericError with the reason, except device_del of an unknown id, which
 * is DeviceNotFound as in QEMU (libvirt relies on that class).
 */
#include <errno.h>
#include <string.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/qmp.h"
#include "vmm/util.h"

static const char *const memdev_types[] = {
	"memory-backend-ram", "memory-backend-memfd",
};

/* Properties of a backend that QEMU has and that change nothing here. */
static const char *const memdev_ignored[] = {
	"qom-type", "id", "size", "props", "share", "merge", "dump",
	"prealloc", "seal", "reserve", "x-use-canonical-path-for-ramblock-id",
};

static const char *const dimm_props[] = { "driver", "id", "memdev", "node" };

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* The first member of @args not in @list, or NULL. */
static const char *unknown_member(json_t *args, const char *const *list,
				  size_t n)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
		if (!in_list(key, list, n))
			return key;
	return NULL;
}

static const char *get_str(json_t *args, const char *name)
{
	return json_string_value(json_object_get(args, name));
}

/* An unsigned integer member, given as a JSON number or a decimal string
 * (device_add properties come both ways). 0, -ENOENT or -EINVAL. */
static int get_uint(json_t *args, const char *name, uint64_t *out)
{
	json_t *v = json_object_get(args, name);
	unsigned long n;

	if (!v)
		return -ENOENT;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && !parse_uint(json_string_value(v), 0, ~0ul, &n)) {
		*out = n;
		return 0;
	}
	return -EINVAL;
}

/* Size as a JSON number of bytes, or a string with a K/M/G/T suffix. */
static int get_size(json_t *args, uint64_t *out)
{
	json_t *v = json_object_get(args, "size");

	if (v && json_is_string(v))
		return parse_size(json_string_value(v), 0, out) ? -EINVAL : 0;
	return get_uint(args, "size", out);
}

static json_t *fail(struct qmp_error *err, const struct errmsg *e, int ret)
{
	qmp_error_set(err, ret == -ENODEV ? QMP_ERROR_DEVICE : QMP_ERROR_GENERIC,
		      "%s", e->msg);
	return NULL;
}

static json_t *missing(struct qmp_error *err, const char *name)
{
	qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' is missing", name);
	return NULL;
}

/* ------------------------------------------------------------ objects */

static json_t *qmp_object_add(void *opaque, json_t *args, struct qmp_error *err)
{
	struct errmsg e = { .msg = "" };
	const char *type = get_str(args, "qom-type"), *id = get_str(args, "id");
	json_t *props = json_object_get(args, "props");
	struct memhp *hp = opaque;
	const char *bad;
	uint64_t size;
	int ret;

	if (!type)
		return missing(err, "qom-type");
	if (!in_list(type, memdev_types, ARRAY_SIZE(memdev_types))) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "object type '%s' is not supported (memory-backend-ram or memory-backend-memfd)",
			      type);
		return NULL;
	}
	if (!id)
		return missing(err, "id");
	if (hotplug_backend_id_check(id, &e))
		return fail(err, &e, -EINVAL);
	if (json_is_object(props))      /* QEMU before 6.0: {"props": {...}} */
		args = props;
	bad = unknown_member(args, memdev_ignored, ARRAY_SIZE(memdev_ignored));
	if (bad) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Property '%s.%s' not found", type, bad);
		return NULL;
	}
	ret = get_size(args, &size);
	if (ret == -ENOENT)
		return missing(err, "size");
	if (ret) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "'size' must be a number of bytes");
		return NULL;
	}
	if (hotplug_dimm_size_check(size, &e))
		return fail(err, &e, -EINVAL);
	type = !strcmp(type, memdev_types[0]) ? memdev_types[0] : memdev_types[1];
	pthread_mutex_lock(&hp->lock);
	ret = __memdev_add(hp, id, type, size, &e);
	pthread_mutex_unlock(&hp->lock);
	return ret ? fail(err, &e, ret) : json_object();
}

static json_t *qmp_object_del(void *opaque, json_t *args, struct qmp_error *err)
{
	struct errmsg e = { .msg = "" };
	const char *id = get_str(args, "id");
	struct memhp *hp = opaque;
	int ret;

	if (!id)
		return missing(err, "id");
	pthread_mutex_lock(&hp->lock);
	ret = __memdev_del(hp, id, &e);
	pthread_mutex_unlock(&hp->lock);
	return ret ? fail(err, &e, ret) : json_object();
}

/* ------------------------------------------------------------ devices */

static json_t *qmp_device_add(void *opaque, json_t *args, struct qmp_error *err)
{
	struct errmsg e = { .msg = "" };
	const char *driver = get_str(args, "driver"), *bad;
	struct memhp_pending p = { 0 };
	struct memhp *hp = opaque;
	uint64_t node = 0;
	int ret;

	if (!driver)
		return missing(err, "driver");
	if (strcmp(driver, "pc-dimm")) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "driver '%s' is not supported (only pc-dimm)",
			      driver);
		return NULL;
	}
	bad = unknown_member(args, dimm_props, ARRAY_SIZE(dimm_props));
	if (bad) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Property 'pc-dimm.%s' not found", bad);
		return NULL;
	}
	if (get_str(args, "id") && hotplug_dimm_id_check(get_str(args, "id"), &e))
		return fail(err, &e, -EINVAL);
	ret = get_uint(args, "node", &node);
	if (ret == -EINVAL || node > UINT32_MAX) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "'node' must be a NUMA node number");
		return NULL;
	}
	pthread_mutex_lock(&hp->lock);
	ret = __dimm_plug(hp, get_str(args, "id"), get_str(args, "memdev"),
			  node, true, &p, &e);
	pthread_mutex_unlock(&hp->lock);
	memhp_flush(hp, &p);
	return ret ? fail(err, &e, ret) : json_object();
}

static json_t *qmp_device_del(void *opaque, json_t *args, struct qmp_error *err)
{
	struct errmsg e = { .msg = "" };
	const char *id = get_str(args, "id");
	struct memhp_pending p = { 0 };
	struct memhp *hp = opaque;
	int ret;

	if (!id)
		return missing(err, "id");
	pthread_mutex_lock(&hp->lock);
	ret = __dimm_unplug_request(hp, id, &p, &e);
	pthread_mutex_unlock(&hp->lock);
	memhp_flush(hp, &p);
	return ret ? fail(err, &e, ret) : json_object();
}

/* ------------------------------------------------------------ queries */

static json_t *dimm_info(const struct memhp *hp, unsigned int slot)
{
	const struct dimm *d = &hp->dimm[slot];
	char memdev[MEMHP_ID_MAX + 16];
	json_t *data;

	snprintf(memdev, sizeof(memdev), "/objects/%s", hp->memdev[d->memdev].id);
	data = json_pack("{s:I, s:I, s:i, s:i, s:s, s:b, s:b}",
			 "addr", (json_int_t)d->base, "size", (json_int_t)d->size,
			 "slot", (int)slot, "node", (int)d->node, "memdev", memdev,
			 "hotplugged", d->hotplugged, "hotpluggable", 1);
	if (data && d->id[0])
		json_object_set_new(data, "id", json_string(d->id));
	return json_pack("{s:s, s:o}", "type", "dimm", "data", data);
}

static json_t *qmp_query_memory_devices(void *opaque, json_t *args,
					struct qmp_error *err)
{
	struct memhp *hp = opaque;
	json_t *list = json_array();
	unsigned int i;

	pthread_mutex_lock(&hp->lock);
	for (i = 0; i < hp->regs.nr_slots; i++)
		if (hp->dimm[i].plugged)
			json_array_append_new(list, dimm_info(hp, i));
	pthread_mutex_unlock(&hp->lock);
	return list;
}

static json_t *qmp_query_ospm_status(void *opaque, json_t *args,
				     struct qmp_error *err)
{
	struct memhp *hp = opaque;
	json_t *list = json_array();
	unsigned int i;

	pthread_mutex_lock(&hp->lock);
	for (i = 0; i < hp->regs.nr_slots; i++)
		json_array_append_new(list, __memhp_ost_info(hp, i));
	pthread_mutex_unlock(&hp->lock);
	return list;
}

/* ------------------------------------------------------------ registration */

static const struct {
	const char *name;
	qmp_handler_fn fn;
} hotplug_commands[] = {
	{ "object-add", qmp_object_add },
	{ "object-del", qmp_object_del },
	{ "device_add", qmp_device_add },
	{ "device_del", qmp_device_del },
	{ "query-memory-devices", qmp_query_memory_devices },
	{ "query-acpi-ospm-status", qmp_query_ospm_status },
};

json_t *memhp_qmp_call(struct memhp *hp, const char *name, json_t *args,
		       struct qmp_error *err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hotplug_commands); i++)
		if (!strcmp(hotplug_commands[i].name, name))
			return hotplug_commands[i].fn(hp, args, err);
	qmp_error_set(err, QMP_ERROR_NOT_FOUND, "The command %s has not been found", name);
	return NULL;
}

static void emit_qmp(void *opaque, const char *event, json_t *data)
{
	qmp_emit_event(opaque, event, data);
}

int hotplug_qmp_register(struct memhp *hp, struct qmp_server *srv)
{
	unsigned int i;
	int ret;

	pthread_mutex_lock(&hp->lock);
	hp->emit = emit_qmp;
	hp->emit_opaque = srv;
	pthread_mutex_unlock(&hp->lock);
	for (i = 0; i < ARRAY_SIZE(hotplug_commands); i++) {
		ret = qmp_register(srv, hotplug_commands[i].name,
				   hotplug_commands[i].fn, hp);
		if (ret)
			return ret;
	}
	return 0;
}
