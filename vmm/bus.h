/*
 * A bus maps address ranges (port I/O or MMIO) to devices. Every device
 * registers through bus_register(); the vCPU exit loop calls bus_dispatch().
 * Ranges are registered before the vCPUs start, or under the bus lock.
 */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct io_ops {
	/* @off is relative to the registered base; @len is 1, 2, 4 or 8. */
	void (*read)(void *opaque, uint64_t off, void *data, unsigned int len);
	void (*write)(void *opaque, uint64_t off, const void *data,
		      unsigned int len);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;
	void *opaque;
};

#define BUS_MAX_RANGES 64

struct bus {
	const char *name;
	pthread_rwlock_t lock;
	unsigned int nr;
	struct bus_range ranges[BUS_MAX_RANGES];   /* sorted by base */
};

void bus_init(struct bus *bus, const char *name);
/* 0, -EEXIST if it overlaps a registered range, -ENOSPC, -EINVAL. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct io_ops *ops, void *opaque);
int bus_unregister(struct bus *bus, uint64_t base);
/* Dispatch an access; false if no device claims @addr (reads then see
 * all ones, writes are dropped, as on a PC). */
bool bus_dispatch(struct bus *bus, uint64_t addr, void *data,
		  unsigned int len, bool is_write);

#endif
