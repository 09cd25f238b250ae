/*
 * A libvirt domain definition as `memvisor run` flags (vmm/config_xml.h).
 *
 * What: libxml2 parses the file (XML_PARSE_NONET, no DTD loaded, no entity
 * substituted; a document with a DOCTYPE is refused outright, so nothing
 * can expand). The root <domain>'s children are dispatched through one
 * table, domain_elems[], each entry a handler or a verdict: accepted
 * silently (name, uuid...), warned about (safe to ignore: <clock>,
 * <features>...), or refused (would change the guest: <memoryBacking>,
 * disks...). Anything not in the table is refused too, so nothing is
 * silently dropped. <devices> has its own table the same way.
 *
 * Memory follows libvirt's meaning: <memory> is the total, boot RAM plus
 * every <memory model='dimm'> device; with <numa>, boot RAM is the sum of
 * the cells: each cell's memory becomes that node's boot RAM (--numa
 * SIZE,SIZE,...; --numa N when only cell 0 has any). currentMemory below
 * memory (a balloon target at boot) is refused.
 *
 * The result is an argv fragment; sizes are emitted in KiB ("262144K"),
 * libvirt's own granularity. Pure but for config_xml_load's read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vmm/config_xml.h"
#include "vmm/types.h"

#define CONFIG_XML_MAX_CELLS 8  /* --numa then checks its own limit */

#define CONFIG_XML_MAX_FILE (1 << 20)

/* What the walk has seen; checked together at the end. */
struct xml_ctx {
	struct config_xml *out;
	struct errmsg *e;
	uint64_t memory, current, maxmem, cells, dimms;
	uint64_t cell_ram[CONFIG_XML_MAX_CELLS];
	unsigned int nr_cells;
	unsigned int slots;
	int have_memory, have_current, have_max, have_serial, have_kernel;
	int have_acpi;
};

typedef int (*elem_fn)(struct xml_ctx *c, xmlNode *n);

enum verdict { ACCEPT, WARN, REFUSE };

struct elem_rule {
	const char *name;
	elem_fn fn;             /* NULL: @verdict decides */
	enum verdict verdict;
	const char *why;        /* for WARN and REFUSE */
};

/* ------------------------------------------------------------ helpers */

static int user_err(struct xml_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int user_err(struct xml_ctx *c, const char *fmt, ...)
{
	char msg[sizeof(c->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errmsg_user(c->e, -EINVAL, "%s", msg);
}

static int add_arg(struct xml_ctx *c, const char *flag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add_arg(struct xml_ctx *c, const char *flag, const char *fmt, ...)
{
	struct config_xml *o = c->out;
	char *val = NULL;
	va_list ap;

	if (o->argc + 2 > CONFIG_XML_MAX_ARGS)
		return user_err(c, "too many elements (more than %d flags' worth)",
				CONFIG_XML_MAX_ARGS);
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&val, fmt, ap) < 0)
			val = NULL;
		va_end(ap);
		if (!val)
			return errmsg_set(c->e, -ENOMEM, "out of memory");
		if (!val[0]) {          /* an empty element or attribute */
			free(val);
			return user_err(c, "an empty value where memvisor needs one for %s",
					flag);
		}
	}
	o->argv[o->argc] = strdup(flag);
	if (!o->argv[o->argc]) {
		free(val);
		return errmsg_set(c->e, -ENOMEM, "out of memory");
	}
	o->argc++;
	if (val)
		o->argv[o->argc++] = val;
	return 0;
}

static void warn(struct xml_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct xml_ctx *c, const char *fmt, ...)
{
	struct config_xml *o = c->out;
	va_list ap;
	char *w;

	if (o->nr_warnings >= CONFIG_XML_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) >= 0)
		o->warnings[o->nr_warnings++] = w;
	va_end(ap);
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const char *nm(const xmlNode *n)
{
	return (const char *)n->name;
}

/* Attribute @name into @buf ("" if absent). */
static const char *attr(xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);

	snprintf(buf, len, "%s", v ? (const char *)v : "");
	xmlFree(v);
	return buf;
}

