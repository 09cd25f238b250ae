/*
 * hotplug/: DIMM memory hotplug, host side.
 *
 * DIMM slots backed each by its own memfd and KVM memslot in a hotplug
 * region above RAM; the guest learns of them through QEMU's ACPI memory
 * hotplug register block (docs/specs/acpi_mem_hotplug.rst) at I/O
 * PLAT_MEMHP_PORT and GPE0 bit PLAT_GPE_MEMHP; the host drives them through
 * QMP with QEMU's command names (object-add, device_add pc-dimm, device_del,
 * object-del, query-memory-devices, query-acpi-ospm-status).
 *
 * Use, in order:
 *   hotplug_config_init()            defaults (8 slots, maxmem 4G)
 *   hotplug_parse_*()                one per CLI option (--slots, --maxmem,
 *                                    --numa, --dimm, repeated)
 *   hotplug_config_finish()          validate against --memory, lay out the
 *                                    hotplug region
 *   hotplug_acpi_config()            SRAT ranges, PNP0C80 slots, nodes
 *   memhp_create()                   the controller and cold-plugged DIMMs
 *   hotplug_qmp_register()           the QMP commands
 *   memhp_destroy()
 */
#ifndef HOTPLUG_HOTPLUG_H
#define HOTPLUG_HOTPLUG_H

#include <stdint.h>

#include "vmm/error.h"
#include "vmm/types.h"

#define MEMHP_MAX_SLOTS       256           /* as QEMU's interface */
#define MEMHP_MAX_NODES       6             /* SRAT ranges left after boot RAM */
#define MEMHP_DIMM_ALIGN      (128ull << 20) /* one guest memory section */
#define MEMHP_REGION_ALIGN    (1ull << 30)
#define MEMHP_ID_MAX          64            /* QEMU-style id, with the NUL */
#define MEMHP_DEFAULT_SLOTS   8
#define MEMHP_DEFAULT_MAXMEM  (4ull << 30)
#define MEMHP_MAX_MAXMEM      (1ull << 40)

/* One --dimm SIZE[,node=N][,id=ID]. */
struct hotplug_dimm_spec {
	uint64_t size;                  /* bytes, a multiple of 128 MiB */
	unsigned int node;              /* proximity domain */
	char id[MEMHP_ID_MAX];          /* "" until hotplug_config_finish */
};

/*
 * The hotplug part of the VM's configuration (QEMU's -m SIZE,slots=N,
 * maxmem=MAX plus -numa and cold-plugged pc-dimm devices).
 */
struct hotplug_config {
	unsigned int slots;             /* --slots: PNP0C80 devices, 0..256 */
	uint64_t maxmem;                /* --maxmem: RAM + all DIMMs */
	int maxmem_set;                 /* given on the command line */
	unsigned int numa;              /* --numa N, 0 if not given */
	unsigned int nr_dimms;
	struct hotplug_dimm_spec dimms[MEMHP_MAX_SLOTS];

	/* Filled by hotplug_config_finish(): */
	uint64_t ram_size;              /* --memory */
	unsigned int nr_nodes;          /* proximity domains, >= 1 */
	gpa_t region_base;              /* hotplug region, 1 GiB aligned */
	uint64_t region_size;           /* maxmem - memory, 128 MiB multiple */
};

struct vm;
struct memhp;
struct qmp_server;
struct acpi_config;

/* CLI: each fills @cfg or reports the user's mistake in @e (0 or -EINVAL). */
void hotplug_config_init(struct hotplug_config *cfg);
int hotplug_parse_slots(struct hotplug_config *cfg, const char *arg,
			struct errmsg *e);
int hotplug_parse_maxmem(struct hotplug_config *cfg, const char *arg,
			 struct errmsg *e);
int hotplug_parse_numa(struct hotplug_config *cfg, const char *arg,
		       struct errmsg *e);
int hotplug_parse_dimm(struct hotplug_config *cfg, const char *arg,
		       struct errmsg *e);
/* Check the options together against boot RAM of @ram_size bytes, name
 * unnamed DIMMs (dimm0, dimm1, ...) and place the hotplug region. */
int hotplug_config_finish(struct hotplug_config *cfg, uint64_t ram_size,
			  struct errmsg *e);

/*
 * Fill the hotplug part of @ac (after the boot RAM ranges are in it): one
 * hotpluggable SRAT range per node (the node's window of the hotplug
 * region), mem_slots and nr_nodes. 0 or -E2BIG (no SRAT range left).
 */
int hotplug_acpi_config(const struct hotplug_config *cfg,
			struct acpi_config *ac);

/*
 * Create the controller on vm->pio at PLAT_MEMHP_PORT and plug the --dimm
 * DIMMs (enabled, no insert event). Needs vm->mem and vm->pm. NULL with @e
 * filled on failure.
 */
struct memhp *memhp_create(struct vm *vm, const struct hotplug_config *cfg,
			   struct errmsg *e);
/* Unregister, remove every DIMM's memslot, free its memory. After the vCPUs
 * and the QMP server are gone. NULL is a no-op. */
void memhp_destroy(struct memhp *hp);

/* Register the QMP commands on @srv and emit events there. 0 or -errno. */
int hotplug_qmp_register(struct memhp *hp, struct qmp_server *srv);

/* Bytes in plugged DIMMs (query-memory-size-summary's plugged-memory). */
uint64_t memhp_plugged_size(struct memhp *hp);

/* ------------------------------------------------------------ the rules
 * What a DIMM's id and size must be, written once for every edge that
 * takes one: --dimm, QMP object-add and device_add, `memvisor ctl`. Each
 * returns 0, or -EINVAL with @e saying what is wrong in the user's words
 * (the caller names the option or command). Ids follow QEMU's rule: a
 * letter, then letters, digits, '-', '.' or '_'. A DIMM "ID" has its
 * backend named "mem-ID", so its id leaves room for that prefix.
 */
#define HOTPLUG_BACKEND_PREFIX "mem-"
#define HOTPLUG_ID_MAX_LEN     (MEMHP_ID_MAX - 1)                 /* 63 */
#define HOTPLUG_DIMM_ID_MAX_LEN (HOTPLUG_ID_MAX_LEN - 4)          /* 59 */

int hotplug_dimm_id_check(const char *id, struct errmsg *e);
/* A memory backend's id (object-add): the same rule, up to 63 characters. */
int hotplug_backend_id_check(const char *id, struct errmsg *e);
/* A DIMM's size: a non-zero multiple of MEMHP_DIMM_ALIGN (128 MiB). */
int hotplug_dimm_size_check(uint64_t size, struct errmsg *e);

#endif
