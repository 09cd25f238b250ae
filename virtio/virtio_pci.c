/*
 * The virtio-pci (modern) transport (virtio 1.2, 4.1), as QEMU's
 * virtio-pci lays it out, so one guest driver works on both:
 *
 *   PCI    vendor 0x1af4, device 0x1040 + type, revision 1, subsystem
 *          0x1af4:type, INTA#, one 64-bit prefetchable memory BAR 4 of
 *          16 KiB, found through four vendor capabilities:
 *   0x0000 common configuration (struct virtio_pci_common_cfg)
 *   0x1000 ISR status: one byte, read clears it and lowers INTx
 *   0x2000 the device's configuration (its ops)
 *   0x3000 notifications: queue q's doorbell at 0x3000 + 4 q
 *          (queue_notify_off = q, notify_off_multiplier = 4)
 *
 * No MSI-X: msix_config and queue_msix_vector read VIRTIO_MSI_NO_VECTOR.
 *
 * State machine. Features are offered 32 bits per select; the driver's
 * choice is checked when it sets FEATURES_OK, which stays clear unless the
 * choice is a subset of the offer and includes VERSION_1 (legacy is not
 * offered). A queue's size and ring addresses may change only while it is
 * disabled; enabling it maps and checks the rings (virtq_setup), and a
 * queue whose rings are bad stays disabled. Writing 0 to device_status
 * resets everything: features, ISR, the line, every queue (their epochs
 * move on, so a device's in-flight work is not pushed into new rings).
 *
 * Locking: vp->lock protects all of the above and the queues; the device
 * takes it too (virtio_pci_lock) while it pops and pushes. The device's
 * own callbacks run without it.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "abi/pci.h"
#include "virtio/virtio.h"
#include "vmm/pci.h"

struct virtio_pci {
	pthread_mutex_t lock;
	struct pci_func *pci;
	const struct guest_mem *mem;
	struct virtio_pci_desc desc;
	uint64_t host_features;
	uint64_t guest_features;
	uint32_t dfselect, gfselect;
	uint8_t status;
	uint8_t isr;
	uint8_t generation;
	uint16_t queue_select;
	struct {
		uint16_t size;          /* as the driver set it */
		uint64_t desc, avail, used;
	} qcfg[VIRTIO_PCI_MAX_QUEUES];
	struct virtq vq[VIRTIO_PCI_MAX_QUEUES];
};

/* ------------------------------------------------------------ state */

static void __reset(struct virtio_pci *vp)
{
	unsigned int q;

	vp->status = 0;
	vp->guest_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->isr = 0;
	pci_set_irq(vp->pci, 0);
	for (q = 0; q < vp->desc.num_queues; q++) {
		virtq_reset(&vp->vq[q]);
		memset(&vp->qcfg[q], 0, sizeof(vp->qcfg[q]));
		vp->qcfg[q].size = vp->desc.queue_max[q];
	}
}

/* An event, not a level: the driver's handler reads (and clears) the ISR
 * whatever the line does after the interrupt was delivered (vmm/pci.c). */
static void __raise(struct virtio_pci *vp, uint8_t bits)
{
	vp->isr |= bits;
	pci_signal_irq(vp->pci);
}

void __virtio_pci_notify(struct virtio_pci *vp, unsigned int q)
{
	if (q < vp->desc.num_queues && virtq_should_notify(&vp->vq[q]))
		__raise(vp, VIRTIO_PCI_ISR_QUEUE);
}

void __virtio_pci_needs_reset(struct virtio_pci *vp)
{
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vp->generation++;
		__raise(vp, VIRTIO_PCI_ISR_CONFIG);
	}
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	virtio_pci_lock(vp);
	vp->generation++;
	if (vp->status & VIRTIO_CONFIG_S_DRIVER_OK)
		__raise(vp, VIRTIO_PCI_ISR_CONFIG);
	virtio_pci_unlock(vp);
}

void virtio_pci_lock(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
}

void virtio_pci_unlock(struct virtio_pci *vp)
{
	pthread_mutex_unlock(&vp->lock);
}

struct virtq *__virtio_pci_queue(struct virtio_pci *vp, unsigned int q)
{
	return q < vp->desc.num_queues ? &vp->vq[q] : NULL;
}

uint64_t __virtio_pci_features(struct virtio_pci *vp)
{
	return vp->guest_features;
}

