/*
 * Guest memory: boot RAM is one memfd, mapped once in the VMM and given to
 * KVM as one memslot below the PCI hole and, if RAM exceeds 3 GiB, a second
 * one at 4 GiB. Other modules (hotplug/) add regions with their own memfd.
 */
#ifndef VMM_MEMORY_H
#define VMM_MEMORY_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include "abi/pvh.h"
#include "vmm/error.h"
#include "vmm/types.h"

#define GUEST_MEM_MAX_REGIONS 264   /* boot RAM (2) + 256 DIMM slots */

struct mem_region {
	gpa_t gpa;
	uint64_t size;
	uint8_t *hva;        /* host mapping of the whole region */
	int memfd;           /* backing memfd (owned by the region's creator) */
	uint32_t slot;       /* KVM memslot id */
	int is_boot_ram;     /* part of boot RAM (in the e820 map) */
};

/*
 * Who watches guest memory (at most one: the KSM client). Called with the
 * change about to happen: region_added after a region is live,
 * region_removed before it leaves KVM, discard before [hva, hva+len) is
 * given back to the host.
 */
struct guest_mem_observer {
	void (*region_added)(void *opaque, const struct mem_region *r);
	void (*region_removed)(void *opaque, const struct mem_region *r);
	void (*discard)(void *opaque, uint8_t *hva, uint64_t len);
};

/*
 * Locking: `lock` guards the region table. Lookups (guest_mem_ptr,
 * guest_mem_is_any_ram, guest_mem_discard) take it for reading, so a
 * device thread never reads a region while hotplug adds or removes one;
 * adding and removing take it for writing. A zero-filled struct is an
 * unlocked one (glibc's PTHREAD_RWLOCK_INITIALIZER), as the unit tests make
 * them. A host pointer a lookup returns stays mapped after its region is
 * removed: the region's owner replaces a removed mapping with scratch
 * memory instead of unmapping it (hotplug/dimm.c), so a device that raced
 * the removal writes into scratch, never outside the VMM's own memory.
 */
struct guest_mem {
	pthread_rwlock_t lock;
	int vm_fd;
	const struct guest_mem_observer *obs;
	void *obs_opaque;
	uint64_t ram_size;           /* boot RAM, bytes */
	int ram_fd;
	uint8_t *ram_hva;
	unsigned int nr_regions;
	struct mem_region regions[GUEST_MEM_MAX_REGIONS];
	uint32_t slot_bitmap[(GUEST_MEM_MAX_REGIONS + 31) / 32];
};

/* Create boot RAM of @ram_size bytes (a multiple of 4 KiB, at least 2 MiB)
 * and register it with KVM on @vm_fd (or with no VM if @vm_fd < 0, for tests). */
int guest_mem_init(struct guest_mem *mem, int vm_fd, uint64_t ram_size,
		   struct errmsg *e);
void guest_mem_destroy(struct guest_mem *mem);

/* Host pointer for [gpa, gpa+len) if it lies inside one region, else NULL. */
void *guest_mem_ptr(const struct guest_mem *mem, gpa_t gpa, uint64_t len);

/* True if [gpa, gpa+len) is boot RAM (not a hole or reserved area). */
int guest_mem_is_ram(const struct guest_mem *mem, gpa_t gpa, uint64_t len);

/* True if [gpa, gpa+len) is guest RAM: boot RAM the e820 map calls RAM, or
 * wholly inside one region another module added (a DIMM). */
bool guest_mem_is_any_ram(const struct guest_mem *mem, gpa_t gpa, uint64_t len);

/*
 * Give the host memory behind guest RAM [gpa, gpa+len) back to the host
 * (page-aligned; it may span adjacent regions): holes are punched in the
 * backing memfds (MADV_REMOVE on the shared mapping), so the guest reads
 * zeros there afterwards and the host allocates again on the next touch.
 * 0; -EINVAL if misaligned, -EFAULT if any of it is not guest RAM (nothing
 * is released then); or madvise's -errno.
 */
int guest_mem_discard(struct guest_mem *mem, gpa_t gpa, uint64_t len);

/* Fill @map with the e820-style map of boot RAM; entry count or -E2BIG. */
int guest_mem_build_memmap(const struct guest_mem *mem,
			   struct hvm_memmap_table_entry *map, unsigned int max);

void guest_mem_set_observer(struct guest_mem *mem,
			    const struct guest_mem_observer *obs, void *opaque);

/* Map @memfd at @gpa as a new KVM memslot; 0 or -errno. */
int guest_mem_add_region(struct guest_mem *mem, gpa_t gpa, uint64_t size,
			 int memfd, uint8_t *hva);
/* Remove the region starting at @gpa from KVM (the caller owns its memfd
 * and mapping). 0 or -ENOENT. */
int guest_mem_remove_region(struct guest_mem *mem, gpa_t gpa);

/* Layout helpers (pure). */
uint64_t plat_ram_below_4g(uint64_t ram_size);
uint64_t plat_ram_above_4g(uint64_t ram_size);

#endif
