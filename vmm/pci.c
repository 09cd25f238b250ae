/*
 * PCI bus 0: configuration mechanism #1, the host bridge, functions that
 * devices register, their BARs and INTx lines.
 *
 * Configuration space. Each function has 256 bytes (cfg[]) and two masks:
 * wmask[] says which bits the guest may write, w1cmask[] which are cleared
 * by writing 1 (none are set yet, the masks are there for status bits).
 * The BARs (0x10-0x27) are not masked bytes but registers: a write stores
 * the address bits the BAR's size allows and keeps its type bits, so the
 * guest sizes a BAR by writing all ones and reading back ~(size - 1). The
 * Status register's INTERRUPT bit is computed from the line on each read.
 *
 * Firmware's part, done by the VMM when a function registers: the next free
 * slot, each BAR placed at the next naturally aligned address of the MMIO
 * window (a bump allocator; BARs are never freed), the command register's
 * MEMORY and IO bits set, and the Interrupt Line set to the GSI its INTA#
 * reaches, (slot + pin) & 3 over IRQs 10, 10, 11, 11, as SeaBIOS routes
 * QEMU pc's PIRQ links.
 *
 * BAR mapping. A memory BAR is registered on the MMIO bus at its address
 * while the command register's MEMORY bit is set, the address is not 0 and
 * the range does not collide with another; every write to a BAR or to the
 * command register re-evaluates every BAR of the function.
 *
 * INTx. Functions may share a GSI, so the bus counts the functions that
 * assert each GSI and drives the line while the count is non-zero; a
 * function with INTX_DISABLE set does not count. A function that signals
 * an event (pci_signal_irq) rather than holding a level withdraws its
 * line as soon as the interrupt controller has taken the interrupt (the
 * vector is pending at a LAPIC, so the guest's handler will run and read
 * the device's status): a line still up when the guest signals EOI would
 * be delivered a second time, and the nested KVM of our machines
 * completes the EOI when it injects the interrupt, before the handler has
 * read the status, so a held line meant two interrupts per event. If the
 * controller could not take it (pin masked or still in service), the line
 * stays up as a level until the device lowers it (pci_set_irq(f, 0)).
 *
 * Locking: conf_lock serialises configuration accesses (and the mapping
 * changes they cause, which take the MMIO bus's write lock); irq_lock
 * protects the INTx state and is taken after conf_lock, or alone from
 * pci_set_irq() (a device may call it from its MMIO handler, under the
 * MMIO bus's read lock, so it must never wait for conf_lock).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/pci.h"
#include "acpi/acpi.h"
#include "vmm/pci.h"
#include "vmm/platform.h"

#define PCI_CAP_START   0x40
#define PCI_NR_GSIS     24
#define PCI_BAR_END     (PCI_BASE_ADDRESS_0 + 4 * PCI_NR_BARS)
#define PCI_ADDR_LIMIT  (1ull << 46)   /* BARs above this are not mapped */

struct pci_func {
	struct pci_bus *bus;
	unsigned int slot;
	char name[32];
	uint8_t cfg[PCI_CONFIG_SPACE_SIZE];
	uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
	uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
	struct pci_bar_desc bar[PCI_NR_BARS];
	uint64_t mapped_at[PCI_NR_BARS];  /* 0: not on the MMIO bus */
	unsigned int cap_end;             /* next free capability offset */
	unsigned int last_cap;            /* offset of the last one, or 0 */
	unsigned int gsi;
	int level;                        /* the device's INTx level */
	int taken;                        /* level's interrupt delivered */
	int asserting;                    /* counted in gsi_count */
	unsigned int hook_at, hook_len;   /* a capability the device serves */
	const struct pci_cap_ops *hook;
	void *hook_opaque;
};

struct pci_bus {
	struct bus *pio, *mmio;
	pci_irq_fn set_irq;
	void *irq_opaque;
	pthread_mutex_t conf_lock;
	pthread_mutex_t irq_lock;
	uint32_t addr_reg;                /* 0xcf8 */
	uint64_t mmio_next;               /* bump allocator in the window */
	struct pci_func *slot[PCI_MAX_DEVICES];
	unsigned int gsi_count[PCI_NR_GSIS];
};

