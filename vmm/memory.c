/*
 * Guest memory regions and KVM memslots.
 *
 * Boot RAM is one memfd: its first min(size, 3 GiB) bytes are mapped at
 * guest-physical 0, the rest at 4 GiB, leaving the PCI hole for MMIO. The
 * memfd starts zero-filled and costs host memory only where the guest
 * touches it; the guest kernel relies on that (it never zeroes fresh RAM).
 *
 * Regions are kept in an array (a handful of entries: boot RAM plus DIMMs);
 * a lookup is a linear scan. Memslot ids come from a small bitmap so that a
 * removed DIMM's slot can be reused.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/memory.h"
#include "vmm/platform.h"

uint64_t plat_ram_below_4g(uint64_t ram_size)
{
	return ram_size < PLAT_PCI_HOLE_START ? ram_size : PLAT_PCI_HOLE_START;
}

uint64_t plat_ram_above_4g(uint64_t ram_size)
{
	return ram_size - plat_ram_below_4g(ram_size);
}

static int alloc_slot(struct guest_mem *mem)
{
	unsigned int i;

	for (i = 0; i < GUEST_MEM_MAX_REGIONS; i++) {
		if (!(mem->slot_bitmap[i / 32] & (1u << (i % 32)))) {
			mem->slot_bitmap[i / 32] |= 1u << (i % 32);
			return i;
		}
	}
	return -ENOSPC;
}

static void free_slot(struct guest_mem *mem, uint32_t slot)
{
	mem->slot_bitmap[slot / 32] &= ~(1u << (slot % 32));
}

static int set_memslot(struct guest_mem *mem, uint32_t slot, gpa_t gpa,
		       uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (mem->vm_fd < 0)
		return 0;
	return ioctl(mem->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int guest_mem_add_region(struct guest_mem *mem, gpa_t gpa, uint64_t size,
			 int memfd, uint8_t *hva)
{
	struct mem_region *r;
	int slot, ret;

	if (mem->nr_regions == GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;
	slot = alloc_slot(mem);
	if (slot < 0)
		return slot;
	ret = set_memslot(mem, slot, gpa, size, hva);
	if (ret) {
		free_slot(mem, slot);
		return ret;
	}
	pthread_rwlock_wrlock(&mem->lock);
	r = &mem->regions[mem->nr_regions++];
	*r = (struct mem_region){ .gpa = gpa, .size = size, .hva = hva,
				  .memfd = memfd, .slot = slot };
	pthread_rwlock_unlock(&mem->lock);
	if (mem->obs && memfd != mem->ram_fd)
		mem->obs->region_added(mem->obs_opaque, r);
	return 0;
}

int guest_mem_remove_region(struct guest_mem *mem, gpa_t gpa)
{
	unsigned int i;
	int ret;

	for (i = 0; i < mem->nr_regions; i++) {
		struct mem_region *r = &mem->regions[i];

		if (r->gpa != gpa || r->is_boot_ram)
			continue;
		if (mem->obs)
			mem->obs->region_removed(mem->obs_opaque, r);
		/* A zero-sized memslot deletes it. */
		ret = set_memslot(mem, r->slot, r->gpa, 0, r->hva);
		if (ret)
			return ret;
		free_slot(mem, r->slot);
		pthread_rwlock_wrlock(&mem->lock);
		mem->regions[i] = mem->regions[--mem->nr_regions];
		pthread_rwlock_unlock(&mem->lock);
		return 0;
	}
	return -ENOENT;
}

static int add_boot_ram(struct guest_mem *mem, gpa_t gpa, uint64_t off,
			uint64_t size)
{
	int ret = guest_mem_add_region(mem, gpa, size, mem->ram_fd,
				       mem->ram_hva + off);

	if (!ret)
		mem->regions[mem->nr_regions - 1].is_boot_ram = 1;
	return ret;
}

int guest_mem_init(struct guest_mem *mem, int vm_fd, uint64_t ram_size,
		   struct errmsg *e)
{
	uint64_t low = plat_ram_below_4g(ram_size);
	int ret;

	memset(mem, 0, sizeof(*mem));
	mem->vm_fd = vm_fd;
	mem->ram_size = ram_size;
	mem->ram_fd = memfd_create("memvisor-ram", MFD_CLOEXEC);
	if (mem->ram_fd < 0)
		return errmsg_set(e, -errno, "memfd_create: %s", strerror(errno));
	if (ftruncate(mem->ram_fd, ram_size) < 0) {
		ret = errmsg_set(e, -errno, "cannot size guest RAM to %llu bytes: %s",
				 (unsigned long long)ram_size, strerror(errno));
		goto err_close;
	}
	mem->ram_hva = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_NORESERVE, mem->ram_fd, 0);
	if (mem->ram_hva == MAP_FAILED) {
		ret = errmsg_set(e, -errno, "cannot map %llu bytes of guest RAM: %s",
				 (unsigned long long)ram_size, strerror(errno));
		goto err_close;
	}
	ret = add_boot_ram(mem, 0, 0, low);
	if (!ret && ram_size > low)
		ret = add_boot_ram(mem, PLAT_4G, low, ram_size - low);
	if (ret) {
		errmsg_set(e, ret, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		goto err_unmap;
	}
	return 0;
err_unmap:
	munmap(mem->ram_hva, ram_size);
err_close:
	close(mem->ram_fd);
	return ret;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	if (mem->ram_hva && mem->ram_hva != MAP_FAILED)
		munmap(mem->ram_hva, mem->ram_size);
	if (mem->ram_fd > 0)
		close(mem->ram_fd);
	mem->ram_hva = NULL;
	mem->ram_fd = -1;
	mem->nr_regions = 0;
}