/* The element's text, trimmed, into @buf. */
static const char *text(xmlNode *n, char *buf, size_t len)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *s = v ? (const char *)v : "";
	size_t l;

	while (isspace((unsigned char)*s))
		s++;
	snprintf(buf, len, "%s", s);
	l = strlen(buf);
	while (l && isspace((unsigned char)buf[l - 1]))
		buf[--l] = '\0';
	xmlFree(v);
	return buf;
}

static xmlNode *child(xmlNode *n, const char *name)
{
	for (n = n->children; n; n = n->next)
		if (is_elem(n, name))
			return n;
	return NULL;
}

/* ------------------------------------------------------------ sizes */

int config_xml_scale(const char *value, const char *unit,
		     uint64_t default_scale, uint64_t *bytes)
{
	static const char prefixes[] = "kmgtpe";
	unsigned long long n;
	uint64_t scale = default_scale, base = 1024;
	const char *p;
	char *end;
	int i;

	if (!value || !isdigit((unsigned char)*value))
		return -EINVAL;
	errno = 0;
	n = strtoull(value, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	if (unit && *unit) {
		if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") ||
		    !strcasecmp(unit, "bytes")) {
			scale = 1;
		} else {
			p = strchr(prefixes, tolower((unsigned char)unit[0]));
			if (!p || !unit[0])
				return -EINVAL;
			if (unit[1] && !strcasecmp(unit + 1, "B"))
				base = 1000;
			else if (unit[1] && strcasecmp(unit + 1, "iB"))
				return -EINVAL;
			for (scale = 1, i = 0; i <= p - prefixes; i++)
				scale *= base;
		}
	}
	if (scale && n > UINT64_MAX / scale)
		return -ERANGE;
	*bytes = n * scale;
	return 0;
}

/* A size element's value and unit attribute (default KiB), rounded up to
 * KiB as libvirt does. */
static int elem_size(struct xml_ctx *c, xmlNode *n, uint64_t *bytes)
{
	char v[64], u[32];
	int ret;

	ret = config_xml_scale(text(n, v, sizeof(v)), attr(n, "unit", u, sizeof(u)),
			       1024, bytes);
	if (ret == -ERANGE)
		return user_err(c, "<%s>: %s %s is too large", nm(n), v, u);
	if (ret)
		return user_err(c, "<%s>: '%s' with unit '%s' is not a size (units: b, KiB, MiB, GiB, TiB, KB, MB, GB, ... as in libvirt)",
				nm(n), v, u);
	if (*bytes > UINT64_MAX - 1023)
		return user_err(c, "<%s>: %s %s is too large", nm(n), v, u);
	*bytes = (*bytes + 1023) & ~1023ull;
	return 0;
}

/* ------------------------------------------------------------ <domain> */

static int do_memory(struct xml_ctx *c, xmlNode *n)
{
	c->have_memory = 1;
	return elem_size(c, n, &c->memory);
}

static int do_current(struct xml_ctx *c, xmlNode *n)
{
	c->have_current = 1;
	return elem_size(c, n, &c->current);
}

static int do_max(struct xml_ctx *c, xmlNode *n)
{
	char s[32];
	char *end;
	unsigned long v;
	int ret;

	ret = elem_size(c, n, &c->maxmem);
	if (ret)
		return ret;
	attr(n, "slots", s, sizeof(s));
	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 100000)
		return user_err(c, "<maxMemory>: slots='%s' is not a number of DIMM slots", s);
	c->slots = v;
	c->have_max = 1;
	return 0;
}

static int do_vcpu(struct xml_ctx *c, xmlNode *n)
{
	char v[32], cur[32];

	if (!*text(n, v, sizeof(v)))
		return user_err(c, "<vcpu> is empty (the number of vCPUs)");
	attr(n, "current", cur, sizeof(cur));
	if (*cur && strcmp(cur, v))
		return user_err(c, "<vcpu>: current='%s' differs from %s (vCPU hotplug is not supported)",
				cur, v);
	return add_arg(c, "--smp", "%s", v);
}