static const uint8_t pirq_gsi[4] = {
	PLAT_PCI_IRQ_LO, PLAT_PCI_IRQ_LO, PLAT_PCI_IRQ_HI, PLAT_PCI_IRQ_HI,
};

unsigned int pci_slot_gsi(unsigned int slot, unsigned int pin)
{
	return pirq_gsi[(slot + pin) & 3];
}

static uint32_t get_le(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint32_t v, unsigned int n)
{
	while (n--) {
		*p++ = v & 0xff;
		v >>= 8;
	}
}

/* ------------------------------------------------------------ INTx */

/*
 * Under irq_lock: count @f in its GSI iff its line is up, not yet taken
 * and enabled. 1 if this raised the GSI and the controller took the
 * interrupt, else 0.
 */
static int __update_irq(struct pci_func *f)
{
	struct pci_bus *pb = f->bus;
	uint16_t cmd = get_le(f->cfg + PCI_COMMAND, 2);
	int want = f->level && !f->taken &&
		   !(cmd & PCI_COMMAND_INTX_DISABLE) && f->gsi < PCI_NR_GSIS;

	if (want == f->asserting)
		return 0;
	f->asserting = want;
	if (want && pb->gsi_count[f->gsi]++ == 0 && pb->set_irq)
		return pb->set_irq(pb->irq_opaque, f->gsi, 1) > 0;
	if (!want && --pb->gsi_count[f->gsi] == 0 && pb->set_irq)
		pb->set_irq(pb->irq_opaque, f->gsi, 0);
	return 0;
}

void pci_set_irq(struct pci_func *f, int level)
{
	pthread_mutex_lock(&f->bus->irq_lock);
	f->level = !!level;
	f->taken = 0;
	__update_irq(f);
	pthread_mutex_unlock(&f->bus->irq_lock);
}

void pci_signal_irq(struct pci_func *f)
{
	pthread_mutex_lock(&f->bus->irq_lock);
	f->level = 1;
	f->taken = 0;
	if (__update_irq(f)) {
		f->taken = 1;           /* delivered: withdraw the line */
		__update_irq(f);
	}
	pthread_mutex_unlock(&f->bus->irq_lock);
}

/* ------------------------------------------------------------ BARs */

static uint64_t bar_addr(const struct pci_func *f, unsigned int n)
{
	uint64_t lo = get_le(f->cfg + PCI_BASE_ADDRESS_0 + 4 * n, 4);
	uint64_t hi = f->bar[n].mem64 ?
		      get_le(f->cfg + PCI_BASE_ADDRESS_0 + 4 * n + 4, 4) : 0;

	return (hi << 32 | lo) & PCI_BASE_ADDRESS_MEM_MASK;
}

uint64_t pci_bar_addr(struct pci_func *f, unsigned int n)
{
	uint64_t a;

	pthread_mutex_lock(&f->bus->conf_lock);
	a = n < PCI_NR_BARS ? bar_addr(f, n) : 0;
	pthread_mutex_unlock(&f->bus->conf_lock);
	return a;
}

/* Store @addr in BAR @n with its type bits; the size masks the address. */
static void bar_store(struct pci_func *f, unsigned int n, uint64_t addr)
{
	const struct pci_bar_desc *b = &f->bar[n];
	uint64_t v = addr & ~(b->size - 1);
	uint8_t *p = f->cfg + PCI_BASE_ADDRESS_0 + 4 * n;

	v &= PCI_BASE_ADDRESS_MEM_MASK;
	if (b->mem64)
		v |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	else
		v &= 0xffffffffull;
	if (b->prefetch)
		v |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	put_le(p, (uint32_t)v, 4);
	if (b->mem64)
		put_le(p + 4, (uint32_t)(v >> 32), 4);
}

/* Under conf_lock: put each BAR on the MMIO bus where the guest wants it. */
static void remap_bars(struct pci_func *f)
{
	uint16_t cmd = get_le(f->cfg + PCI_COMMAND, 2);
	struct bus *mmio = f->bus->mmio;
	unsigned int n;

	for (n = 0; n < PCI_NR_BARS; n++) {
		const struct pci_bar_desc *b = &f->bar[n];
		uint64_t a = bar_addr(f, n), want = 0;

		if (!b->size)
			continue;
		if ((cmd & PCI_COMMAND_MEMORY) && a && a < PCI_ADDR_LIMIT)
			want = a;
		if (f->mapped_at[n] == want)
			continue;
		if (f->mapped_at[n] && mmio)
			bus_unregister(mmio, f->mapped_at[n]);
		f->mapped_at[n] = 0;
		if (want && (!mmio ||
			     !bus_register(mmio, want, b->size, b->ops, b->opaque)))
			f->mapped_at[n] = want;
	}
}

