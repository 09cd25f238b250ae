/*
 * The hotplug part of the command line, and of the ACPI tables.
 *
 * What: parse --slots N, --maxmem SIZE, --numa N and repeated
 * --dimm SIZE[,node=N][,id=ID] into struct hotplug_config, with QEMU's
 * meaning of -m SIZE,slots=N,maxmem=MAX: maxmem bounds boot RAM plus every
 * DIMM, slots bounds the number of DIMMs. Then check the options together
 * (hotplug_config_finish) and describe the result to the ACPI builder
 * (hotplug_acpi_config): one PNP0C80 device per slot, and one hotpluggable
 * SRAT range per node, the node's window of the hotplug region (region.c).
 *
 * Every user mistake gets one message naming the option, in the user's
 * units. Pure: no state beyond the struct, no locking.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acpi/acpi.h"
#include "hotplug/hotplug_internal.h"
#include "vmm/memory.h"
#include "vmm/platform.h"
#include "vmm/util.h"

void hotplug_config_init(struct hotplug_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->slots = MEMHP_DEFAULT_SLOTS;
	cfg->maxmem = MEMHP_DEFAULT_MAXMEM;
}

/* ------------------------------------------------------------ the rules */

/* QEMU's id rule, at most @max characters. */
static bool id_ok(const char *id, size_t max)
{
	size_t i, len = strlen(id);

	if (!len || len > max || !isalpha((unsigned char)id[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("-._", id[i]))
			return false;
	return true;
}

static int id_check(const char *what, const char *id, size_t max,
		    const char *why_max, struct errmsg *e)
{
	if (id_ok(id, max))
		return 0;
	if (strlen(id) > max && id_ok(id, strlen(id)))
		return errmsg_user(e, -EINVAL, "%s id '%s' is %zu characters long, more than %zu%s",
				   what, id, strlen(id), max, why_max);
	return errmsg_user(e, -EINVAL, "%s id '%s' is not valid (a letter, then letters, digits, '-', '.' or '_'; at most %zu characters)",
			   what, id, max);
}

int hotplug_dimm_id_check(const char *id, struct errmsg *e)
{
	return id_check("DIMM", id, HOTPLUG_DIMM_ID_MAX_LEN,
			" (its memory backend is named '" HOTPLUG_BACKEND_PREFIX "ID', at most 63)", e);
}

int hotplug_backend_id_check(const char *id, struct errmsg *e)
{
	return id_check("object", id, HOTPLUG_ID_MAX_LEN, "", e);
}

int hotplug_dimm_size_check(uint64_t size, struct errmsg *e)
{
	char buf[32];

	if (size && !(size % MEMHP_DIMM_ALIGN))
		return 0;
	return errmsg_user(e, -EINVAL, "size %s is not a multiple of 128M (DIMMs are made of 128M memory blocks)",
			   format_size(size, buf, sizeof(buf)));
}

/* ------------------------------------------------------------ options */

int hotplug_parse_slots(struct hotplug_config *cfg, const char *arg,
			struct errmsg *e)
{
	unsigned long n;

	if (parse_uint(arg, 0, MEMHP_MAX_SLOTS, &n))
		return errmsg_user(e, -EINVAL, "--slots: '%s' is not a number from 0 to %d",
				   arg, MEMHP_MAX_SLOTS);
	cfg->slots = n;
	return 0;
}

int hotplug_parse_maxmem(struct hotplug_config *cfg, const char *arg,
			 struct errmsg *e)
{
	uint64_t v;

	if (parse_size(arg, 20, &v))
		return errmsg_user(e, -EINVAL, "--maxmem: invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 4G)",
				   arg);
	if (v % MiB)
		return errmsg_user(e, -EINVAL, "--maxmem: %s is not a multiple of 1M", arg);
	if (v > MEMHP_MAX_MAXMEM)
		return errmsg_user(e, -EINVAL, "--maxmem: %s is more than 1T", arg);
	cfg->maxmem = v;
	cfg->maxmem_set = 1;
	return 0;
}

/* --numa SIZE,SIZE,...: each node's boot RAM, in address order. */
static int parse_node_sizes(struct hotplug_config *cfg, const char *arg,
			    struct errmsg *e)
{
	char buf[256], *rest = buf, *tok;
	unsigned int n = 0;
	uint64_t v;

	if (strlen(arg) >= sizeof(buf))
		return errmsg_user(e, -EINVAL, "--numa: expected N or SIZE,SIZE,... (at most %d nodes)",
				   MEMHP_MAX_NODES);
	strcpy(buf, arg);
	memset(cfg->node_ram, 0, sizeof(cfg->node_ram));
	/* strsep, not strtok: an empty field ("128M,,128M") is a mistake */
	while ((tok = strsep(&rest, ","))) {
		if (n == MEMHP_MAX_NODES)
			return errmsg_user(e, -EINVAL, "--numa: more than %d nodes", MEMHP_MAX_NODES);
		if (parse_size(tok, 20, &v))
			return errmsg_user(e, -EINVAL, "--numa: invalid size '%s' (a number with an optional K, M, G or T suffix, e.g. 128M)",
					   tok);
		if (v % MEMHP_DIMM_ALIGN)
			return errmsg_user(e, -EINVAL, "--numa: node %u's %s is not a multiple of 128M (a memory block)",
					   n, tok);
		cfg->node_ram[n++] = v;
	}
	if (!cfg->node_ram[0])
		return errmsg_user(e, -EINVAL, "--numa: node 0 needs boot RAM ('%s')", arg);
	cfg->numa = n;
	return 0;
}

int hotplug_parse_numa(struct hotplug_config *cfg, const char *arg,
		       struct errmsg *e)
{
	unsigned long n;

	if (arg[strspn(arg, "0123456789")])     /* sizes, not a count */
		return parse_node_sizes(cfg, arg, e);
	memset(cfg->node_ram, 0, sizeof(cfg->node_ram));
	if (parse_uint(arg, 1, MEMHP_MAX_NODES, &n))
		return errmsg_user(e, -EINVAL, "--numa: '%s' is not a number of nodes from 1 to %d",
				   arg, MEMHP_MAX_NODES);
	cfg->numa = n;
	return 0;
}

/* --numa SIZE,...: the sizes must add up to --memory. */
static int check_node_ram(const struct hotplug_config *cfg, uint64_t ram_size,
			  struct errmsg *e)
{
	uint64_t sum = 0;
	char a[32], b[32];
	unsigned int i;

	if (!cfg->node_ram[0])
		return 0;
	for (i = 0; i < cfg->numa; i++)
		sum += cfg->node_ram[i];
	if (sum != ram_size)
		return errmsg_user(e, -EINVAL, "--numa: the nodes' boot RAM adds up to %s, not --memory %s",
				   format_size(sum, a, sizeof(a)),
				   format_size(ram_size, b, sizeof(b)));
	return 0;
}

/* Boot RAM of nodes 1.. moved from node 0 in @ac: each node's share of the
 * RAM in address order (below the PCI hole, then above 4 GiB). */
static int split_boot_ram(const struct hotplug_config *cfg,
			  struct acpi_config *ac, struct errmsg *e)
{
	uint64_t low = plat_ram_below_4g(cfg->ram_size), off = cfg->node_ram[0];
	uint64_t end, part;
	unsigned int i;

	for (i = 1; i < cfg->numa && cfg->node_ram[0]; i++) {
		end = off + cfg->node_ram[i];
		if (off < low) {
			part = (end < low ? end : low) - off;
			if (part && acpi_config_set_node(ac, off, part, i, e))
				return -E2BIG;
		}
		if (end > low) {
			part = off > low ? off - low : 0;
			if (acpi_config_set_node(ac, PLAT_4G + part,
						 end - low - part, i, e))
				return -E2BIG;
		}
		off = end;
	}
	return 0;
}

/* One "node=N" or "id=ID" of --dimm. */
static int parse_dimm_opt(struct hotplug_dimm_spec *d, const char *opt,
			  struct errmsg *e)
{
	struct errmsg why = { .msg = "" };
	unsigned long n;

	if (!strncmp(opt, "node=", 5)) {
		if (parse_uint(opt + 5, 0, MEMHP_MAX_NODES - 1, &n))
			return errmsg_user(e, -EINVAL, "--dimm: node '%s' is not a number from 0 to %d",
					   opt + 5, MEMHP_MAX_NODES - 1);
		d->node = n;
		return 0;
	}
	if (!strncmp(opt, "id=", 3)) {
		if (hotplug_dimm_id_check(opt + 3, &why))
			return errmsg_user(e, -EINVAL, "--dimm: %s", why.msg);
		strcpy(d->id, opt + 3);
		return 0;
	}
	return errmsg_user(e, -EINVAL, "--dimm: unknown option '%s' (expected node=N or id=ID)",
			   opt);
}

static int parse_dimm_size(struct hotplug_dimm_spec *d, const char *s,
			   struct errmsg *e)
{
	struct errmsg why = { .msg = "" };

	if (parse_size(s, 20, &d->size) || !d->size)
		return errmsg_user(e, -EINVAL, "--dimm: invalid size '%s' (a multiple of 128M, e.g. 512M or 1G)",
				   s);
	if (hotplug_dimm_size_check(d->size, &why))
		return errmsg_user(e, -EINVAL, "--dimm: %s", why.msg);
	return 0;
}

int hotplug_parse_dimm(struct hotplug_config *cfg, const char *arg,
		       struct errmsg *e)
{
	struct hotplug_dimm_spec d = { 0 };
	char buf[256], *tok, *save;
	int ret;

	if (cfg->nr_dimms == MEMHP_MAX_SLOTS)
		return errmsg_user(e, -EINVAL, "--dimm: more than %d DIMMs", MEMHP_MAX_SLOTS);
	if (!arg || strlen(arg) >= sizeof(buf))
		return errmsg_user(e, -EINVAL, "--dimm: expected SIZE[,node=N][,id=ID]");
	strcpy(buf, arg);
	tok = strtok_r(buf, ",", &save);
	ret = tok ? parse_dimm_size(&d, tok, e) :
		    errmsg_user(e, -EINVAL, "--dimm: expected SIZE[,node=N][,id=ID]");
	while (!ret && (tok = strtok_r(NULL, ",", &save)))
		ret = parse_dimm_opt(&d, tok, e);
	if (!ret)
		cfg->dimms[cfg->nr_dimms++] = d;
	return ret;
}

/* ------------------------------------------------------------ finish */

/* Is DIMM @self's id also another DIMM's? */
static bool id_taken(const struct hotplug_config *cfg, unsigned int self)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_dimms; i++)
		if (i != self && !strcmp(cfg->dimms[i].id, cfg->dimms[self].id))
			return true;
	return false;
}

