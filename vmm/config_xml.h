/*
 * `memvisor run --config FILE.xml`: a libvirt domain definition read as
 * memvisor's own flags.
 *
 * The XML is translated into the flags `run` already takes (--memory,
 * --smp, --slots, --maxmem, --numa, --dimm, --balloon, --no-balloon,
 * --kernel, --cmdline, --serial), which main.c puts where --config stood:
 * every value then goes through the same validation as on the command line,
 * and flags after --config override the file. Elements memvisor does not
 * support are an error where ignoring them would change the guest, and a
 * warning (one line each, in @warnings) where it is safe.
 */
#ifndef VMM_CONFIG_XML_H
#define VMM_CONFIG_XML_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/error.h"

#define CONFIG_XML_MAX_ARGS     96
#define CONFIG_XML_MAX_WARNINGS 32

struct config_xml {
	unsigned int argc;
	char *argv[CONFIG_XML_MAX_ARGS];    /* "--memory", "262144K", ... */
	unsigned int nr_warnings;
	char *warnings[CONFIG_XML_MAX_WARNINGS]; /* one line each */
};

/* Translate the domain XML @xml (@len bytes) into @out. Pure: no file, no
 * network (no DTD, no entities). 0, or -errno with @e filled (errmsg_user
 * for a mistake in the XML); on failure @out is freed. */
int config_xml_translate(const char *xml, size_t len, struct config_xml *out,
			 struct errmsg *e);

/* Read @path and translate it; messages are prefixed with @path. */
int config_xml_load(const char *path, struct config_xml *out,
		    struct errmsg *e);

void config_xml_free(struct config_xml *out);

/* A libvirt scaled integer: @value in @unit (NULL or "": @default_scale
 * bytes each; b, bytes, k/KiB, KB, M/MiB, MB, ... E/EiB, EB, any case) into
 * @bytes. 0, -EINVAL (not a number, unknown unit) or -ERANGE (overflow). */
int config_xml_scale(const char *value, const char *unit,
		     uint64_t default_scale, uint64_t *bytes);

#endif