/* ------------------------------------------------------------ config space */

static struct pci_func *func_at(struct pci_bus *pb, unsigned int slot)
{
	return slot < PCI_MAX_DEVICES ? pb->slot[slot] : NULL;
}

/* Does [reg, reg+len) touch the capability the device serves? */
static bool hooked(const struct pci_func *f, unsigned int reg, unsigned int len)
{
	return f->hook && reg < f->hook_at + f->hook_len &&
	       f->hook_at < reg + len;
}

static uint32_t __conf_read(struct pci_func *f, unsigned int reg,
			    unsigned int len)
{
	uint8_t tmp[4];

	if (hooked(f, reg, len))
		f->hook->read(f->hook_opaque, f->cfg + f->hook_at,
			      (int)reg - (int)f->hook_at, len);
	memcpy(tmp, f->cfg + reg, len);
	if (reg <= PCI_STATUS && PCI_STATUS < reg + len) {
		pthread_mutex_lock(&f->bus->irq_lock);
		if (f->level)
			tmp[PCI_STATUS - reg] |= PCI_STATUS_INTERRUPT;
		pthread_mutex_unlock(&f->bus->irq_lock);
	}
	return get_le(tmp, len);
}

static void __conf_write(struct pci_func *f, unsigned int reg,
			 unsigned int len, uint32_t val)
{
	bool bars = false, cmd = false;
	unsigned int i;

	for (i = 0; i < len; i++, val >>= 8) {
		unsigned int r = reg + i;
		uint8_t b = val & 0xff;

		if (r >= PCI_BASE_ADDRESS_0 && r < PCI_BAR_END) {
			f->cfg[r] = b;          /* masked by fix_bars below */
			bars = true;
			continue;
		}
		f->cfg[r] &= ~(b & f->w1cmask[r]);
		f->cfg[r] = (f->cfg[r] & ~f->wmask[r]) | (b & f->wmask[r]);
		cmd |= r == PCI_COMMAND || r == PCI_COMMAND + 1;
	}
	if (bars) {
		for (i = 0; i < PCI_NR_BARS; i++) {
			if (f->bar[i].size) {
				bar_store(f, i, bar_addr(f, i));
				if (f->bar[i].mem64)
					i++;
			} else {
				put_le(f->cfg + PCI_BASE_ADDRESS_0 + 4 * i, 0, 4);
			}
		}
	}
	if (hooked(f, reg, len))
		f->hook->write(f->hook_opaque, f->cfg + f->hook_at,
			       (int)reg - (int)f->hook_at, len);
	if (bars || cmd)
		remap_bars(f);
	if (cmd) {
		pthread_mutex_lock(&f->bus->irq_lock);
		__update_irq(f);
		pthread_mutex_unlock(&f->bus->irq_lock);
	}
}

static bool conf_access_ok(unsigned int reg, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && !(reg & (len - 1)) &&
	       reg + len <= PCI_CONFIG_SPACE_SIZE;
}

uint32_t pci_conf_read(struct pci_bus *pb, unsigned int slot,
		       unsigned int reg, unsigned int len)
{
	struct pci_func *f;
	uint32_t v = len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;

	if (!conf_access_ok(reg, len))
		return v;
	pthread_mutex_lock(&pb->conf_lock);
	f = func_at(pb, slot);
	if (f)
		v = __conf_read(f, reg, len);
	pthread_mutex_unlock(&pb->conf_lock);
	return v;
}

void pci_conf_write(struct pci_bus *pb, unsigned int slot, unsigned int reg,
		    unsigned int len, uint32_t val)
{
	struct pci_func *f;

	if (!conf_access_ok(reg, len))
		return;
	pthread_mutex_lock(&pb->conf_lock);
	f = func_at(pb, slot);
	if (f)
		__conf_write(f, reg, len, val);
	pthread_mutex_unlock(&pb->conf_lock);
}

/* ------------------------------------------------------------ mechanism #1 */

