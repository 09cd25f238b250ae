/*
 * DIMM slots: memory backends, DIMMs, plug, remove request and eject.
 *
 * What: the host side of memory hotplug. A memory backend (QMP object-add
 * memory-backend-ram or -memfd, or implicitly one per --dimm) is only an id
 * and a size. Plugging a DIMM (QMP device_add pc-dimm, or --dimm at boot)
 * gives it the lowest free slot, a 128 MiB-aligned place in its node's
 * window of the hotplug region (region.c), and its own memory: a fresh
 * memfd of the DIMM's size, mapped MAP_SHARED once in the VMM and handed to
 * KVM as its own memslot. The guest then sees the slot enabled in the
 * register block (memhp.c); a hot-plugged one also has its insert event set
 * and GPE0 bit 3 raised, so the guest's _E03 scans the slots.
 *
 * Removal is the guest's decision. device_del only sets the slot's remove
 * event and raises the GPE; the DIMM, its memslot and its memory stay until
 * the guest writes the eject bit (after it has offlined the memory). Only
 * then is the memslot removed, the mapping unmapped and the memfd closed,
 * which gives the memory back to the host, and DEVICE_DELETED emitted. The
 * backend object survives, unused, until object-del; plugging it again
 * gives the guest fresh zeroed memory.
 *
 * The guest's _OST reports (event, status) are kept per slot for
 * query-acpi-ospm-status and each one is forwarded as ACPI_DEVICE_OST.
 *
 * Data structures: struct memhp (hotplug_internal.h) holds the register
 * state, the DIMMs indexed by slot and a table of memory backends; a DIMM
 * and its backend point at each other by index.
 *
 * Invariants: a plugged DIMM has a memfd, a mapping and a memslot, and its
 * slot is enabled in the registers; its backend's .dimm is its slot; the
 * DIMMs' ranges never overlap and lie in their node's window; the sum of
 * their sizes never exceeds maxmem - memory.
 *
 * Locking: memhp.lock protects all of struct memhp. vCPU threads take it
 * for every port access (and an eject removes the memslot under it); the
 * QMP thread takes it for every command. Events and the GPE are collected
 * in a struct memhp_pending under the lock and delivered after it is
 * dropped (memhp_flush), so the lock never nests with the QMP server's or
 * the PM block's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hotplug/hotplug_internal.h"
#include "vmm/bus.h"
#include "vmm/memory.h"
#include "vmm/platform.h"
#include "vmm/util.h"
#include "vmm/vm.h"

/* ------------------------------------------------------------ lookups */

static int memdev_find(const struct memhp *hp, const char *id)
{
	unsigned int i;

	for (i = 0; i < MEMHP_MAX_MEMDEVS; i++)
		if (hp->memdev[i].used && !strcmp(hp->memdev[i].id, id))
			return i;
	return -1;
}

static int dimm_find(const struct memhp *hp, const char *id)
{
	unsigned int i;

	for (i = 0; i < hp->regs.nr_slots; i++)
		if (hp->dimm[i].plugged && !strcmp(hp->dimm[i].id, id))
			return i;
	return -1;
}

static const char *dimm_name(const struct dimm *d)
{
	return d->id[0] ? d->id : "(no id)";
}

static int free_slot(const struct memhp *hp)
{
	unsigned int i;

	for (i = 0; i < hp->regs.nr_slots; i++)
		if (!hp->dimm[i].plugged)
			return i;
	return -1;
}

uint64_t __memhp_plugged_size(const struct memhp *hp)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < hp->regs.nr_slots; i++)
		if (hp->dimm[i].plugged)
			sum += hp->dimm[i].size;
	return sum;
}

/* ------------------------------------------------------------ backends */

int __memdev_add(struct memhp *hp, const char *id, const char *qom_type,
		 uint64_t size, struct errmsg *e)
{
	unsigned int i;
	int ret;

	ret = hotplug_backend_id_check(id, e);
	if (ret)
		return ret;
	if (memdev_find(hp, id) >= 0)
		return errmsg_user(e, -EEXIST, "an object with id '%s' already exists", id);
	ret = hotplug_dimm_size_check(size, e);
	if (ret)
		return ret;
	for (i = 0; i < MEMHP_MAX_MEMDEVS; i++)
		if (!hp->memdev[i].used)
			break;
	if (i == MEMHP_MAX_MEMDEVS)
		return errmsg_user(e, -ENOSPC, "too many memory backends (at most %d)",
				   MEMHP_MAX_MEMDEVS);
	hp->memdev[i] = (struct memdev){ .used = true, .size = size,
					 .qom_type = qom_type, .dimm = -1 };
	strcpy(hp->memdev[i].id, id);
	return 0;
}