bool __virtio_pci_driver_ok(struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

struct pci_func *virtio_pci_func(struct virtio_pci *vp)
{
	return vp->pci;
}

/* ------------------------------------------------------------ common cfg */

static void common_read(struct virtio_pci *vp, uint64_t off, void *data,
			unsigned int len)
{
	struct virtio_pci_common_cfg c = { 0 };
	unsigned int q = vp->queue_select;

	c.device_feature_select = vp->dfselect;
	if (vp->dfselect < 2)
		c.device_feature = vp->host_features >> (32 * vp->dfselect);
	c.driver_feature_select = vp->gfselect;
	if (vp->gfselect < 2)
		c.driver_feature = vp->guest_features >> (32 * vp->gfselect);
	c.msix_config = VIRTIO_MSI_NO_VECTOR;
	c.num_queues = vp->desc.num_queues;
	c.device_status = vp->status;
	c.config_generation = vp->generation;
	c.queue_select = q;
	c.queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	if (q < vp->desc.num_queues) {
		c.queue_size = vp->qcfg[q].size;
		c.queue_enable = vp->vq[q].ready;
		c.queue_notify_off = q;
		c.queue_desc = vp->qcfg[q].desc;
		c.queue_driver = vp->qcfg[q].avail;
		c.queue_device = vp->qcfg[q].used;
	}
	memset(data, 0, len);
	if (off < sizeof(c))
		memcpy(data, (uint8_t *)&c + off,
		       len < sizeof(c) - off ? len : sizeof(c) - off);
}

/* FEATURES_OK only for a subset of the offer that includes VERSION_1. */
static uint8_t check_status(struct virtio_pci *vp, uint8_t val)
{
	uint64_t f = vp->guest_features;

	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((f & ~vp->host_features) || !(f & (1ull << VIRTIO_F_VERSION_1))))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	return val | (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void enable_queue(struct virtio_pci *vp, unsigned int q)
{
	bool indirect = vp->guest_features & (1ull << VIRTIO_F_INDIRECT_DESC);

	if (vp->vq[q].ready)
		return;
	virtq_setup(&vp->vq[q], vp->mem, vp->qcfg[q].size, vp->qcfg[q].desc,
		    vp->qcfg[q].avail, vp->qcfg[q].used, indirect);
}

/* A 64-bit queue address, written whole or a dword at a time. */
static void set_addr(uint64_t *a, uint64_t off, uint64_t v, unsigned int len)
{
	if (len == 8)
		*a = v;
	else if (len == 4 && !(off & 4))
		*a = (*a & ~0xffffffffull) | (uint32_t)v;
	else if (len == 4)
		*a = (*a & 0xffffffffull) | v << 32;
}

#define CC(field) offsetof(struct virtio_pci_common_cfg, field)

/* Queue fields; only while the selected queue is disabled. */
static void queue_write(struct virtio_pci *vp, uint64_t off, uint64_t v,
			unsigned int len)
{
	unsigned int q = vp->queue_select;

	if (q >= vp->desc.num_queues)
		return;
	if (off == CC(queue_enable) && len == 2 && v == 1) {
		enable_queue(vp, q);
		return;
	}
	if (vp->vq[q].ready)
		return;
	if (off == CC(queue_size) && len == 2) {
		if (v && !(v & (v - 1)) && v <= vp->desc.queue_max[q])
			vp->qcfg[q].size = v;
	} else if (off >= CC(queue_desc) && off < CC(queue_driver)) {
		set_addr(&vp->qcfg[q].desc, off, v, len);
	} else if (off >= CC(queue_driver) && off < CC(queue_device)) {
		set_addr(&vp->qcfg[q].avail, off, v, len);
	} else if (off >= CC(queue_device) && off < CC(queue_device) + 8) {
		set_addr(&vp->qcfg[q].used, off, v, len);
	}
}

/* Returns what to tell the device: 1 reset, 2 driver OK, 0 nothing. */
static int common_write(struct virtio_pci *vp, uint64_t off, uint64_t v,
			unsigned int len)
{
	uint8_t old = vp->status;

	switch (off) {
	case CC(device_feature_select):
		vp->dfselect = v;
		return 0;
	case CC(driver_feature_select):
		vp->gfselect = v;
		return 0;
	case CC(driver_feature):
		if (vp->gfselect < 2 && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
			unsigned int sh = 32 * vp->gfselect;

			vp->guest_features &= ~(0xffffffffull << sh);
			vp->guest_features |= (uint64_t)(uint32_t)v << sh;
		}
		return 0;
	case CC(device_status):
		if (len != 1)
			return 0;
		if (!v) {
			__reset(vp);
			return 1;
		}
		vp->status = check_status(vp, v);
		return !(old & VIRTIO_CONFIG_S_DRIVER_OK) &&
		       (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) ? 2 : 0;
	case CC(queue_select):
		if (len == 2)
			vp->queue_select = v;
		return 0;
	default:
		queue_write(vp, off, v, len);
		return 0;
	}
}

/* ------------------------------------------------------------ the BAR */

void virtio_pci_bar_read(struct virtio_pci *vp, uint64_t off, void *data,
			 unsigned int len)
{
	const struct virtio_dev_ops *ops = vp->desc.ops;

	memset(data, 0, len);
	if (off < VIRTIO_PCI_ISR_OFF) {
		virtio_pci_lock(vp);
		common_read(vp, off, data, len);
		virtio_pci_unlock(vp);
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		virtio_pci_lock(vp);
		*(uint8_t *)data = vp->isr;
		vp->isr = 0;
		pci_set_irq(vp->pci, 0);
		virtio_pci_unlock(vp);
	} else if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_NOTIFY_OFF) {
		if (ops->config_read)
			ops->config_read(vp->desc.opaque,
					 off - VIRTIO_PCI_DEVICE_OFF, data, len);
	}
}

static void notify_write(struct virtio_pci *vp, uint64_t off)
{
	unsigned int q = (off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;
	bool go;

	virtio_pci_lock(vp);
	go = q < vp->desc.num_queues && vp->vq[q].ready &&
	     __virtio_pci_driver_ok(vp);
	virtio_pci_unlock(vp);
	if (go && vp->desc.ops->notify)
		vp->desc.ops->notify(vp->desc.opaque, q);
}

void virtio_pci_bar_write(struct virtio_pci *vp, uint64_t off,
			  const void *data, unsigned int len)
{
	const struct virtio_dev_ops *ops = vp->desc.ops;
	uint64_t v = 0;
	int what;

	if (len > sizeof(v))
		return;
	memcpy(&v, data, len);
	if (off < VIRTIO_PCI_ISR_OFF) {
		virtio_pci_lock(vp);
		what = common_write(vp, off, v, len);
		virtio_pci_unlock(vp);
		if (what == 1 && ops->reset)
			ops->reset(vp->desc.opaque);
		else if (what == 2 && ops->driver_ok)
			ops->driver_ok(vp->desc.opaque);
	} else if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_NOTIFY_OFF) {
		if (ops->config_write)
			ops->config_write(vp->desc.opaque,
					  off - VIRTIO_PCI_DEVICE_OFF, data, len);
	} else if (off >= VIRTIO_PCI_NOTIFY_OFF &&
		   off < VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_REGION_SIZE) {
		notify_write(vp, off);
	}
}

static void bar_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	virtio_pci_bar_read(opaque, off, data, len);
}

