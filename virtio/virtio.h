/*
 * virtio/: virtio 1.x for memvisor's devices, a library as acpi/ is.
 *
 *   virtqueue.c   the split virtqueue, pure code over guest memory: pop a
 *                 request (descriptor chain, direct or indirect) with every
 *                 guest-supplied field checked, push it back used
 *   virtio_pci.c  the virtio-pci (modern) transport: one 64-bit memory BAR
 *                 with the common, ISR, device and notify structures, as
 *                 QEMU lays them out; features, status, reset, queue setup,
 *                 notifications, INTx with the ISR
 *
 * The structures themselves are in abi/virtio.h, shared with the guest.
 */
#ifndef VIRTIO_VIRTIO_H
#define VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/virtio.h"
#include "vmm/error.h"
#include "vmm/memory.h"
#include "vmm/types.h"

/* ------------------------------------------------------------ virtqueue */

/* Longest chain accepted (direct or through one indirect table). */
#define VIRTQ_MAX_SEGS 1024
#define VIRTQ_NO_HEAD  0xffffu

/* One descriptor of a request, checked to lie inside one RAM region. */
struct virtq_seg {
	gpa_t gpa;
	void *hva;
	uint32_t len;
};

/* A request: n_out device-readable segments, then n_in device-writable. */
struct virtq_elem {
	uint16_t head;                  /* VIRTQ_NO_HEAD: none to give back */
	unsigned int n_out, n_in;
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

/* What the queue counted (for status and tests). */
struct virtq_stats {
	uint64_t popped;                /* well-formed requests */
	uint64_t bad;                   /* malformed requests, dropped */
	uint64_t bad_ring;              /* avail index moved too far: broken */
};

struct virtq {
	uint16_t size;                  /* entries, a power of two */
	bool ready;                     /* rings checked and mapped */
	bool broken;                    /* the driver corrupted the ring */
	bool indirect;                  /* VIRTIO_F_INDIRECT_DESC negotiated */
	gpa_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;        /* host mappings of the rings */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;            /* next avail entry to take */
	uint16_t used_idx;              /* next used entry to fill */
	uint32_t epoch;                 /* bumped on every reset */
	struct virtq_stats stats;
};

/*
 * Map the rings of a queue of @size entries at @desc/@avail/@used (each
 * aligned as the spec says and wholly inside one RAM region) and make it
 * ready. 0, or -EINVAL (size not a power of two in 1..VIRTQUEUE_MAX_SIZE,
 * misaligned) or -EFAULT (outside guest RAM), leaving it not ready.
 */
int virtq_setup(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		gpa_t desc, gpa_t avail, gpa_t used, bool indirect);
/* Forget the rings; the queue is not ready and its epoch moves on. */
void virtq_reset(struct virtq *vq);

/*
 * Take the next request. Returns 1 with @el filled, 0 if there is none (or
 * the queue is not ready or broken), -EINVAL if the request was malformed:
 * it is dropped and counted, and el->head says whether it can be given
 * back (push it with length 0), -EIO if the avail index is impossible: the
 * queue is now broken (the transport sets NEEDS_RESET).
 */
int virtq_pop(struct virtq *vq, const struct guest_mem *mem,
	      struct virtq_elem *el);
/* Give request @head back with @len bytes written; publishes used->idx. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
/* After pushes: does the driver want an interrupt (no NO_INTERRUPT)? */
bool virtq_should_notify(struct virtq *vq);

/* Copy up to @max device-readable bytes of @el from @off to @buf; the
 * count copied. */
uint64_t virtq_elem_read(const struct virtq_elem *el, uint64_t off,
			 void *buf, uint64_t max);

/* ------------------------------------------------------------ virtio-pci */

#define VIRTIO_PCI_MAX_QUEUES 8

/* BAR 4 (64-bit, prefetchable), as QEMU's modern virtio-pci. */
#define VIRTIO_PCI_BAR            4
#define VIRTIO_PCI_BAR_SIZE       0x4000
#define VIRTIO_PCI_COMMON_OFF     0x0000
#define VIRTIO_PCI_ISR_OFF        0x1000
#define VIRTIO_PCI_DEVICE_OFF     0x2000
#define VIRTIO_PCI_NOTIFY_OFF     0x3000
#define VIRTIO_PCI_REGION_SIZE    0x1000
#define VIRTIO_PCI_NOTIFY_MULT    4     /* queue q's doorbell: NOTIFY + 4q */

struct virtio_pci;
struct pci_bus;

/* What the transport asks of its device. Called without the transport's
 * lock held; notify runs on a vCPU thread (defer slow work). */
struct virtio_dev_ops {
	/* The device-specific configuration (BAR offset 0x2000). */
	void (*config_read)(void *opaque, uint64_t off, void *data,
			    unsigned int len);
	void (*config_write)(void *opaque, uint64_t off, const void *data,
			     unsigned int len);
	/* The driver rang queue @q's doorbell (DRIVER_OK, queue ready). */
	void (*notify)(void *opaque, unsigned int q);
	/* The driver set DRIVER_OK (features final) or reset the device. */
	void (*driver_ok)(void *opaque);
	void (*reset)(void *opaque);
};

struct virtio_pci_desc {
	const char *name;
	uint16_t device_type;           /* VIRTIO_ID_* */
	uint16_t class_code;            /* PCI class << 8 | subclass */
	uint64_t features;              /* offered; VERSION_1 is added */
	unsigned int num_queues;
	uint16_t queue_max[VIRTIO_PCI_MAX_QUEUES];
	const struct virtio_dev_ops *ops;
	void *opaque;
};

/* Register the PCI function and its capabilities; NULL with @e filled. */
struct virtio_pci *virtio_pci_create(struct pci_bus *pb,
				     const struct guest_mem *mem,
				     const struct virtio_pci_desc *desc,
				     struct errmsg *e);
void virtio_pci_destroy(struct virtio_pci *vp);

/*
 * A device works on its queues under the transport's lock (which the
 * transport also takes for queue setup and reset), and checks the queue's
 * epoch if it dropped the lock between pop and push.
 */
void virtio_pci_lock(struct virtio_pci *vp);
void virtio_pci_unlock(struct virtio_pci *vp);
/* Under the lock: queue @q (NULL if none), negotiated features, status. */
struct virtq *__virtio_pci_queue(struct virtio_pci *vp, unsigned int q);
uint64_t __virtio_pci_features(struct virtio_pci *vp);
bool __virtio_pci_driver_ok(struct virtio_pci *vp);
/* Under the lock: interrupt for queue @q if the driver wants one. */
void __virtio_pci_notify(struct virtio_pci *vp, unsigned int q);
/* Under the lock: the ring of a queue is corrupt: status NEEDS_RESET and a
 * config interrupt. */
void __virtio_pci_needs_reset(struct virtio_pci *vp);
/* The device's configuration changed: new generation, config interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);

/* BAR 4's handlers, for tests that play the guest (offsets in the BAR). */
void virtio_pci_bar_read(struct virtio_pci *vp, uint64_t off, void *data,
			 unsigned int len);
void virtio_pci_bar_write(struct virtio_pci *vp, uint64_t off,
			  const void *data, unsigned int len);
struct pci_func *virtio_pci_func(struct virtio_pci *vp);

#endif