int __memdev_del(struct memhp *hp, const char *id, struct errmsg *e)
{
	int i = memdev_find(hp, id);
	const struct dimm *d;

	if (i < 0)
		return errmsg_user(e, -ENOENT, "object '%s' not found", id);
	if (hp->memdev[i].dimm >= 0) {
		d = &hp->dimm[hp->memdev[i].dimm];
		return errmsg_user(e, -EBUSY, "object '%s' is in use by DIMM '%s' and cannot be deleted (device_del the DIMM first)",
				   id, dimm_name(d));
	}
	memset(&hp->memdev[i], 0, sizeof(hp->memdev[i]));
	hp->memdev[i].dimm = -1;
	return 0;
}

/* ------------------------------------------------------------ memory */

/* A fresh memfd of @d->size bytes, mapped shared: zero-filled, no RSS. */
static int dimm_map(struct dimm *d, struct errmsg *e)
{
	char name[16 + MEMHP_ID_MAX];
	int ret;

	snprintf(name, sizeof(name), "memvisor-dimm:%s", d->id);
	d->memfd = memfd_create(name, MFD_CLOEXEC);
	if (d->memfd < 0)
		return errmsg_set(e, -errno, "memfd_create for DIMM: %s", strerror(errno));
	if (ftruncate(d->memfd, d->size) < 0)
		goto err;
	d->hva = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_NORESERVE, d->memfd, 0);
	if (d->hva != MAP_FAILED)
		return 0;
err:
	ret = -errno;
	close(d->memfd);
	d->memfd = -1;
	d->hva = NULL;
	return errmsg_set(e, ret, "cannot allocate host memory for the DIMM: %s",
			  strerror(-ret));
}

/* Give the DIMM's memory back to the host. */
/*
 * An ejected DIMM's memory goes back to the host (its memfd is closed and
 * its pages freed), but its address range stays mapped, to anonymous
 * scratch that costs nothing until written: a device thread that looked up
 * a guest address on the DIMM just before the removal (a virtqueue buffer,
 * a balloon page, a disk request) then writes into scratch, never into
 * memory something else has mapped there since. The scratch ranges are
 * unmapped when the controller is freed, after every device is gone.
 */
