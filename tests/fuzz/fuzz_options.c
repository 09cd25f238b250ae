/*
 * Fuzz the size and option parsers: parse_size and parse_uint (vmm/util.c),
 * and the hotplug options --slots, --maxmem, --numa, --dimm followed by
 * hotplug_config_finish (hotplug/config.c).
 *
 * Input: lines. The first line is --memory (parse_size, MiB by default);
 * each further line is "s ARG", "m ARG", "n ARG" or "d ARG" for --slots,
 * --maxmem, --numa or --dimm. Every line is also given to parse_size and
 * parse_uint on its own.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hotplug_config cfg;

static void option(const char *line)
{
	struct errmsg e = { .msg = "" };
	const char *arg = line[0] && line[1] == ' ' ? line + 2 : line;

	switch (line[0]) {
	case 's': hotplug_parse_slots(&cfg, arg, &e); break;
	case 'm': hotplug_parse_maxmem(&cfg, arg, &e); break;
	case 'n': hotplug_parse_numa(&cfg, arg, &e); break;
	case 'd': hotplug_parse_dimm(&cfg, arg, &e); break;
	}
}

static void numbers(const char *s)
{
	unsigned long n;
	uint64_t v;

	parse_size(s, 0, &v);
	parse_size(s, 20, &v);
	parse_uint(s, 0, ~0ul, &n);
	parse_uint(s, 1, 6, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errmsg e = { .msg = "" };
	char *text = malloc(size + 1), *line, *save;
	uint64_t ram = 256ull << 20;
	int first = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	hotplug_config_init(&cfg);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		numbers(line);
		if (first && parse_size(line, 20, &ram))
			ram = 256ull << 20;
		else if (!first)
			option(line);
		first = 0;
	}
	hotplug_config_finish(&cfg, ram, &e);
	free(text);
	return 0;
}