static int do_os(struct xml_ctx *c, xmlNode *os)
{
	char v[4096], a[64];
	xmlNode *n;
	int ret = 0;

	for (n = os->children; n && !ret; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(n, "type")) {
			if (strcmp(text(n, v, sizeof(v)), "hvm"))
				return user_err(c, "<os><type>: '%s' is not supported (hvm only)", v);
			if (*attr(n, "arch", a, sizeof(a)) && strcmp(a, "x86_64"))
				return user_err(c, "<os><type>: arch '%s' is not supported (x86_64 only)", a);
			if (*attr(n, "machine", a, sizeof(a)) && strncmp(a, "pc", 2))
				return user_err(c, "<os><type>: machine '%s' is not supported (memvisor is a 'pc')", a);
			if (!strncmp(a, "pc-q35", 6))
				return user_err(c, "<os><type>: machine '%s' is not supported (memvisor is a 'pc')", a);
		} else if (is_elem(n, "kernel")) {
			if (!strcmp(text(n, v, sizeof(v)), "@KERNEL@"))
				return user_err(c, "<os><kernel> is the @KERNEL@ placeholder: use the file make generates in build/configs/");
			if (!v[0])
				return user_err(c, "<os><kernel> is empty (the path of a PVH kernel, e.g. build/guest.elf)");
			c->have_kernel = 1;
			ret = add_arg(c, "--kernel", "%s", v);
		} else if (is_elem(n, "cmdline")) {
			if (*text(n, v, sizeof(v)))     /* empty: nothing to pass */
				ret = add_arg(c, "--cmdline", "%s", v);
		} else if (is_elem(n, "boot") || is_elem(n, "bootmenu") ||
			   is_elem(n, "smbios") || is_elem(n, "bios")) {
			warn(c, "<os><%s> ignored (memvisor boots the kernel directly)", nm(n));
		} else {
			return user_err(c, "<os><%s> is not supported (memvisor boots a PVH kernel given by <kernel>)",
					nm(n));
		}
	}
	return ret;
}

static int do_cell(struct xml_ctx *c, xmlNode *n)
{
	char id[32], m[64], u[32], cpus[64];
	uint64_t bytes;
	int ret;

	attr(n, "id", id, sizeof(id));
	if (strtoul(id, NULL, 10) != c->nr_cells || !isdigit((unsigned char)*id))
		return user_err(c, "<numa><cell>: id='%s' where %u was expected (cells are numbered from 0, in order)",
				id, c->nr_cells);
	ret = config_xml_scale(attr(n, "memory", m, sizeof(m)),
			       attr(n, "unit", u, sizeof(u)), 1024, &bytes);
	if (ret)
		return user_err(c, "<numa><cell id='%s'>: memory '%s' unit '%s' is not a size", id, m, u);
	bytes = (bytes + 1023) & ~1023ull;
	if (c->nr_cells == CONFIG_XML_MAX_CELLS)
		return user_err(c, "<numa>: more than %d cells", CONFIG_XML_MAX_CELLS);
	if (c->nr_cells && *attr(n, "cpus", cpus, sizeof(cpus)))
		warn(c, "<numa><cell id='%s'>: cpus='%s' ignored (memvisor puts every vCPU on cell 0)", id, cpus);
	c->cells += bytes;
	c->cell_ram[c->nr_cells++] = bytes;
	return 0;
}

/* --numa N (boot RAM all on cell 0) or --numa SIZE,SIZE,... (per cell). */
static int add_numa(struct xml_ctx *c)
{
	char list[CONFIG_XML_MAX_CELLS * 24] = "";
	bool spread = false;
	unsigned int i;

	for (i = 1; i < c->nr_cells; i++)
		spread |= c->cell_ram[i] != 0;
	if (!spread)
		return add_arg(c, "--numa", "%u", c->nr_cells);
	for (i = 0; i < c->nr_cells; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%lluK",
			 i ? "," : "", (unsigned long long)c->cell_ram[i] >> 10);
	return add_arg(c, "--numa", "%s", list);
}

