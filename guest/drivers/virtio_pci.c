/*
 * virtio-pci (modern) transport and split virtqueues (virtio 1.2, 4.1 and
 * 2.7).
 *
 * Probe: a function of vendor 0x1af4 with device id 0x1040 + type
 * (modern) or 0x1000..0x103f and subsystem id = type (transitional, as
 * QEMU's -M pc devices are); only the modern interface is used. Its
 * vendor capabilities name a BAR window each: common configuration,
 * notifications (with the notify_off_multiplier), ISR status, device
 * configuration; each is mapped uncached (pci_iomap). Then reset (status
 * 0, read back until 0), ACKNOWLEDGE, DRIVER; the driver negotiates
 * (VERSION_1 required, FEATURES_OK read back), sets up its queues, and
 * sets DRIVER_OK.
 *
 * A split virtqueue of num entries lives in one physically contiguous,
 * zeroed block from the page allocator:
 *	desc[num]	16 bytes each, at 0
 *	avail		flags, idx, ring[num], used_event	at 16 * num
 *	used		flags, idx, ring[num] (8 bytes each)	4-aligned after
 * (num = 128: 3.3 KiB, one page). Free descriptors are chained through
 * ->next from free_head. A chain's head index names the request: token[]
 * holds what the driver gave for it, returned by virtqueue_get_buf().
 * x86 stores are ordered, so filling the descriptors and the avail entry
 * before the idx store needs only a compiler barrier; the full barrier
 * before the notify orders the idx store before the MMIO write (which is
 * uncached anyway).
 *
 * Locking: the caller's. A queue is used from one context at a time (the
 * balloon's thread), the ISR read from the interrupt handler.
 */
#include "drivers/virtio.h"
#include "abi/pci.h"
#include "drivers/pci.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "mm/mm.h"

#define mb()	__asm__ __volatile__("lock; addl $0, (%%rsp)" ::: "memory")

/* Map the window a virtio capability at @pos names; NULL if unusable. */
static volatile uint8_t *map_cap(struct pci_dev *d, unsigned int pos)
{
	uint8_t bar = pci_read8(d, pos + offsetof(struct virtio_pci_cap, bar));
	uint32_t off = pci_read32(d, pos + offsetof(struct virtio_pci_cap, offset));
	uint32_t len = pci_read32(d, pos + offsetof(struct virtio_pci_cap, length));
	uint8_t *base;

	if (bar >= PCI_NR_BARS || d->bar[bar] + off + len > DIRECT_MAP_SIZE)
		return NULL;
	base = pci_iomap(d, bar, (size_t)off + len);
	return base ? base + off : NULL;
}

/* Every vendor capability: the four windows. 0 or -ENODEV. */
static int map_caps(struct virtio_device *vdev, struct pci_dev *d)
{
	unsigned int pos = 0;

	while ((pos = pci_find_next_cap(d, pos, PCI_CAP_ID_VNDR)) != 0) {
		uint8_t type = pci_read8(d, pos +
				offsetof(struct virtio_pci_cap, cfg_type));
		volatile uint8_t *p;

		if (type < VIRTIO_PCI_CAP_COMMON_CFG ||
		    type > VIRTIO_PCI_CAP_DEVICE_CFG)
			continue;
		p = map_cap(d, pos);
		if (!p)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !vdev->common) {
			vdev->common = (volatile struct virtio_pci_common_cfg *)p;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !vdev->notify_base) {
			vdev->notify_base = p;
			vdev->notify_off_multiplier = pci_read32(d, pos +
				offsetof(struct virtio_pci_notify_cap,
					 notify_off_multiplier));
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !vdev->isr) {
			vdev->isr = p;
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !vdev->device) {
			vdev->device = p;
		}
	}
	if (!vdev->common || !vdev->notify_base || !vdev->isr)
		return -ENODEV;
	return 0;
}

/* The first function of virtio type @id after @d (NULL: the first). */
static struct pci_dev *find_function(uint32_t id, struct pci_dev *d)
{

	while ((d = pci_find(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_TRANSITIONAL_FIRST,
			     VIRTIO_PCI_MODERN_DEVICE_ID(0x3f), d)) != NULL) {
		if (d->device == VIRTIO_PCI_MODERN_DEVICE_ID(id))
			return d;
		if (d->device <= VIRTIO_PCI_TRANSITIONAL_LAST && d->subsys_id == id)
			return d;
	}
	return NULL;
}

int virtio_pci_probe(struct virtio_device *vdev, uint32_t id)
{
	return virtio_pci_probe_after(vdev, id, NULL);
}

int virtio_pci_probe_after(struct virtio_device *vdev, uint32_t id,
			   struct pci_dev *after)
{
	struct pci_dev *d = find_function(id, after);
	int err;

	if (!d)
		return -ENODEV;
	vdev->pci = d;
	vdev->id = id;
	err = map_caps(vdev, d);
	if (err) {
		pr_warn("virtio-pci 0000:00:%02x.%u: no usable modern interface\n",
			d->dev, d->fn);
		return err;
	}
	pci_enable_device(d);
	vdev->common->device_status = 0;               /* reset */
	while (vdev->common->device_status)
		;
	vdev->common->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	vdev->common->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE |
				      VIRTIO_CONFIG_S_DRIVER;
	return 0;
}

uint64_t virtio_get_features(struct virtio_device *vdev)
{
	uint64_t f;

	vdev->common->device_feature_select = 0;
	f = vdev->common->device_feature;
	vdev->common->device_feature_select = 1;
	return f | (uint64_t)vdev->common->device_feature << 32;
}

void virtio_fail(struct virtio_device *vdev)
{
	vdev->common->device_status |= VIRTIO_CONFIG_S_FAILED;
}

