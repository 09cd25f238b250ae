/*
 * Address-range dispatch for port I/O and MMIO. The range table is small
 * and sorted; lookups are a binary search under a read lock, so vCPU threads
 * dispatch in parallel and registration (rare) takes the write lock.
 */
#include <errno.h>
#include <string.h>

#include "vmm/bus.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlock_init(&bus->lock, NULL);
}

/* Index of the first range whose end is above @addr. */
static unsigned int lower_bound(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct io_ops *ops, void *opaque)
{
	unsigned int i;
	int ret = 0;

	if (!len || base + len < base || !ops)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base < base + len)
		ret = -EEXIST;
	else if (bus->nr == BUS_MAX_RANGES)
		ret = -ENOSPC;
	if (!ret) {
		memmove(&bus->ranges[i + 1], &bus->ranges[i],
			(bus->nr - i) * sizeof(bus->ranges[0]));
		bus->ranges[i] = (struct bus_range){ base, len, ops, opaque };
		bus->nr++;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_unregister(struct bus *bus, uint64_t base)
{
	unsigned int i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base == base) {
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr - i - 1) * sizeof(bus->ranges[0]));
		bus->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool bus_dispatch(struct bus *bus, uint64_t addr, void *data,
		  unsigned int len, bool is_write)
{
	const struct bus_range *r = NULL;
	unsigned int i;

	pthread_rwlock_rdlock(&bus->lock);
	i = lower_bound(bus, addr);
	if (i < bus->nr && bus->ranges[i].base <= addr)
		r = &bus->ranges[i];
	if (r && is_write && r->ops->write)
		r->ops->write(r->opaque, addr - r->base, data, len);
	else if (r && !is_write && r->ops->read)
		r->ops->read(r->opaque, addr - r->base, data, len);
	else if (!is_write)
		memset(data, 0xff, len);
	pthread_rwlock_unlock(&bus->lock);
	return r != NULL;
}