static void bar_write(void *opaque, uint64_t off, const void *data,
		      unsigned int len)
{
	virtio_pci_bar_write(opaque, off, data, len);
}

static const struct io_ops virtio_bar_ops = {
	.read = bar_read,
	.write = bar_write,
};

/* ------------------------------------------------------------ creation */

static int add_cap(struct pci_func *f, uint8_t type, uint32_t off)
{
	struct virtio_pci_notify_cap c = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = sizeof(struct virtio_pci_cap),
			.cfg_type = type, .bar = VIRTIO_PCI_BAR,
			.offset = off, .length = VIRTIO_PCI_REGION_SIZE,
		},
		.notify_off_multiplier = VIRTIO_PCI_NOTIFY_MULT,
	};

	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c.cap.cap_len = sizeof(c);
	return pci_add_capability(f, &c, c.cap.cap_len);
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG (virtio 1.2, 4.1.4.9): a window in configuration
 * space onto the BAR, for drivers that cannot map it. The driver writes
 * cap.bar, cap.offset and cap.length (1, 2 or 4), then reads or writes
 * pci_cfg_data, which this device turns into the same access to the BAR.
 * An access the window does not describe exactly (another BAR, a length
 * other than 1/2/4, past the BAR, misaligned) does nothing and reads zero.
 */
struct virtio_pci_cfg_cap {
	struct virtio_pci_cap cap;
	uint8_t pci_cfg_data[4];
} __attribute__((packed));

#define CFG_DATA_OFF offsetof(struct virtio_pci_cfg_cap, pci_cfg_data)