void guest_mem_set_observer(struct guest_mem *mem,
			    const struct guest_mem_observer *obs, void *opaque)
{
	mem->obs = obs;
	mem->obs_opaque = opaque;
}

/* The region table is read under mem->lock; callers cast away const only
 * to take it. */
static void mem_rdlock(const struct guest_mem *mem)
{
	pthread_rwlock_rdlock((pthread_rwlock_t *)&mem->lock);
}

static void mem_unlock(const struct guest_mem *mem)
{
	pthread_rwlock_unlock((pthread_rwlock_t *)&mem->lock);
}

void *guest_mem_ptr(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	void *hva = NULL;
	unsigned int i;

	mem_rdlock(mem);
	for (i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa)) {
			hva = r->hva + (gpa - r->gpa);
			break;
		}
	}
	mem_unlock(mem);
	return hva;
}

/* Boot RAM minus the areas the e820 map reserves below 1 MiB. */
int guest_mem_is_ram(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	uint64_t low = plat_ram_below_4g(mem->ram_size);
	uint64_t end = gpa + len;

	if (end < gpa)
		return 0;
	if (end <= PLAT_LOWMEM_END)
		return 1;
	if (gpa >= PLAT_HIGHMEM_START && end <= low)
		return 1;
	return gpa >= PLAT_4G && end <= PLAT_4G + plat_ram_above_4g(mem->ram_size);
}

static const struct mem_region *region_of(const struct guest_mem *mem,
					  gpa_t gpa)
{
	unsigned int i;

	for (i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/* As guest_mem_is_any_ram, with mem->lock held. */
static bool __is_any_ram(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	const struct mem_region *r;

	if (guest_mem_is_ram(mem, gpa, len))
		return true;
	r = region_of(mem, gpa);
	return r && !r->is_boot_ram && len <= r->size - (gpa - r->gpa);
}

bool guest_mem_is_any_ram(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	bool ret;

	mem_rdlock(mem);
	ret = __is_any_ram(mem, gpa, len);
	mem_unlock(mem);
	return ret;
}

/* Is all of [gpa, gpa+len) guest RAM, region by region? */
static bool discardable(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	while (len) {
		const struct mem_region *r = region_of(mem, gpa);
		uint64_t n;

		if (!r)
			return false;
		n = r->size - (gpa - r->gpa);
		if (n > len)
			n = len;
		if (!__is_any_ram(mem, gpa, n))
			return false;
		gpa += n;
		len -= n;
	}
	return true;
}

/* guest_mem_discard with mem->lock held for reading. */
static int __discard(struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	if (!discardable(mem, gpa, len))
		return -EFAULT;
	while (len) {
		const struct mem_region *r = region_of(mem, gpa);
		uint64_t n = r->size - (gpa - r->gpa);

		if (n > len)
			n = len;
		if (mem->obs)
			mem->obs->discard(mem->obs_opaque, r->hva + (gpa - r->gpa), n);
		if (madvise(r->hva + (gpa - r->gpa), n, MADV_REMOVE) < 0)
			return -errno;
		gpa += n;
		len -= n;
	}
	return 0;
}

int guest_mem_discard(struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	const uint64_t page = 4096;
	int ret;

	if ((gpa | len) & (page - 1) || gpa + len < gpa)
		return -EINVAL;
	mem_rdlock(mem);
	ret = __discard(mem, gpa, len);
	mem_unlock(mem);
	return ret;
}

static int memmap_add(struct hvm_memmap_table_entry *map, unsigned int *n,
		      unsigned int max, uint64_t addr, uint64_t size,
		      uint32_t type)
{
	if (!size)
		return 0;
	if (*n == max)
		return -E2BIG;
	map[*n] = (struct hvm_memmap_table_entry){ .addr = addr, .size = size,
						   .type = type };
	(*n)++;
	return 0;
}

int guest_mem_build_memmap(const struct guest_mem *mem,
			   struct hvm_memmap_table_entry *map, unsigned int max)
{
	uint64_t low = plat_ram_below_4g(mem->ram_size);
	unsigned int n = 0;
	int ret = 0;

	ret |= memmap_add(map, &n, max, 0, PLAT_LOWMEM_END,
			  XEN_HVM_MEMMAP_TYPE_RAM);
	ret |= memmap_add(map, &n, max, PLAT_LOWMEM_END,
			  0xa0000 - PLAT_LOWMEM_END, XEN_HVM_MEMMAP_TYPE_RESERVED);
	ret |= memmap_add(map, &n, max, PLAT_ACPI_GPA, PLAT_ACPI_SIZE,
			  XEN_HVM_MEMMAP_TYPE_ACPI);
	ret |= memmap_add(map, &n, max, PLAT_HIGHMEM_START,
			  low - PLAT_HIGHMEM_START, XEN_HVM_MEMMAP_TYPE_RAM);
	ret |= memmap_add(map, &n, max, PLAT_4G, plat_ram_above_4g(mem->ram_size),
			  XEN_HVM_MEMMAP_TYPE_RAM);
	return ret ? -E2BIG : (int)n;
}