static int do_cpu(struct xml_ctx *c, xmlNode *cpu)
{
	xmlNode *n, *cell;
	int ret;

	for (n = cpu->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(n, "numa")) {
			warn(c, "<cpu><%s> ignored (the vCPUs are the host's model)", nm(n));
			continue;
		}
		for (cell = n->children; cell; cell = cell->next) {
			if (cell->type != XML_ELEMENT_NODE)
				continue;
			if (!is_elem(cell, "cell"))
				return user_err(c, "<numa><%s> is not supported", nm(cell));
			ret = do_cell(c, cell);
			if (ret)
				return ret;
		}
	}
	if (cpu->properties)
		warn(c, "<cpu>'s attributes ignored (the vCPUs are the host's model)");
	return 0;
}

static int do_poweroff(struct xml_ctx *c, xmlNode *n)
{
	char v[32];

	if (strcmp(text(n, v, sizeof(v)), "destroy"))
		warn(c, "<on_poweroff>%s</on_poweroff> ignored (memvisor exits when the guest powers off)", v);
	return 0;
}

/*
 * <features>: memvisor always gives the guest ACPI and an APIC, so <acpi/>,
 * <apic/> and <pae/> say what it does anyway. libvirt starts QEMU without
 * ACPI (-no-acpi) when <acpi/> is absent, and the guest kernel then panics
 * ("no RSDP found"): finish() warns so the file is fixed for both engines.
 */
static int do_features(struct xml_ctx *c, xmlNode *n)
{
	static const char *const same[] = { "acpi", "apic", "pae" };
	unsigned int i;

	for (n = n->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < ARRAY_SIZE(same) && strcmp(nm(n), same[i]); i++)
			;
		if (i == ARRAY_SIZE(same))
			warn(c, "<features><%s> ignored (memvisor's platform is fixed)", nm(n));
		else if (i == 0)
			c->have_acpi = 1;
	}
	return 0;
}

/* ------------------------------------------------------------ <devices> */

static int do_dimm(struct xml_ctx *c, xmlNode *n)
{
	char model[32], v[32];
	xmlNode *t = child(n, "target"), *sz = t ? child(t, "size") : NULL;
	xmlNode *node = t ? child(t, "node") : NULL;
	uint64_t bytes;
	int ret;

	if (strcmp(attr(n, "model", model, sizeof(model)), "dimm"))
		return user_err(c, "<memory model='%s'> is not supported (dimm only)", model);
	if (!sz)
		return user_err(c, "<memory model='dimm'> has no <target><size>");
	ret = elem_size(c, sz, &bytes);
	if (ret)
		return ret;
	if (bytes > UINT64_MAX - c->dimms)
		return user_err(c, "<memory model='dimm'>: the DIMMs together are too large");
	c->dimms += bytes;
	if (child(n, "source"))
		warn(c, "<memory model='dimm'><source> ignored (DIMMs are anonymous memory)");
	if (node)
		return add_arg(c, "--dimm", "%lluK,node=%s",
			       (unsigned long long)bytes >> 10, text(node, v, sizeof(v)));
	return add_arg(c, "--dimm", "%lluK", (unsigned long long)bytes >> 10);
}

static int do_balloon(struct xml_ctx *c, xmlNode *n)
{
	char model[32], v[32], opts[128] = "";
	xmlNode *stats = child(n, "stats");

	attr(n, "model", model, sizeof(model));
	if (!strcmp(model, "none"))
		return add_arg(c, "--no-balloon", NULL);
	if (strcmp(model, "virtio"))
		return user_err(c, "<memballoon model='%s'> is not supported (virtio or none)", model);
	if (stats)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",stats-period=%s",
			 attr(stats, "period", v, sizeof(v)));
	if (*attr(n, "autodeflate", v, sizeof(v)))
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",deflate-on-oom=%s", v);
	if (*attr(n, "freePageReporting", v, sizeof(v)))
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",free-page-reporting=%s", v);
	return *opts ? add_arg(c, "--balloon", "%s", opts + 1) : 0;
}

/* <serial> and <console>: libvirt writes the one serial port as both. */
static int do_serial(struct xml_ctx *c, xmlNode *n)
{
	char type[32], mode[32], path[4096];
	xmlNode *src = child(n, "source");

	attr(n, "type", type, sizeof(type));
	if (!strcmp(type, "pty") || !strcmp(type, "stdio")) {
		if (c->have_serial)
			return 0;
		c->have_serial = 1;
		return add_arg(c, "--serial", "stdio");
	}
	if (!strcmp(type, "unix") && src &&
	    !strcmp(attr(src, "mode", mode, sizeof(mode)), "bind")) {
		c->have_serial = 1;
		return add_arg(c, "--serial", "unix:%s", attr(src, "path", path, sizeof(path)));
	}
	return user_err(c, "<%s type='%s'> is not supported (pty, or unix with mode='bind')",
			nm(n), type);
}