/* 0xcf8: the address register, dword accesses only (as on a PC). */
static void addr_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pci_bus *pb = opaque;
	uint8_t tmp[4];

	put_le(tmp, __atomic_load_n(&pb->addr_reg, __ATOMIC_RELAXED), 4);
	memset(data, 0xff, len);
	if (off + len <= 4)
		memcpy(data, tmp + off, len);
}

static void addr_write(void *opaque, uint64_t off, const void *data,
		       unsigned int len)
{
	struct pci_bus *pb = opaque;

	if (off == 0 && len == 4)
		__atomic_store_n(&pb->addr_reg, get_le(data, 4), __ATOMIC_RELAXED);
}

/* The function and register 0xcfc + @off reaches; false if none. */
static bool decode(struct pci_bus *pb, uint64_t off, unsigned int *slot,
		   unsigned int *reg)
{
	uint32_t a = __atomic_load_n(&pb->addr_reg, __ATOMIC_RELAXED);

	if (!(a & PCI_CONFIG_ENABLE) || (a >> 16 & 0xff) || (a >> 8 & 7))
		return false;                   /* bus 0, function 0 only */
	*slot = a >> 11 & 0x1f;
	*reg = (a & 0xfc) + off;
	return true;
}

static void data_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pci_bus *pb = opaque;
	unsigned int slot, reg;
	uint32_t v = 0xffffffffu;

	if (decode(pb, off, &slot, &reg))
		v = pci_conf_read(pb, slot, reg, len);
	put_le(data, v, len);
}

static void data_write(void *opaque, uint64_t off, const void *data,
		       unsigned int len)
{
	struct pci_bus *pb = opaque;
	unsigned int slot, reg;

	if (len <= 4 && decode(pb, off, &slot, &reg))
		pci_conf_write(pb, slot, reg, len, get_le(data, len));
}

static const struct io_ops addr_ops = { .read = addr_read, .write = addr_write };
static const struct io_ops data_ops = { .read = data_read, .write = data_write };

/* ------------------------------------------------------------ functions */

static void init_header(struct pci_func *f, const struct pci_func_desc *d)
{
	put_le(f->cfg + PCI_VENDOR_ID, d->vendor_id, 2);
	put_le(f->cfg + PCI_DEVICE_ID, d->device_id, 2);
	f->cfg[PCI_REVISION_ID] = d->revision;
	f->cfg[PCI_CLASS_PROG] = d->prog_if;
	put_le(f->cfg + PCI_CLASS_DEVICE, d->class_code, 2);
	f->cfg[PCI_HEADER_TYPE] = 0;
	put_le(f->cfg + PCI_SUBSYSTEM_VENDOR_ID, d->subsys_vendor_id, 2);
	put_le(f->cfg + PCI_SUBSYSTEM_ID, d->subsys_id, 2);
	put_le(f->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	       PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE, 2);
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (d->intx) {
		f->cfg[PCI_INTERRUPT_PIN] = 1;
		f->gsi = pci_slot_gsi(f->slot, 0);
		f->cfg[PCI_INTERRUPT_LINE] = f->gsi;
	} else {
		f->gsi = PCI_NR_GSIS;
	}
	f->cap_end = PCI_CAP_START;
}

static int check_bars(const struct pci_func_desc *d)
{
	unsigned int n;

	for (n = 0; n < PCI_NR_BARS; n++) {
		const struct pci_bar_desc *b = &d->bar[n];

		if (!b->size)
			continue;
		if (b->size < 16 || (b->size & (b->size - 1)) || !b->ops ||
		    (b->mem64 && (n == PCI_NR_BARS - 1 || d->bar[n + 1].size)))
			return -EINVAL;
		if (b->mem64)
			n++;
	}
	return 0;
}

/* Firmware's BAR placement: each at the next aligned address. */
static int place_bars(struct pci_bus *pb, struct pci_func *f)
{
	const uint64_t end = PLAT_PCI_MMIO_BASE + PLAT_PCI_MMIO_SIZE;
	uint64_t next = pb->mmio_next;
	unsigned int n;

	for (n = 0; n < PCI_NR_BARS; n++) {
		uint64_t size = f->bar[n].size, at;

		if (!size)
			continue;
		at = (next + size - 1) & ~(size - 1);
		if (at < next || at > end || size > end - at)
			return -ENOSPC;
		bar_store(f, n, at);
		next = at + size;
	}
	pb->mmio_next = next;
	return 0;
}

