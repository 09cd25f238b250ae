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

/*
 * What memvisor ctl --connect reads of a running domain's live XML
 * (virDomainGetXMLDesc): the memory sizes, the DIMMs with the alias, slot
 * and base libvirt gave them, and the disks. The XML comes from libvirtd,
 * so it is parsed with the same care as a file (and fuzzed with it).
 */
#define CONFIG_LIVE_MAX_DIMMS 256
#define CONFIG_LIVE_MAX_DISKS 32

struct config_live_dimm {
	char alias[64];         /* libvirt's: "dimm0", or "ua-NAME" a user gave */
	long long slot, base;   /* -1: not in the XML */
	uint64_t size;          /* bytes */
	long node;
};

struct config_live_disk {
	char target[32];        /* "vda" */
	char file[512];
	char format[16];        /* "raw" */
	int readonly;
};

struct config_live {
	uint64_t memory;        /* <memory>: the total, DIMMs included */
	uint64_t max_memory;    /* <maxMemory>, 0 if none */
	unsigned int nr_dimms, nr_disks;
	struct config_live_dimm dimms[CONFIG_LIVE_MAX_DIMMS];
	struct config_live_disk disks[CONFIG_LIVE_MAX_DISKS];
};

/* Read @xml (@len bytes) into @out. 0, or -errno with @e filled. */
int config_xml_live(const char *xml, size_t len, struct config_live *out,
		    struct errmsg *e);

/* A libvirt scaled integer: @value in @unit (NULL or "": @default_scale
 * bytes each; b, bytes, k/KiB, KB, M/MiB, MB, ... E/EiB, EB, any case) into
 * @bytes. 0, -EINVAL (not a number, unknown unit) or -ERANGE (overflow). */
int config_xml_scale(const char *value, const char *unit,
		     uint64_t default_scale, uint64_t *bytes);

#endif