static const struct elem_rule device_elems[] = {
	{ "memory", do_dimm, 0, NULL },
	{ "memballoon", do_balloon, 0, NULL },
	{ "serial", do_serial, 0, NULL },
	{ "console", do_serial, 0, NULL },
	{ "emulator", NULL, WARN, "memvisor is the emulator" },
	{ "controller", NULL, WARN, "memvisor's buses are fixed" },
	{ "input", NULL, WARN, "no input devices" },
	{ "graphics", NULL, WARN, "no display" },
	{ "video", NULL, WARN, "no display" },
	{ "audio", NULL, WARN, "no sound" },
	{ "sound", NULL, WARN, "no sound" },
	{ "rng", NULL, WARN, "no RNG device" },
	{ "channel", NULL, WARN, "no guest agent channel" },
	{ "panic", NULL, WARN, "memvisor always has pvpanic" },
	{ "disk", NULL, REFUSE, "not yet through --config; use --drive" },
	{ "interface", NULL, REFUSE, "no network devices" },
	{ "filesystem", NULL, REFUSE, "no shared filesystems" },
	{ "hostdev", NULL, REFUSE, "no device assignment" },
	{ 0 },
};

static int walk(struct xml_ctx *c, xmlNode *parent, const struct elem_rule *rules,
		const char *where);

static int do_devices(struct xml_ctx *c, xmlNode *n)
{
	return walk(c, n, device_elems, "<devices>");
}

static const struct elem_rule domain_elems[] = {
	{ "name", NULL, ACCEPT, NULL },
	{ "uuid", NULL, ACCEPT, NULL },
	{ "title", NULL, ACCEPT, NULL },
	{ "description", NULL, ACCEPT, NULL },
	{ "metadata", NULL, ACCEPT, NULL },
	{ "memory", do_memory, 0, NULL },
	{ "currentMemory", do_current, 0, NULL },
	{ "maxMemory", do_max, 0, NULL },
	{ "vcpu", do_vcpu, 0, NULL },
	{ "os", do_os, 0, NULL },
	{ "cpu", do_cpu, 0, NULL },
	{ "devices", do_devices, 0, NULL },
	{ "on_poweroff", do_poweroff, 0, NULL },
	{ "on_reboot", NULL, WARN, "memvisor's guest reboot is its own" },
	{ "on_crash", NULL, WARN, "a guest panic stops memvisor" },
	{ "features", do_features, 0, NULL },
	{ "clock", NULL, WARN, "the guest clock is the host's" },
	{ "pm", NULL, WARN, "no S3/S4 suspend" },
	{ "resource", NULL, WARN, "no resource partitions" },
	{ "seclabel", NULL, WARN, "no security driver" },
	{ "vcpus", NULL, REFUSE, "vCPU hotplug is not supported" },
	{ "memoryBacking", NULL, REFUSE, "guest RAM is anonymous memory" },
	{ "memtune", NULL, REFUSE, "no memory limits" },
	{ "numatune", NULL, REFUSE, "no host NUMA binding" },
	{ "cputune", NULL, REFUSE, "no vCPU pinning" },
	{ "iothreads", NULL, REFUSE, "no I/O threads" },
	{ 0 },
};

/* Apply @rules to each element child of @parent ("<domain>" in @where). */
static int walk(struct xml_ctx *c, xmlNode *parent, const struct elem_rule *rules,
		const char *where)
{
	const struct elem_rule *r;
	xmlNode *n;
	int ret;

	for (n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (r = rules; r->name && strcmp(r->name, nm(n)); r++)
			;
		if (!r->name)
			return user_err(c, "%s<%s> is not supported by memvisor", where, nm(n));
		if (r->fn) {
			ret = r->fn(c, n);
			if (ret)
				return ret;
		} else if (r->verdict == WARN) {
			warn(c, "%s<%s> ignored (%s)", where, nm(n), r->why);
		} else if (r->verdict == REFUSE) {
			return user_err(c, "%s<%s> is not supported (%s)", where, nm(n), r->why);
		}
	}
	return 0;
}