static int add_func(struct pci_bus *pb, const struct pci_func_desc *d,
		    struct pci_func **out)
{
	struct pci_func *f;
	unsigned int slot;
	int ret;

	for (slot = 0; slot < PCI_MAX_DEVICES && pb->slot[slot]; slot++)
		;
	if (slot == PCI_MAX_DEVICES)
		return -ENOSPC;
	if (check_bars(d))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->bus = pb;
	f->slot = slot;
	snprintf(f->name, sizeof(f->name), "%s", d->name ? d->name : "pci");
	memcpy(f->bar, d->bar, sizeof(f->bar));
	init_header(f, d);
	ret = place_bars(pb, f);
	if (ret) {
		free(f);
		return ret;
	}
	put_le(f->cfg + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	pthread_mutex_lock(&pb->conf_lock);
	pb->slot[slot] = f;
	remap_bars(f);
	pthread_mutex_unlock(&pb->conf_lock);
	*out = f;
	return 0;
}

struct pci_func *pci_register_function(struct pci_bus *pb,
				       const struct pci_func_desc *desc,
				       struct errmsg *e)
{
	struct pci_func *f = NULL;
	int ret = add_func(pb, desc, &f);

	if (ret == -ENOSPC)
		errmsg_set(e, ret, "PCI: no room for %s (32 slots, %llu MiB of MMIO window)",
			   desc->name, PLAT_PCI_MMIO_SIZE >> 20);
	else if (ret)
		errmsg_set(e, ret, "PCI: cannot add %s: %s", desc->name,
			   strerror(-ret));
	return f;
}

int pci_add_capability(struct pci_func *f, const void *cap, unsigned int len)
{
	unsigned int at = (f->cap_end + 3) & ~3u;

	if (len < 2 || at + len > PCI_CONFIG_SPACE_SIZE)
		return -ENOSPC;
	pthread_mutex_lock(&f->bus->conf_lock);
	memcpy(f->cfg + at, cap, len);
	f->cfg[at + 1] = 0;
	if (f->last_cap)
		f->cfg[f->last_cap + 1] = at;
	else
		f->cfg[PCI_CAPABILITY_LIST] = at;
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	f->last_cap = at;
	f->cap_end = at + len;
	pthread_mutex_unlock(&f->bus->conf_lock);
	return at;
}

int pci_add_capability_hooked(struct pci_func *f, const void *cap,
			      unsigned int len, const uint8_t *wmask,
			      const struct pci_cap_ops *ops, void *opaque)
{
	int at;

	if (f->hook)
		return -EBUSY;
	at = pci_add_capability(f, cap, len);
	if (at < 0)
		return at;
	pthread_mutex_lock(&f->bus->conf_lock);
	memcpy(f->wmask + at, wmask, len);
	f->wmask[at] = f->wmask[at + 1] = 0;    /* id and next stay fixed */
	f->hook_at = at;
	f->hook_len = len;
	f->hook_opaque = opaque;
	f->hook = ops;
	pthread_mutex_unlock(&f->bus->conf_lock);
	return at;
}

unsigned int pci_func_slot(const struct pci_func *f)
{
	return f->slot;
}

unsigned int pci_func_gsi(const struct pci_func *f)
{
	return f->gsi;
}

/* ------------------------------------------------------------ the bus */

static const struct pci_func_desc host_bridge = {
	.name = "i440FX host bridge",
	.vendor_id = PCI_VENDOR_INTEL, .device_id = PCI_DEVICE_I440FX,
	.revision = 0x02, .class_code = PCI_CLASS_BRIDGE_HOST,
};

struct pci_bus *pci_bus_create(struct bus *pio, struct bus *mmio,
			       pci_irq_fn set_irq, void *irq_opaque,
			       struct errmsg *e)
{
	struct pci_bus *pb = calloc(1, sizeof(*pb));
	struct pci_func *hb;
	int ret;