int virtio_finalize_features(struct virtio_device *vdev, uint64_t features)
{
	if (!((features >> VIRTIO_F_VERSION_1) & 1)) {
		virtio_fail(vdev);
		return -EIO;
	}
	vdev->common->driver_feature_select = 0;
	vdev->common->driver_feature = (uint32_t)features;
	vdev->common->driver_feature_select = 1;
	vdev->common->driver_feature = (uint32_t)(features >> 32);
	vdev->common->device_status |= VIRTIO_CONFIG_S_FEATURES_OK;
	if (!(vdev->common->device_status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_fail(vdev);
		return -EIO;
	}
	vdev->features = features;
	return 0;
}

void virtio_device_ready(struct virtio_device *vdev)
{
	vdev->common->device_status |= VIRTIO_CONFIG_S_DRIVER_OK;
}

uint8_t virtio_read_isr(struct virtio_device *vdev)
{
	return *vdev->isr;
}

uint32_t virtio_cread32(struct virtio_device *vdev, unsigned int off)
{
	uint8_t gen;
	uint32_t v;

	do {
		gen = vdev->common->config_generation;
		v = *(volatile uint32_t *)(vdev->device + off);
	} while (gen != vdev->common->config_generation);
	return v;
}

uint64_t virtio_cread64(struct virtio_device *vdev, unsigned int off)
{
	uint8_t gen;
	uint64_t v;

	do {
		gen = vdev->common->config_generation;
		v = *(volatile uint32_t *)(vdev->device + off);
		v |= (uint64_t)*(volatile uint32_t *)(vdev->device + off + 4) << 32;
	} while (gen != vdev->common->config_generation);
	return v;
}

void virtio_cwrite32(struct virtio_device *vdev, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(vdev->device + off) = v;
}

/* ------------------------------------------------------------ virtqueues */

static size_t used_offset(unsigned int num)
{
	return ALIGN_UP(16 * num + 6 + 2 * num, 4);
}

/* Rings for @vq->num entries; 0 or -ENOMEM. */
static int alloc_rings(struct virtqueue *vq)
{
	size_t bytes = used_offset(vq->num) + 6 + 8 * vq->num;
	struct page *page;
	char *base;

	vq->ring_order = 0;
	while ((PAGE_SIZE << vq->ring_order) < bytes)
		vq->ring_order++;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, vq->ring_order);
	vq->token = kzalloc(vq->num * sizeof(void *), GFP_KERNEL);
	if (!page || !vq->token) {
		if (page)
			__free_pages(page, vq->ring_order);
		kfree(vq->token);
		return -ENOMEM;
	}
	base = page_address(page);
	vq->desc = (struct vring_desc *)base;
	vq->avail = (struct vring_avail *)(base + 16 * vq->num);
	vq->used = (struct vring_used *)(base + used_offset(vq->num));
	for (unsigned int i = 0; i + 1 < vq->num; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->num_free = vq->num;
	return 0;
}

struct virtqueue *virtio_setup_vq(struct virtio_device *vdev,
				  unsigned int index, unsigned int max)
{
	volatile struct virtio_pci_common_cfg *c = vdev->common;
	struct virtqueue *vq;
	unsigned int num;

	if (index >= c->num_queues)
		return NULL;
	c->queue_select = (uint16_t)index;
	num = c->queue_size;
	if (!num)
		return NULL;
	while (num > max)
		num >>= 1;
	vq = kzalloc(sizeof(*vq), GFP_KERNEL);
	if (!vq)
		return NULL;
	*vq = (struct virtqueue){ .vdev = vdev, .index = index,
				  .num = (uint16_t)num };
	if (alloc_rings(vq)) {
		kfree(vq);
		return NULL;
	}
	c->queue_size = (uint16_t)num;
	c->queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	c->queue_desc = __pa(vq->desc);
	c->queue_driver = __pa(vq->avail);
	c->queue_device = __pa(vq->used);
	vq->notify = (volatile uint16_t *)(vdev->notify_base +
		c->queue_notify_off * vdev->notify_off_multiplier);
	c->queue_enable = 1;
	return vq;
}

int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs,
		  unsigned int n, void *token)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].write ? VRING_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		last = i;
		i = d->next;
	}
	(void)last;
	vq->free_head = i;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	barrier();
	vq->avail_idx++;
	WRITE_ONCE(vq->avail->idx, vq->avail_idx);
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	mb();
	*vq->notify = (uint16_t)vq->index;
}

bool virtqueue_has_used(const struct virtqueue *vq)
{
	return READ_ONCE(vq->used->idx) != vq->last_used_idx;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->avail->flags, 0);
	mb();		/* the flag's store before the used index's load */
	return !virtqueue_has_used(vq);
}

/* Put the chain at @head back on the free list. */
static void detach_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t i = head;
	unsigned int n = 1;

	while (vq->desc[i].flags & VRING_DESC_F_NEXT) {
		i = vq->desc[i].next;
		n++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len)
{
	struct vring_used_elem *e;
	uint16_t head;
	void *token;

	if (!virtqueue_has_used(vq))
		return NULL;
	barrier();
	e = &vq->used->ring[vq->last_used_idx & (vq->num - 1)];
	head = (uint16_t)e->id;
	if (head >= vq->num || !vq->token[head]) {
		pr_err("virtio: queue %u: device returned bad id %u\n",
		       vq->index, head);
		vq->last_used_idx++;
		return NULL;
	}
	if (len)
		*len = e->len;
	token = vq->token[head];
	vq->token[head] = NULL;
	detach_chain(vq, head);
	vq->last_used_idx++;
	return token;
}