/* Duplicate ids are an error; unnamed DIMMs get the first free "dimmN". */
static int name_dimms(struct hotplug_config *cfg, struct errmsg *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < cfg->nr_dimms; i++)
		if (cfg->dimms[i].id[0] && id_taken(cfg, i))
			return errmsg_user(e, -EINVAL, "--dimm: id '%s' is used twice",
						   cfg->dimms[i].id);
	for (i = 0; i < cfg->nr_dimms; i++) {
		if (cfg->dimms[i].id[0])
			continue;
		do
			snprintf(cfg->dimms[i].id, MEMHP_ID_MAX, "dimm%u", n++);
		while (id_taken(cfg, i));
	}
	return 0;
}

/* nr_nodes: --numa, or one more than the highest node= value. */
static int count_nodes(struct hotplug_config *cfg, struct errmsg *e)
{
	unsigned int i, top = 0;

	for (i = 0; i < cfg->nr_dimms; i++) {
		const struct hotplug_dimm_spec *d = &cfg->dimms[i];

		if (cfg->numa && d->node >= cfg->numa)
			return errmsg_user(e, -EINVAL, "--dimm %s: node %u does not exist (--numa %u gives nodes 0 to %u)",
					   d->id, d->node, cfg->numa, cfg->numa - 1);
		if (d->node > top)
			top = d->node;
	}
	cfg->nr_nodes = cfg->numa ? cfg->numa : top + 1;
	return 0;
}