	if (!pb) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	pb->mmio = mmio;
	pb->set_irq = set_irq;
	pb->irq_opaque = irq_opaque;
	pb->mmio_next = PLAT_PCI_MMIO_BASE;
	pthread_mutex_init(&pb->conf_lock, NULL);
	pthread_mutex_init(&pb->irq_lock, NULL);
	ret = add_func(pb, &host_bridge, &hb);
	if (!ret && pio) {
		ret = bus_register(pio, PCI_CONFIG_ADDR_PORT, 4, &addr_ops, pb);
		if (!ret) {
			ret = bus_register(pio, PCI_CONFIG_DATA_PORT, 4, &data_ops, pb);
			if (ret)
				bus_unregister(pio, PCI_CONFIG_ADDR_PORT);
		}
	}
	if (ret) {
		errmsg_set(e, ret, "cannot register the PCI configuration ports 0x%x-0x%x: %s",
			   PCI_CONFIG_ADDR_PORT, PCI_CONFIG_DATA_PORT + 3,
			   strerror(-ret));
		pb->pio = NULL;
		pci_bus_destroy(pb);
		return NULL;
	}
	pb->pio = pio;
	return pb;
}

void pci_bus_destroy(struct pci_bus *pb)
{
	unsigned int s, n;

	if (!pb)
		return;
	if (pb->pio) {
		bus_unregister(pb->pio, PCI_CONFIG_ADDR_PORT);
		bus_unregister(pb->pio, PCI_CONFIG_DATA_PORT);
	}
	for (s = 0; s < PCI_MAX_DEVICES; s++) {
		struct pci_func *f = pb->slot[s];

		if (!f)
			continue;
		for (n = 0; n < PCI_NR_BARS; n++)
			if (f->mapped_at[n] && pb->mmio)
				bus_unregister(pb->mmio, f->mapped_at[n]);
		free(f);
	}
	pthread_mutex_destroy(&pb->conf_lock);
	pthread_mutex_destroy(&pb->irq_lock);
	free(pb);
}

/* ------------------------------------------------------------ ACPI */

/*
 * Device (PCI0) {
 *     Name (_HID, EisaId ("PNP0A03"))  Name (_UID, 0)
 *     Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (0-0xff), IO (0xcf8, 8),
 *         WordIO (0-0xcf7), WordIO (0xd00-0xffff),
 *         DWordMemory (the MMIO window) })
 *     Name (_PRT, Package () { Package () { 0xSSSSFFFF, pin, 0, gsi }, ...})
 * }
 */
static void pci0_dsdt(struct aml *a, void *opaque)
{
	const struct aml_res_mem win = {
		.producer = true, .min_fixed = true, .max_fixed = true,
		.cache = AML_NON_CACHEABLE, .read_write = true,
		.min = PLAT_PCI_MMIO_BASE,
		.max = PLAT_PCI_MMIO_BASE + PLAT_PCI_MMIO_SIZE - 1,
		.length = PLAT_PCI_MMIO_SIZE,
	};
	unsigned int slot, pin;

	aml_device_open(a, "PCI0");
	aml_name_eisaid(a, "_HID", "PNP0A03");
	aml_name_int(a, "_UID", 0);
	aml_name_decl(a, "_CRS");
	aml_restemplate_open(a);
	aml_res_word_bus(a, 0, 0xff);
	aml_res_io(a, PCI_CONFIG_ADDR_PORT, PCI_CONFIG_ADDR_PORT, 1, 8);
	aml_res_word_io(a, 0, PCI_CONFIG_ADDR_PORT - 1);
	aml_res_word_io(a, 0x0d00, 0xffff);
	aml_res_dword_memory(a, &win);
	aml_close(a);
	aml_name_decl(a, "_PRT");
	aml_package_open(a, PCI_MAX_DEVICES * 4);
	for (slot = 0; slot < PCI_MAX_DEVICES; slot++) {
		for (pin = 0; pin < 4; pin++) {
			aml_package_open(a, 4);
			aml_int(a, (uint64_t)slot << 16 | 0xffff);
			aml_int(a, pin);
			aml_int(a, 0);
			aml_int(a, pci_slot_gsi(slot, pin));
			aml_close(a);
		}
	}
	aml_close(a);
	aml_close(a);
}

int pci_bus_acpi(struct pci_bus *pb, struct acpi_config *ac, struct errmsg *e)
{
	struct acpi_dsdt_part part = { .sb = pci0_dsdt, .opaque = pb };

	return acpi_config_add_dsdt(ac, &part, e);
}