static void dimm_retire(struct memhp *hp, struct dimm *d)
{
	void *scratch;

	if (!d->hva)
		return;
	scratch = mmap(d->hva, d->size, PROT_READ | PROT_WRITE,
		       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (scratch == MAP_FAILED || hp->nr_retired == MEMHP_MAX_RETIRED) {
		munmap(d->hva, d->size);        /* no room to keep it: unmap */
	} else {
		hp->retired[hp->nr_retired].hva = d->hva;
		hp->retired[hp->nr_retired++].size = d->size;
	}
	d->hva = NULL;
}

static void dimm_unmap(struct dimm *d)
{
	if (d->hva)
		munmap(d->hva, d->size);
	if (d->memfd >= 0)
		close(d->memfd);
	d->hva = NULL;
	d->memfd = -1;
}

/* ------------------------------------------------------------ plug */

/* Reasons a DIMM of @size on @node cannot be plugged now, or 0. */
static int plug_check(const struct memhp *hp, uint64_t size, unsigned int node,
		      struct errmsg *e)
{
	char a[32], b[32], c[32], d[32];
	uint64_t plugged = __memhp_plugged_size(hp);

	if (!hp->regs.nr_slots)
		return errmsg_user(e, -EOPNOTSUPP, "memory hotplug is disabled (--slots 0)");
	if (node >= hp->layout.nr_nodes)
		return errmsg_user(e, -EINVAL, "node %u does not exist (the VM has nodes 0 to %u; see --numa)",
				   node, hp->layout.nr_nodes - 1);
	if (free_slot(hp) < 0)
		return errmsg_user(e, -ENOSPC, "no free DIMM slot (all %u slots are in use; see --slots)",
				   hp->regs.nr_slots);
	if (plugged + size > hp->maxmem - hp->ram_size)
		return errmsg_user(e, -ENOSPC, "adding %s would exceed maxmem %s (RAM %s + DIMMs %s)",
				   format_size(size, a, sizeof(a)),
				   format_size(hp->maxmem, b, sizeof(b)),
				   format_size(hp->ram_size, c, sizeof(c)),
				   format_size(plugged, d, sizeof(d)));
	return 0;
}

/* First fit for @size in @node's window; 0 or -ENOSPC with @e filled. */
static int dimm_place(const struct memhp *hp, uint64_t size,
		      unsigned int node, gpa_t *base, struct errmsg *e)
{
	struct memhp_range used[MEMHP_MAX_SLOTS];
	struct memhp_range w = memhp_layout_window(&hp->layout, node);
	unsigned int i, n = 0;
	char a[32], b[32];

	for (i = 0; i < hp->regs.nr_slots; i++)
		if (hp->dimm[i].plugged)
			used[n++] = (struct memhp_range){ hp->dimm[i].base,
							  hp->dimm[i].size };
	if (!memhp_first_fit(w, used, n, size, base))
		return 0;
	return errmsg_user(e, -ENOSPC, "node %u's part of the hotplug region (%s at 0x%llx) has no free range of %s",
			   node, format_size(w.size, a, sizeof(a)),
			   (unsigned long long)w.base, format_size(size, b, sizeof(b)));
}

static int check_ids(const struct memhp *hp, const char *id,
		     const char *memdev, struct errmsg *e)
{
	int m, ret;

	if (id[0]) {
		ret = hotplug_dimm_id_check(id, e);
		if (ret)
			return ret;
	}
	if (id[0] && dimm_find(hp, id) >= 0)
		return errmsg_user(e, -EEXIST, "a device with id '%s' already exists", id);
	if (!memdev)
		return errmsg_user(e, -EINVAL, "pc-dimm needs 'memdev' (the id of a memory-backend object)");
	m = memdev_find(hp, memdev);
	if (m < 0)
		return errmsg_user(e, -ENOENT, "memdev '%s' not found (create it with object-add first)",
				   memdev);
	if (hp->memdev[m].dimm >= 0)
		return errmsg_user(e, -EBUSY, "memdev '%s' is already used by DIMM '%s'",
				   memdev, dimm_name(&hp->dimm[hp->memdev[m].dimm]));
	return 0;
}

/* Memory, memslot, registers: the DIMM in @slot is live. */
static int dimm_commit(struct memhp *hp, unsigned int slot, bool hot,
		       struct errmsg *e)
{
	struct dimm *d = &hp->dimm[slot];
	int ret = dimm_map(d, e);

	if (ret)
		return ret;
	ret = guest_mem_add_region(hp->mem, d->base, d->size, d->memfd, d->hva);
	if (ret) {
		dimm_unmap(d);
		if (ret == -ENOSPC)
			return errmsg_set(e, ret, "no KVM memory slot left for another DIMM");
		return errmsg_set(e, ret, "cannot map the DIMM into the guest: %s",
				  strerror(-ret));
	}
	d->plugged = true;
	hp->memdev[d->memdev].dimm = slot;
	memhp_regs_plug(&hp->regs, slot, d->base, d->size, d->node, hot);
	return 0;
}

int __dimm_plug(struct memhp *hp, const char *id, const char *memdev,
		unsigned int node, bool hot, struct memhp_pending *p,
		struct errmsg *e)
{
	struct dimm d = { .node = node, .hotplugged = hot, .memfd = -1 };
	int slot, ret;

	ret = check_ids(hp, id ? id : "", memdev, e);
	if (ret)
		return ret;
	d.memdev = memdev_find(hp, memdev);
	d.size = hp->memdev[d.memdev].size;
	ret = plug_check(hp, d.size, node, e);
	if (!ret)
		ret = dimm_place(hp, d.size, node, &d.base, e);
	if (ret)
		return ret;
	snprintf(d.id, sizeof(d.id), "%s", id ? id : "");
	slot = free_slot(hp);
	hp->dimm[slot] = d;
	ret = dimm_commit(hp, slot, hot, e);
	if (ret) {
		memset(&hp->dimm[slot], 0, sizeof(d));
		hp->dimm[slot].memfd = -1;
		return ret;
	}
	if (hot)
		p->raise_gpe = true;
	return 0;
}

/* ------------------------------------------------------------ unplug */

int __dimm_unplug_request(struct memhp *hp, const char *id,
			  struct memhp_pending *p, struct errmsg *e)
{
	int slot = id ? dimm_find(hp, id) : -1;

	if (slot < 0)
		return errmsg_user(e, -ENODEV, "Device '%s' not found", id ? id : "");
	hp->dimm[slot].remove_requested = true;
	memhp_regs_request_remove(&hp->regs, slot);
	p->raise_gpe = true;
	return 0;
}

static void pending_add(struct memhp_pending *p, const char *name,
			json_t *data)
{
	if (p->nr < ARRAY_SIZE(p->ev) && data) {
		p->ev[p->nr].name = name;
		p->ev[p->nr++].data = data;
	} else {
		json_decref(data);
	}
}

static json_t *device_deleted_data(const struct dimm *d, unsigned int slot)
{
	char path[64 + MEMHP_ID_MAX];

	if (!d->id[0]) {
		snprintf(path, sizeof(path), "/machine/peripheral-anon/device[%u]", slot);
		return json_pack("{s:s}", "path", path);
	}
	snprintf(path, sizeof(path), "/machine/peripheral/%s", d->id);
	return json_pack("{s:s, s:s}", "device", d->id, "path", path);
}

/* The guest ejected @slot: the memory goes back to the host. */
static void dimm_eject(struct memhp *hp, unsigned int slot,
		       struct memhp_pending *p)
{
	struct dimm *d = &hp->dimm[slot];
	int ret;

	if (!d->plugged)
		return;
	ret = guest_mem_remove_region(hp->mem, d->base);
	if (ret)
		fprintf(stderr, "memvisor: DIMM '%s': cannot remove its memslot: %s\n",
			d->id, strerror(-ret));
	dimm_retire(hp, d);
	dimm_unmap(d);
	hp->memdev[d->memdev].dimm = -1;
	memhp_regs_unplug(&hp->regs, slot);
	pending_add(p, "DEVICE_DELETED", device_deleted_data(d, slot));
	memset(d, 0, sizeof(*d));
	d->memfd = -1;
}

/* ------------------------------------------------------------ events */

json_t *__memhp_ost_info(const struct memhp *hp, unsigned int slot)
{
	const struct memhp_slot_regs *s = &hp->regs.slot[slot];
	const struct dimm *d = &hp->dimm[slot];
	char num[16];
	json_t *info;

	snprintf(num, sizeof(num), "%u", slot);
	info = json_pack("{s:s, s:s, s:I, s:I}", "slot", num, "slot-type", "DIMM",
			 "source", (json_int_t)s->ost_event,
			 "status", (json_int_t)s->ost_status);
	if (info && d->plugged && d->id[0])
		json_object_set_new(info, "device", json_string(d->id));
	return info;
}

void memhp_flush(struct memhp *hp, struct memhp_pending *p)
{
	memhp_emit_fn emit;
	unsigned int i;
	void *opaque;

	pthread_mutex_lock(&hp->lock);
	emit = hp->emit;
	opaque = hp->emit_opaque;
	pthread_mutex_unlock(&hp->lock);
	for (i = 0; i < p->nr; i++) {
		if (emit)
			emit(opaque, p->ev[i].name, p->ev[i].data);
		json_decref(p->ev[i].data);
	}
	p->nr = 0;
	if (p->raise_gpe && hp->vm)
		vm_gpe_raise(hp->vm, MEMHP_GPE_BIT);
	p->raise_gpe = false;
}

/* ------------------------------------------------------------ port I/O */

uint32_t memhp_io_read(struct memhp *hp, unsigned int off, unsigned int len)
{
	uint32_t val;

	pthread_mutex_lock(&hp->lock);
	val = memhp_regs_read(&hp->regs, off, len);
	pthread_mutex_unlock(&hp->lock);
	return val;
}

void memhp_io_write(struct memhp *hp, unsigned int off, unsigned int len,
		    uint32_t val)
{
	struct memhp_pending p = { 0 };
	struct memhp_io_result res;

	pthread_mutex_lock(&hp->lock);
	memhp_regs_write(&hp->regs, off, len, val, &res);
	if (res.ost)
		pending_add(&p, "ACPI_DEVICE_OST",
			    json_pack("{s:o}", "info", __memhp_ost_info(hp, res.slot)));
	if (res.eject)
		dimm_eject(hp, res.slot, &p);
	pthread_mutex_unlock(&hp->lock);
	memhp_flush(hp, &p);
}

static void bus_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	uint32_t val = memhp_io_read(opaque, off, len);

	memset(data, 0xff, len);
	memcpy(data, &val, len < 4 ? len : 4);
}