/* Every node's cold-plugged DIMMs must fit its window of the region. */
static int check_fit(const struct hotplug_config *cfg,
		     const struct memhp_layout *l, struct errmsg *e)
{
	char a[32], b[32];
	uint64_t sum[MEMHP_MAX_NODES] = { 0 }, total = 0;
	unsigned int i;

	for (i = 0; i < cfg->nr_dimms; i++) {
		sum[cfg->dimms[i].node] += cfg->dimms[i].size;
		total += cfg->dimms[i].size;
	}
	if (total > cfg->maxmem - cfg->ram_size)
		return errmsg_user(e, -EINVAL, "--dimm: the DIMMs add up to %s, more than maxmem - memory = %s",
				   format_size(total, a, sizeof(a)),
				   format_size(cfg->maxmem - cfg->ram_size, b, sizeof(b)));
	for (i = 0; i < l->nr_nodes; i++)
		if (sum[i] > memhp_layout_window(l, i).size)
			return errmsg_user(e, -EINVAL, "--dimm: node %u's DIMMs add up to %s, more than its %s share of the hotplug region (raise --maxmem)",
					   i, format_size(sum[i], a, sizeof(a)),
					   format_size(memhp_layout_window(l, i).size, b, sizeof(b)));
	return 0;
}

int hotplug_config_finish(struct hotplug_config *cfg, uint64_t ram_size,
			  struct errmsg *e)
{
	struct memhp_layout l;
	char a[32], b[32];
	int ret;

