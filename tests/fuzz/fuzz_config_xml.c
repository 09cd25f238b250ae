/*
 * Fuzz the libvirt domain XML reader (vmm/config_xml.c): the whole input is
 * the XML given to config_xml_translate and to config_xml_live (a running
 * domain's XML, as ctl --connect reads it from libvirtd); its first line is also given to
 * config_xml_scale as "VALUE UNIT". A translation that succeeds must give
 * non-empty flags and at most the table's room.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scale(const uint8_t *data, size_t size)
{
	char line[64], *unit;
	size_t n = 0;
	uint64_t v;

	while (n < size && n < sizeof(line) - 1 && data[n] != '\n')
		n++;
	memcpy(line, data, n);
	line[n] = '\0';
	unit = strchr(line, ' ');
	if (unit)
		*unit++ = '\0';
	config_xml_scale(line, unit, 1024, &v);
}

/* What ctl reads of a live domain: counts within the tables, strings ended. */
static void live(const uint8_t *data, size_t size)
{
	static struct config_live l;
	struct errmsg e = { .msg = "" };
	unsigned int i;

	if (config_xml_live((const char *)data, size, &l, &e))
		return;
	if (l.nr_dimms > CONFIG_LIVE_MAX_DIMMS || l.nr_disks > CONFIG_LIVE_MAX_DISKS)
		abort();
	for (i = 0; i < l.nr_dimms; i++)
		if (strnlen(l.dimms[i].alias, sizeof(l.dimms[i].alias)) == sizeof(l.dimms[i].alias))
			abort();
	for (i = 0; i < l.nr_disks; i++)
		if (strnlen(l.disks[i].file, sizeof(l.disks[i].file)) == sizeof(l.disks[i].file))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errmsg e = { .msg = "" };
	struct config_xml out;
	unsigned int i;

	scale(data, size);
	live(data, size);
	if (config_xml_translate((const char *)data, size, &out, &e))
		return 0;
	if (out.argc > CONFIG_XML_MAX_ARGS)
		abort();
	for (i = 0; i < out.argc; i++)
		if (!out.argv[i] || !out.argv[i][0])
			abort();
	config_xml_free(&out);
	return 0;
}