/* The BAR access the window describes now: length, or 0 if none. */
static unsigned int cfg_window(const uint8_t *capb, uint32_t *off)
{
	const struct virtio_pci_cfg_cap *c = (const void *)capb;
	uint32_t len = c->cap.length;

	*off = c->cap.offset;
	if (c->cap.bar != VIRTIO_PCI_BAR || (len != 1 && len != 2 && len != 4) ||
	    *off % len || *off >= VIRTIO_PCI_BAR_SIZE ||
	    len > VIRTIO_PCI_BAR_SIZE - *off)
		return 0;
	return len;
}

/* Does the access [off, off+len) touch pci_cfg_data? */
static bool touches_data(int off, unsigned int len)
{
	return off < (int)(CFG_DATA_OFF + 4) && off + (int)len > (int)CFG_DATA_OFF;
}

static void cfg_cap_read(void *opaque, uint8_t *capb, int off, unsigned int len)
{
	struct virtio_pci_cfg_cap *c = (void *)capb;
	unsigned int n;
	uint32_t at;

	if (!touches_data(off, len))
		return;
	memset(c->pci_cfg_data, 0, sizeof(c->pci_cfg_data));
	n = cfg_window(capb, &at);
	if (n)
		virtio_pci_bar_read(opaque, at, c->pci_cfg_data, n);
}

static void cfg_cap_write(void *opaque, uint8_t *capb, int off, unsigned int len)
{
	struct virtio_pci_cfg_cap *c = (void *)capb;
	unsigned int n;
	uint32_t at;

	if (!touches_data(off, len))
		return;
	n = cfg_window(capb, &at);
	if (n)
		virtio_pci_bar_write(opaque, at, c->pci_cfg_data, n);
}

static const struct pci_cap_ops cfg_cap_ops = {
	.read = cfg_cap_read,
	.write = cfg_cap_write,
};

static int add_cfg_cap(struct pci_func *f, struct virtio_pci *vp)
{
	struct virtio_pci_cfg_cap c = {
		.cap = { .cap_vndr = PCI_CAP_ID_VNDR, .cap_len = sizeof(c),
			 .cfg_type = VIRTIO_PCI_CAP_PCI_CFG },
	};
	uint8_t wmask[sizeof(c)] = { 0 };

	wmask[offsetof(struct virtio_pci_cap, bar)] = 0xff;
	memset(wmask + offsetof(struct virtio_pci_cap, offset), 0xff, 8);
	memset(wmask + CFG_DATA_OFF, 0xff, 4);
	return pci_add_capability_hooked(f, &c, sizeof(c), wmask, &cfg_cap_ops, vp);
}

static int add_caps(struct pci_func *f, struct virtio_pci *vp)
{
	int ret = 0;

	ret |= add_cap(f, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF);
	ret |= add_cap(f, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF);
	ret |= add_cap(f, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF);
	ret |= add_cap(f, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF);
	ret |= add_cfg_cap(f, vp);
	return ret < 0 ? -ENOSPC : 0;
}

struct virtio_pci *virtio_pci_create(struct pci_bus *pb,
				     const struct guest_mem *mem,
				     const struct virtio_pci_desc *desc,
				     struct errmsg *e)
{
	struct pci_func_desc fd = {
		.name = desc->name,
		.vendor_id = VIRTIO_PCI_VENDOR_ID,
		.device_id = VIRTIO_PCI_MODERN_DEVICE_ID(desc->device_type),
		.subsys_vendor_id = VIRTIO_PCI_VENDOR_ID,
		.subsys_id = desc->device_type,
		.revision = 1, .class_code = desc->class_code, .intx = true,
	};
	struct virtio_pci *vp;

	if (desc->num_queues > VIRTIO_PCI_MAX_QUEUES || !desc->ops) {
		errmsg_set(e, -EINVAL, "%s: bad virtio device description",
			   desc->name);
		return NULL;
	}
	vp = calloc(1, sizeof(*vp));
	if (!vp) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&vp->lock, NULL);
	vp->mem = mem;
	vp->desc = *desc;
	vp->host_features = desc->features | 1ull << VIRTIO_F_VERSION_1;
	fd.bar[VIRTIO_PCI_BAR] = (struct pci_bar_desc){
		.size = VIRTIO_PCI_BAR_SIZE, .mem64 = true, .prefetch = true,
		.ops = &virtio_bar_ops, .opaque = vp,
	};
	vp->pci = pci_register_function(pb, &fd, e);
	if (!vp->pci || add_caps(vp->pci, vp)) {
		if (vp->pci)
			errmsg_set(e, -ENOSPC, "%s: no room for the virtio capabilities",
				   desc->name);
		free(vp);
		return NULL;
	}
	__reset(vp);
	return vp;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp)
		return;
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}
