/*
 * hotplug/ internals, shared by its .c files and its unit tests only.
 *
 *   memhp.c        the register block as a pure state machine
 *   region.c       hotplug region layout and first-fit placement (pure)
 *   config.c       CLI parsing and the ACPI configuration (pure)
 *   memhp_acpi.c   the DSDT's AML for the controller and its slots
 *   dimm.c         memory backends, DIMMs: memfd + memslot, plug, eject
 *   hotplug_qmp.c  the QMP commands
 *   device.c       the device_ops that ties them to the VM
 */
#ifndef HOTPLUG_INTERNAL_H
#define HOTPLUG_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/memhp.h"
#include "hotplug/hotplug.h"
#include "vmm/error.h"
#include "vmm/qmp.h"
#include "vmm/types.h"

/* The register block: abi/memhp.h, shared with the guest driver. */

/* ------------------------------------------------------------ config.c */

#define MEMHP_MAX_NODES       6             /* SRAT ranges left after boot RAM */
#define MEMHP_REGION_ALIGN    (1ull << 30)
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
	uint64_t node_ram[MEMHP_MAX_NODES]; /* --numa SIZE,SIZE,...: boot RAM
					     * per node; all 0 for --numa N */
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
 * region), nr_nodes, and the DSDT part (memhp_acpi.c). 0 or -E2BIG.
 */
int hotplug_acpi_config(const struct hotplug_config *cfg,
			struct acpi_config *ac, struct errmsg *e);
/* memhp_acpi.c: add the controller's and slots' AML to @ac's DSDT (none
 * without slots). @cfg must outlive acpi_build(). */
int memhp_acpi_dsdt(const struct hotplug_config *cfg, struct acpi_config *ac,
		    struct errmsg *e);

/*
 * Create the controller on vm->pio at MEMHP_IO_BASE and plug the --dimm
 * DIMMs (enabled, no insert event); events raise GPE0 bit MEMHP_GPE_BIT
 * through the core. @cfg must outlive the controller. NULL with @e filled
 * on failure.
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


/* ------------------------------------------------------------ memhp.c */

/* What one slot shows the guest. */
struct memhp_slot_regs {
	gpa_t addr;             /* DIMM base, 0 if empty */
	uint64_t size;          /* DIMM size, 0 if empty */
	uint32_t node;          /* proximity domain */
	uint8_t status;         /* MEMHP_STS_* */
	uint32_t ost_event;     /* last _OST source event from the guest */
	uint32_t ost_status;    /* last _OST status code from the guest */
};

struct memhp_regs {
	unsigned int nr_slots;
	uint32_t selector;      /* as written; may be out of range */
	struct memhp_slot_regs slot[MEMHP_MAX_SLOTS];
};

/* What a guest write asks the platform to do. */
struct memhp_io_result {
	unsigned int slot;      /* the selected slot */
	bool ost;               /* OST status written: report ACPI_DEVICE_OST */
	bool eject;             /* eject the enabled DIMM in @slot */
};

void memhp_regs_init(struct memhp_regs *r, unsigned int nr_slots);
/* A guest read of @len (1..4) bytes at @off; all ones for an empty
 * selector or a reserved byte. */
uint32_t memhp_regs_read(const struct memhp_regs *r, unsigned int off,
			 unsigned int len);
/* A guest write; returns what the platform must do in @res. */
void memhp_regs_write(struct memhp_regs *r, unsigned int off, unsigned int len,
		      uint32_t val, struct memhp_io_result *res);
/* Host side: a DIMM appears in @slot (cold: enabled only; hot: enabled and
 * insert event). */
void memhp_regs_plug(struct memhp_regs *r, unsigned int slot, gpa_t addr,
		     uint64_t size, uint32_t node, bool hot);
/* Host side: ask the guest to give back the DIMM in @slot. */
void memhp_regs_request_remove(struct memhp_regs *r, unsigned int slot);
/* Host side: the DIMM in @slot is gone (OST values stay for the query). */
void memhp_regs_unplug(struct memhp_regs *r, unsigned int slot);

/* ------------------------------------------------------------ region.c */

/* The hotplug region, cut into one window per NUMA node. */
struct memhp_layout {
	gpa_t base;
	uint64_t size;
	unsigned int nr_nodes;
	uint64_t node_size;     /* every window but the last, which takes the
				   rest */
};

struct memhp_range {
	gpa_t base;
	uint64_t size;
};

/* Place the region for @ram_size of boot RAM and @maxmem; 0 or -ERANGE. */
int memhp_layout_init(struct memhp_layout *l, uint64_t ram_size,
		      uint64_t maxmem, unsigned int nr_nodes);