static void bus_write(void *opaque, uint64_t off, const void *data,
		      unsigned int len)
{
	uint32_t val = 0;

	memcpy(&val, data, len < 4 ? len : 4);
	memhp_io_write(opaque, off, len, val);
}

static const struct io_ops memhp_io_ops = {
	.read = bus_read,
	.write = bus_write,
};

/* ------------------------------------------------------------ life cycle */

/* The --dimm DIMMs: each with its own backend "mem-ID". */
static int cold_plug(struct memhp *hp, const struct hotplug_config *cfg,
		     struct errmsg *e)
{
	struct memhp_pending p = { 0 };
	char memdev[MEMHP_ID_MAX + 4];
	struct errmsg why = { .msg = "" };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < cfg->nr_dimms && !ret; i++) {
		const struct hotplug_dimm_spec *s = &cfg->dimms[i];

		snprintf(memdev, sizeof(memdev), "mem-%s", s->id);
		ret = __memdev_add(hp, memdev, "memory-backend-ram", s->size, &why);
		if (!ret)
			ret = __dimm_plug(hp, s->id, memdev, s->node, false, &p, &why);
		if (ret && why.user)
			errmsg_user(e, ret, "--dimm %s: %s", s->id, why.msg);
		else if (ret)
			errmsg_set(e, ret, "--dimm %s: %s", s->id, why.msg);
	}
	return ret;
}

