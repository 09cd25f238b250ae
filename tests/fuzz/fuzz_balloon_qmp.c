/*
 * Fuzz the arguments of the balloon's QMP commands (balloon, query-balloon,
 * qom-get, qom-set, x-query-balloon-stats, x-balloon-policy) through
 * balloon_qmp_execute, as tests/unit/test_balloon.c drives them: a device
 * with no VM (no threads; the policy decides nothing) over 64M of memory.
 *
 * Input: a JSON array of steps, each {"execute": NAME, "arguments": {...}}.
 * A fresh device per input, freed at the end. balloon_policy_set logs to
 * stderr; that is expected.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "balloon/balloon_internal.h"
#include "vmm/bus.h"
#include "vmm/pci.h"
#include "vmm/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_STEPS 32
#define RAM (64ull << 20)

static struct guest_mem mem;
static struct bus mmio;

static int irq_cb(void *o, unsigned int gsi, int level)
{
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (guest_mem_init(&mem, -1, RAM, NULL))
		abort();
	bus_init(&mmio, "mmio");
	return 0;
}

static void step(struct balloon *b, json_t *s)
{
	struct qmp_error err = { "", "" };
	const char *name = json_string_value(json_object_get(s, "execute"));
	json_t *args = json_object_get(s, "arguments"), *ret;

	if (!name)
		return;
	args = json_is_object(args) ? json_incref(args) : json_object();
	ret = balloon_qmp_execute(b, name, args, &err);
	json_decref(ret);
	json_decref(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *steps = json_loadb((const char *)data, size, 0, NULL);
	struct balloon_config c;
	struct pci_bus *pb;
	struct balloon *b;
	size_t i;

	if (!json_is_array(steps))
		goto out;
	balloon_config_init(&c);
	pb = pci_bus_create(NULL, &mmio, irq_cb, NULL, NULL);
	b = pb ? balloon_new(&c, NULL, &mem, pb, RAM, NULL) : NULL;
	if (!b)
		abort();
	for (i = 0; i < json_array_size(steps) && i < MAX_STEPS; i++)
		step(b, json_array_get(steps, i));
	balloon_free(b);
	pci_bus_destroy(pb);
out:
	json_decref(steps);
	return 0;
}