/* Node @node's window. */
struct memhp_range memhp_layout_window(const struct memhp_layout *l,
				       unsigned int node);
/* First 128 MiB-aligned gap of @size in @win not overlapping @used[0..n);
 * 0 or -ENOSPC. */
int memhp_first_fit(struct memhp_range win, const struct memhp_range *used,
		    unsigned int n, uint64_t size, gpa_t *out);

/* ------------------------------------------------------------ dimm.c */

#define MEMHP_MAX_MEMDEVS     (2 * MEMHP_MAX_SLOTS)
#define MEMHP_MAX_RETIRED     4096   /* scratch ranges kept (dimm_retire) */

/* A memory backend (object-add memory-backend-ram/-memfd): only a size
 * until a DIMM uses it; the DIMM owns the memory. */
struct memdev {
	bool used;
	char id[MEMHP_ID_MAX];
	uint64_t size;
	const char *qom_type;   /* static string */
	int dimm;               /* slot of the DIMM using it, or -1 */
};

/* A plugged DIMM (pc-dimm), indexed by slot. */
struct dimm {
	bool plugged;
	char id[MEMHP_ID_MAX];  /* "" if none was given */
	int memdev;             /* index in memhp.memdevs */
	gpa_t base;
	uint64_t size;
	unsigned int node;
	bool hotplugged;        /* by device_add, not --dimm */
	bool remove_requested;  /* device_del seen, eject not yet */
	int memfd;
	uint8_t *hva;
};

/* Events and GPE to deliver once the lock is dropped. */
struct memhp_pending {
	bool raise_gpe;
	unsigned int nr;
	struct {
		const char *name;
		json_t *data;
	} ev[2];
};

typedef void (*memhp_emit_fn)(void *opaque, const char *event, json_t *data);

struct guest_mem;
struct vm;
struct bus;

struct memhp {
	pthread_mutex_t lock;           /* everything below */
	struct guest_mem *mem;
	struct vm *vm;                  /* NULL: no GPE (unit tests) */
	const struct hotplug_config *cfg;  /* the flags it was made from */
	struct bus *pio;                /* where the block is registered */
	uint64_t ram_size;
	uint64_t maxmem;
	struct memhp_layout layout;
	struct memhp_regs regs;
	struct dimm dimm[MEMHP_MAX_SLOTS];
	struct memdev memdev[MEMHP_MAX_MEMDEVS];
	memhp_emit_fn emit;             /* NULL: no events */
	void *emit_opaque;
	unsigned int nr_retired;        /* ejected DIMMs' scratch ranges */
	struct { uint8_t *hva; uint64_t size; } retired[MEMHP_MAX_RETIRED];
};

/* memhp_create() without the bus and the VM: for unit tests too. */
struct memhp *memhp_new(struct guest_mem *mem, struct vm *vm,
			const struct hotplug_config *cfg, struct errmsg *e);
void memhp_free(struct memhp *hp);

/* Port I/O entry points (what the bus calls), usable by tests. */
uint32_t memhp_io_read(struct memhp *hp, unsigned int off, unsigned int len);
void memhp_io_write(struct memhp *hp, unsigned int off, unsigned int len,
		    uint32_t val);

/* Caller holds hp->lock. @e gets the reason; -ENODEV means the device id is
 * unknown (QMP's DeviceNotFound). */
int __memdev_add(struct memhp *hp, const char *id, const char *qom_type,
		 uint64_t size, struct errmsg *e);
int __memdev_del(struct memhp *hp, const char *id, struct errmsg *e);
int __dimm_plug(struct memhp *hp, const char *id, const char *memdev,
		unsigned int node, bool hot, struct memhp_pending *p,
		struct errmsg *e);
int __dimm_unplug_request(struct memhp *hp, const char *id,
			  struct memhp_pending *p, struct errmsg *e);
uint64_t __memhp_plugged_size(const struct memhp *hp);

/* Deliver @p (events, GPE); without hp->lock. */
void memhp_flush(struct memhp *hp, struct memhp_pending *p);

/* ACPIOSTInfo of @slot: {device?, slot, slot-type, source, status}. */
json_t *__memhp_ost_info(const struct memhp *hp, unsigned int slot);

/* ------------------------------------------------------------ hotplug_qmp.c */

/* Run QMP command @name as the server would (tests). */
json_t *memhp_qmp_call(struct memhp *hp, const char *name, json_t *args,
		       struct qmp_error *err);

#endif