/* Memory, currentMemory, maxMemory and the cells, together. */
static int finish(struct xml_ctx *c)
{
	uint64_t boot;

	if (!c->have_memory)
		return user_err(c, "<memory> is missing");
	if (c->dimms > c->memory)
		return user_err(c, "<memory> is less than its <memory model='dimm'> devices together (libvirt's <memory> is the total, DIMMs included)");
	boot = c->memory - c->dimms;
	if (c->nr_cells && c->cells != boot)
		return user_err(c, "<memory> is %llu KiB but the NUMA cells (%llu KiB) and the DIMMs (%llu KiB) add up to %llu KiB",
				(unsigned long long)c->memory >> 10,
				(unsigned long long)c->cells >> 10,
				(unsigned long long)c->dimms >> 10,
				(unsigned long long)(c->cells + c->dimms) >> 10);
	if (c->have_current && c->current != c->memory)
		return user_err(c, "<currentMemory> differs from <memory> (a balloon target at boot is not supported; set it after boot with 'memvisor ctl balloon')");
	if (!c->have_kernel)
		return user_err(c, "<os><kernel> is missing (memvisor boots a kernel directly)");
	if (!c->have_acpi)
		warn(c, "no <features><acpi/>: libvirt would start this guest without ACPI, which its kernel needs (memvisor always has ACPI)");
	if (add_arg(c, "--memory", "%lluK", (unsigned long long)boot >> 10))
		return -EINVAL;
	if (c->nr_cells > 1 && add_numa(c))
		return -EINVAL;
	if (!c->have_max)
		return add_arg(c, "--slots", "0") ?: add_arg(c, "--maxmem", "%lluK",
				(unsigned long long)c->memory >> 10);
	return add_arg(c, "--slots", "%u", c->slots) ?: add_arg(c, "--maxmem", "%lluK",
				(unsigned long long)c->maxmem >> 10);
}

static void silent(void *ctx, const xmlError *err)
{
}

/* Parse @xml into a document whose root is <domain>; NULL with @e filled. */
static xmlDoc *open_domain(const char *xml, size_t len, struct errmsg *e)
{
	const xmlError *err;
	xmlNode *root;
	xmlDoc *doc;

	if (len > CONFIG_XML_MAX_FILE || len > INT32_MAX) {
		errmsg_user(e, -EFBIG, "more than 1 MiB: not a domain definition");
		return NULL;
	}
	xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)silent);
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		err = xmlGetLastError();
		errmsg_user(e, -EINVAL, "not well-formed XML: line %d: %s",
			    err ? err->line : 0,
			    err && err->message ? err->message : "parse error\n");
		e->msg[strcspn(e->msg, "\n")] = '\0';
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset)
		errmsg_user(e, -EINVAL, "a <!DOCTYPE> is not accepted in a domain definition");
	else if (!root || !is_elem(root, "domain"))
		errmsg_user(e, -EINVAL, "the root element is <%s>, not <domain>",
			    root ? nm(root) : "");
	else
		return doc;
	xmlFreeDoc(doc);
	return NULL;
}

int config_xml_translate(const char *xml, size_t len, struct config_xml *out,
			 struct errmsg *e)
{
	struct xml_ctx c = { .out = out, .e = e };
	xmlDoc *doc;
	int ret;

	memset(out, 0, sizeof(*out));
	doc = open_domain(xml, len, e);
	if (!doc)
		return -EINVAL;
	ret = walk(&c, xmlDocGetRootElement(doc), domain_elems, "") ?: finish(&c);
	xmlFreeDoc(doc);
	if (ret)
		config_xml_free(out);
	return ret;
}

/* ------------------------------------------------------------ live XML */

/* A scaled size element (<memory unit='KiB'>N</memory>) in bytes; 0 if
 * absent or not a size. */
