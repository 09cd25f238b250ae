/*
 * virtio 1.x over PCI (modern): the transport (status, features, device
 * configuration, ISR) and split virtqueues, for the device drivers
 * (virtio_balloon.c, virtio_blk.c). Structures and constants are abi/virtio.h's.
 */
#ifndef GUEST_DRIVERS_VIRTIO_H
#define GUEST_DRIVERS_VIRTIO_H

#include "include/types.h"
#include "abi/virtio.h"

struct pci_dev;

struct virtio_device {
	struct pci_dev *pci;
	uint32_t id;				/* VIRTIO_ID_* */
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *isr;
	volatile uint8_t *device;		/* device-specific config */
	volatile uint8_t *notify_base;
	uint32_t notify_off_multiplier;
	uint64_t features;			/* negotiated */
};

/* One buffer of a chain: guest-physical address, length, and whether the
 * device writes it (VRING_DESC_F_WRITE) or reads it. */
struct virtq_buf {
	phys_addr_t addr;
	uint32_t len;
	bool write;
};

struct virtqueue {
	struct virtio_device *vdev;
	unsigned int index;
	uint16_t num;				/* ring size, a power of 2 */
	uint16_t num_free;			/* free descriptors */
	uint16_t free_head;			/* chain of free descriptors */
	uint16_t avail_idx;			/* our copy of avail->idx */
	uint16_t last_used_idx;			/* next used entry to read */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void **token;				/* per head: what the driver gave */
	volatile uint16_t *notify;
	unsigned int ring_order;		/* pages of the rings: 2^order */
};

/*
 * Find a virtio-pci function of type @id on bus 0 (modern 0x1040 + id, or
 * transitional with subsystem id @id), map its capabilities, reset it,
 * set ACKNOWLEDGE | DRIVER. 0, -ENODEV (none, or no modern capabilities).
 */
int virtio_pci_probe(struct virtio_device *vdev, uint32_t id);
/* The same for the first such function after @after (NULL: the first):
 * how a driver finds its second, third... device. */
int virtio_pci_probe_after(struct virtio_device *vdev, uint32_t id,
			   struct pci_dev *after);
/* Device features (64 bits). */
uint64_t virtio_get_features(struct virtio_device *vdev);
/* Write @features (must include VIRTIO_F_VERSION_1), set FEATURES_OK and
 * check the device kept it. 0 or -EIO (then the device is FAILED). */
int virtio_finalize_features(struct virtio_device *vdev, uint64_t features);
static inline bool virtio_has_feature(const struct virtio_device *vdev,
				      unsigned int bit)
{
	return (vdev->features >> bit) & 1;
}
/* Set up queue @index with at most @max entries (rings from the page
 * allocator, physically contiguous). NULL if the device has no such queue
 * or there is no memory. */
struct virtqueue *virtio_setup_vq(struct virtio_device *vdev,
				  unsigned int index, unsigned int max);
/* DRIVER_OK: the device may use the queues. */
void virtio_device_ready(struct virtio_device *vdev);
/* Mark the device FAILED (it stops using our memory). */
void virtio_fail(struct virtio_device *vdev);
/* Read and clear the ISR status (VIRTIO_PCI_ISR_*). */
uint8_t virtio_read_isr(struct virtio_device *vdev);
uint32_t virtio_cread32(struct virtio_device *vdev, unsigned int off);
uint64_t virtio_cread64(struct virtio_device *vdev, unsigned int off);
void virtio_cwrite32(struct virtio_device *vdev, unsigned int off, uint32_t v);

/* Offer the chain @bufs[0..n) to the device with @token (not NULL).
 * 0 or -ENOSPC. Nothing is sent before virtqueue_kick(). */
int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs,
		  unsigned int n, void *token);
void virtqueue_kick(struct virtqueue *vq);
/* The token of the next chain the device returned (*@len: bytes it
 * wrote), or NULL if none. */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len);
/* Has the device returned a chain we have not taken yet? */
bool virtqueue_has_used(const struct virtqueue *vq);
/* Ask the device not to interrupt for the chains it returns (the driver
 * polls; avail->flags NO_INTERRUPT, a hint the device may ignore). */
void virtqueue_disable_cb(struct virtqueue *vq);
/* Ask for interrupts again: false if the device returned a chain
 * meanwhile (that one may never interrupt: take it by polling). */
bool virtqueue_enable_cb(struct virtqueue *vq);

#endif
