/*
 * Memory blocks: the unit of memory hotplug the rest of the kernel and the
 * user see (Linux's drivers/base/memory.c and the add/remove half of
 * mm/memory_hotplug.c). A memory block is one 128 MiB SPARSEMEM section;
 * block N covers physical [N << 27, (N + 1) << 27).
 *
 * The ACPI memory hotplug driver calls add_memory() and
 * offline_and_remove_memory() for a whole DIMM; the sysfs view
 * (/sys/devices/system/memory, sysfs_memory.c) onlines and offlines single
 * blocks. Everything runs in process context (the shell, or deferred work),
 * never from an interrupt handler: guest/mm's hotplug lock is taken with
 * interrupts on.
 */
#ifndef GUEST_KERNEL_MEMORY_BLOCK_H
#define GUEST_KERNEL_MEMORY_BLOCK_H

#include "include/types.h"

#define MEMORY_BLOCK_SHIFT  27                          /* = SECTION_SIZE_BITS */
#define MEMORY_BLOCK_SIZE   (1ull << MEMORY_BLOCK_SHIFT)

/* How a block is (to be) onlined: Linux's MMOP_* and their sysfs words. */
enum mmop {
	MMOP_OFFLINE,           /* "offline": added, not onlined */
	MMOP_ONLINE,            /* "online": the kernel zone (as Linux's default) */
	MMOP_ONLINE_KERNEL,     /* "online_kernel": DMA32 below 4 GiB, else Normal */
	MMOP_ONLINE_MOVABLE,    /* "online_movable": ZONE_MOVABLE */
};

/* /sys/devices/system/memory/auto_online_blocks: how add_memory() onlines
 * new blocks. Default MMOP_ONLINE_MOVABLE. */
extern enum mmop mhp_default_online_type;

/* "offline", "online", ... ; the enum for a word (a trailing newline is
 * ignored, as sysfs does), or -EINVAL. */
const char *mmop_to_str(enum mmop type);
int mhp_online_type_from_str(const char *str);

/* What a removal did, for the log and the caller. */
struct mhp_remove_stats {
	unsigned long nr_migrated;      /* pages moved out (even on failure) */
	uint64_t offline_cycles;        /* TSC: isolate, migrate, out of buddy */
	uint64_t remove_cycles;         /* TSC: sections removed */
};

struct mhp_add_stats {
	uint64_t add_cycles;            /* TSC: map + sections */
	uint64_t online_cycles;         /* TSC: online_pages() */
};

/*
 * Hot-add [start, start + size) (128 MiB aligned) on node @nid: map it in
 * the direct map, add its sections with their memmap on the memory itself
 * (so it works with no free memory), then online every block as @online_type
 * says. O(blocks). 0, or -EINVAL (bad range or node), -EEXIST (already
 * present), -ENOMEM, -EBUSY; on failure nothing stays added. Logs only
 * failures: the caller logs success with mhp_log_add() when it has time.
 */
int add_memory(int nid, phys_addr_t start, uint64_t size, enum mmop online_type,
	       struct mhp_add_stats *st);
void mhp_log_add(int nid, phys_addr_t start, uint64_t size, enum mmop online_type,
		 const struct mhp_add_stats *st);

/*
 * Offline every online block of [start, start + size) (isolate, migrate
 * in-use pages elsewhere, take out of the buddy), then remove the sections.
 * On failure the blocks offlined so far are onlined again into the zone they
 * were in: nothing is lost. 0, -EBUSY (unmovable page), -ENOMEM (nowhere to
 * migrate to), -EINVAL. Logs only guest/mm's own lines: the caller logs
 * the outcome (@ret, @st) with mhp_log_remove() once it has answered.
 */
int offline_and_remove_memory(phys_addr_t start, uint64_t size,
			      struct mhp_remove_stats *st);
void mhp_log_remove(phys_addr_t start, uint64_t size, int ret,
		    const struct mhp_remove_stats *st);

/* Single blocks, for sysfs. Already in the requested state: 0. */
int memory_block_online(unsigned long nr, enum mmop online_type);
int memory_block_offline(unsigned long nr);

/* What sysfs shows of a block. */
struct memory_block_info {
	bool present;           /* the rest is valid only if set */
	bool online;
	bool hotplugged;        /* added by add_memory(): memmap on the block */
	int nid;
	int zone;               /* zone_type if online in one zone, else -1 */
};

#define MEMORY_BLOCK_NONE (~0ul)

void memory_block_info(unsigned long nr, struct memory_block_info *info);
/* The first present block >= @nr, or MEMORY_BLOCK_NONE. */
unsigned long memory_block_next(unsigned long nr);
/* false if the online block holds a page that cannot be migrated (kernel
 * memory); scans its pages in use. */
bool memory_block_removable(unsigned long nr);

/* Register /sys/devices/system/memory and the hidden `kpin` command. */
void memory_dev_init(void);

#endif
