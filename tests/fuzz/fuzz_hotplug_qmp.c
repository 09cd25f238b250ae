/*
 * Fuzz the arguments of the memory hotplug QMP commands (object-add,
 * device_add, device_del, object-del, query-*) through memhp_qmp_call, as
 * tests/unit/test_hotplug.c drives them: DIMMs for real (memfd and mapping)
 * in guest memory with no VM.
 *
 * Input: a JSON array of steps, each {"execute": NAME, "arguments": {...}}
 * or {"io": [OFFSET, LEN, VALUE]} (a guest write to the register block,
 * e.g. an eject). A fresh controller per input (4 slots, maxmem 1G over
 * 256M of RAM, so at most 768M of sparse memfds), freed at the end, so
 * every DIMM's memory is released.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/memory.h"
#include "vmm/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_STEPS 32

static struct guest_mem mem;
static struct hotplug_config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct errmsg e = { .msg = "" };

	hotplug_config_init(&cfg);
	if (hotplug_parse_slots(&cfg, "4", &e) ||
	    hotplug_parse_maxmem(&cfg, "1G", &e) ||
	    hotplug_parse_numa(&cfg, "2", &e) ||
	    hotplug_parse_dimm(&cfg, "128M,id=cold", &e) ||
	    hotplug_config_finish(&cfg, 256ull << 20, &e) ||
	    guest_mem_init(&mem, -1, 256ull << 20, &e))
		abort();
	return 0;
}

static void io_step(struct memhp *hp, json_t *io)
{
	json_int_t off = json_integer_value(json_array_get(io, 0));
	json_int_t len = json_integer_value(json_array_get(io, 1));
	json_int_t val = json_integer_value(json_array_get(io, 2));

	/* What the bus hands the device: inside the block, 1, 2 or 4 bytes. */
	if (off < 0 || len < 1 || len > 4 || len == 3 || off + len > MEMHP_IO_LEN)
		return;
	memhp_io_write(hp, off, len, (uint32_t)val);
	memhp_io_read(hp, off, len);
}

static void step(struct memhp *hp, json_t *s)
{
	struct qmp_error err = { "", "" };
	const char *name = json_string_value(json_object_get(s, "execute"));
	json_t *args = json_object_get(s, "arguments"), *ret;

	if (json_is_array(json_object_get(s, "io"))) {
		io_step(hp, json_object_get(s, "io"));
		return;
	}
	if (!name)
		return;
	if (!json_is_object(args))
		args = NULL;
	args = args ? json_incref(args) : json_object();
	ret = memhp_qmp_call(hp, name, args, &err);
	json_decref(ret);
	json_decref(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errmsg e = { .msg = "" };
	json_t *steps = json_loadb((const char *)data, size, 0, NULL);
	struct memhp *hp;
	size_t i;

	if (!json_is_array(steps))
		goto out;
	hp = memhp_new(&mem, NULL, &cfg, &e);
	if (!hp)
		abort();
	for (i = 0; i < json_array_size(steps) && i < MAX_STEPS; i++)
		step(hp, json_array_get(steps, i));
	memhp_free(hp);
out:
	json_decref(steps);
	return 0;
}