static uint64_t size_of(xmlNode *n)
{
	char v[64], unit[16];
	uint64_t bytes;

	if (!n || config_xml_scale(text(n, v, sizeof(v)), attr(n, "unit", unit, sizeof(unit)),
				   1024, &bytes))
		return 0;
	return bytes;
}

/* A number attribute, or -1. */
static long long num_attr(xmlNode *n, const char *name)
{
	char v[32], *end;
	long long x;

	attr(n, name, v, sizeof(v));
	errno = 0;
	x = strtoll(v, &end, 0);
	return !*v || *end || errno || x < 0 ? -1 : x;
}

static void live_dimm(xmlNode *n, struct config_live *out)
{
	struct config_live_dimm *d;
	char model[16], v[32];
	xmlNode *t = child(n, "target"), *a = child(n, "address");

	if (strcmp(attr(n, "model", model, sizeof(model)), "dimm") ||
	    out->nr_dimms == CONFIG_LIVE_MAX_DIMMS)
		return;
	d = &out->dimms[out->nr_dimms++];
	if (child(n, "alias"))
		attr(child(n, "alias"), "name", d->alias, sizeof(d->alias));
	d->size = t ? size_of(child(t, "size")) : 0;
	d->node = t && child(t, "node") ?
		  strtol(text(child(t, "node"), v, sizeof(v)), NULL, 10) : 0;
	d->slot = a ? num_attr(a, "slot") : -1;
	d->base = a ? num_attr(a, "base") : -1;
}

static void live_disk(xmlNode *n, struct config_live *out)
{
	struct config_live_disk *d;
	char dev[16];

	if (strcmp(attr(n, "device", dev, sizeof(dev)), "disk") && *dev)
		return;
	if (out->nr_disks == CONFIG_LIVE_MAX_DISKS || !child(n, "target"))
		return;
	d = &out->disks[out->nr_disks++];
	attr(child(n, "target"), "dev", d->target, sizeof(d->target));
	if (child(n, "source"))
		attr(child(n, "source"), "file", d->file, sizeof(d->file));
	if (child(n, "driver"))
		attr(child(n, "driver"), "type", d->format, sizeof(d->format));
	d->readonly = child(n, "readonly") != NULL;
}

int config_xml_live(const char *xml, size_t len, struct config_live *out,
		    struct errmsg *e)
{
	xmlDoc *doc = open_domain(xml, len, e);
	xmlNode *root, *n, *dev;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	out->memory = size_of(child(root, "memory"));
	out->max_memory = size_of(child(root, "maxMemory"));
	dev = child(root, "devices");
	for (n = dev ? dev->children : NULL; n; n = n->next) {
		if (is_elem(n, "memory"))
			live_dimm(n, out);
		else if (is_elem(n, "disk"))
			live_disk(n, out);
	}
	xmlFreeDoc(doc);
	return 0;
}

void config_xml_free(struct config_xml *out)
{
	unsigned int i;

	for (i = 0; i < out->argc; i++)
		free(out->argv[i]);
	for (i = 0; i < out->nr_warnings; i++)
		free(out->warnings[i]);
	memset(out, 0, sizeof(*out));
}

int config_xml_load(const char *path, struct config_xml *out, struct errmsg *e)
{
	char *buf = malloc(CONFIG_XML_MAX_FILE + 1), msg[sizeof(e->msg)];
	FILE *f = fopen(path, "r");
	size_t len = 0;
	int ret, user;

	memset(out, 0, sizeof(*out));
	if (!buf || !f) {
		ret = f ? errmsg_set(e, -ENOMEM, "out of memory")
			: errmsg_user(e, -errno, "--config: cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	len = fread(buf, 1, CONFIG_XML_MAX_FILE + 1, f);
	if (ferror(f)) {
		ret = errmsg_user(e, -EIO, "--config: cannot read %s", path);
		goto out;
	}
	ret = config_xml_translate(buf, len, out, e);
	if (ret) {
		snprintf(msg, sizeof(msg), "%s", e->msg);
		user = e->user;
		errmsg_set(e, ret, "%s: %s", path, msg);
		e->user = user;
	}
out:
	if (f)
		fclose(f);
	free(buf);
	return ret;
}