struct memhp *memhp_new(struct guest_mem *mem, struct vm *vm,
			const struct hotplug_config *cfg, struct errmsg *e)
{
	struct memhp *hp = calloc(1, sizeof(*hp));
	unsigned int i;

	if (!hp) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&hp->lock, NULL);
	hp->mem = mem;
	hp->vm = vm;
	hp->cfg = cfg;
	hp->ram_size = cfg->ram_size;
	hp->maxmem = cfg->maxmem;
	memhp_regs_init(&hp->regs, cfg->slots);
	for (i = 0; i < MEMHP_MAX_SLOTS; i++)
		hp->dimm[i].memfd = -1;
	for (i = 0; i < MEMHP_MAX_MEMDEVS; i++)
		hp->memdev[i].dimm = -1;
	if (memhp_layout_init(&hp->layout, cfg->ram_size, cfg->maxmem,
			      cfg->nr_nodes ? cfg->nr_nodes : 1)) {
		errmsg_user(e, -EINVAL, "--maxmem is less than --memory");
		goto err;
	}
	if (cold_plug(hp, cfg, e))
		goto err;
	return hp;
err:
	memhp_free(hp);
	return NULL;
}

void memhp_free(struct memhp *hp)
{
	unsigned int i;

	for (i = 0; i < hp->regs.nr_slots; i++) {
		if (!hp->dimm[i].plugged)
			continue;
		guest_mem_remove_region(hp->mem, hp->dimm[i].base);
		dimm_unmap(&hp->dimm[i]);
	}
	for (i = 0; i < hp->nr_retired; i++)
		munmap(hp->retired[i].hva, hp->retired[i].size);
	pthread_mutex_destroy(&hp->lock);
	free(hp);
}

struct memhp *memhp_create(struct vm *vm, const struct hotplug_config *cfg,
			   struct errmsg *e)
{
	struct memhp *hp = memhp_new(&vm->mem, vm, cfg, e);
	int ret;

	if (!hp || !cfg->slots)
		return hp;
	ret = bus_register(&vm->pio, MEMHP_IO_BASE, MEMHP_IO_LEN,
			   &memhp_io_ops, hp);
	if (ret) {
		errmsg_set(e, ret, "cannot register the memory hotplug controller at I/O 0x%x: %s",
			   MEMHP_IO_BASE, strerror(-ret));
		memhp_free(hp);
		return NULL;
	}
	hp->pio = &vm->pio;
	return hp;
}

void memhp_destroy(struct memhp *hp)
{
	if (!hp)
		return;
	if (hp->pio)
		bus_unregister(hp->pio, MEMHP_IO_BASE);
	memhp_free(hp);
}

uint64_t memhp_plugged_size(struct memhp *hp)
{
	uint64_t sum;

	if (!hp)
		return 0;
	pthread_mutex_lock(&hp->lock);
	sum = __memhp_plugged_size(hp);
	pthread_mutex_unlock(&hp->lock);
	return sum;
}