	cfg->ram_size = ram_size;
	if (!cfg->maxmem_set && cfg->maxmem < ram_size)
		cfg->maxmem = ram_size;
	if (cfg->maxmem < ram_size)
		return errmsg_user(e, -EINVAL, "--maxmem %s is less than --memory %s (maxmem is the RAM plus every DIMM)",
				   format_size(cfg->maxmem, a, sizeof(a)),
				   format_size(ram_size, b, sizeof(b)));
	if (cfg->nr_dimms > cfg->slots)
		return errmsg_user(e, -EINVAL, "%u DIMMs given with --dimm but only %u slots (--slots)",
				   cfg->nr_dimms, cfg->slots);
	ret = check_node_ram(cfg, ram_size, e);
	if (!ret)
		ret = name_dimms(cfg, e);
	if (!ret)
		ret = count_nodes(cfg, e);
	if (ret)
		return ret;
	if (memhp_layout_init(&l, ram_size, cfg->maxmem, cfg->nr_nodes))
		return errmsg_user(e, -ERANGE, "--maxmem %s: no room for a hotplug region above --memory %s",
				   format_size(cfg->maxmem, a, sizeof(a)),
				   format_size(ram_size, b, sizeof(b)));
	cfg->region_base = l.base;
	cfg->region_size = l.size;
	return check_fit(cfg, &l, e);
}

int hotplug_acpi_config(const struct hotplug_config *cfg,
			struct acpi_config *ac, struct errmsg *e)
{
	struct acpi_mem_range r = { .hotpluggable = 1 };
	struct memhp_layout l;
	struct memhp_range w;
	unsigned int i;
	int ret;

	if (cfg->nr_nodes > ac->nr_nodes)
		ac->nr_nodes = cfg->nr_nodes;
	ret = split_boot_ram(cfg, ac, e);
	if (ret || !cfg->slots)
		return ret;
	memhp_layout_init(&l, cfg->ram_size, cfg->maxmem, cfg->nr_nodes);
	for (i = 0; i < l.nr_nodes; i++) {
		w = memhp_layout_window(&l, i);
		if (!w.size)
			continue;
		r.base = w.base;
		r.size = w.size;
		r.node = i;
		ret = acpi_config_add_mem(ac, &r, e);
		if (ret)
			return ret;
	}
	return memhp_acpi_dsdt(cfg, ac, e);
}
