/*
 * virtio-blk (virtio 1.2, 5.2) over virtio-pci: each function becomes a
 * disk of the block layer (kernel/blkdev.h), vda, vdb, ... in PCI order.
 *
 * Features: VERSION_1 (required), SEG_MAX, BLK_SIZE, FLUSH and RO when
 * offered (RO makes the disk read-only: the block layer refuses writes
 * with -EROFS before they reach the device), and memvisor's MV_RELEASE
 * (abi/virtio.h) when offered: REQ_OP_WRITE_RELEASE becomes an
 * MV_OUT_RELEASE request, a write after which the device has released
 * the pages (they read zero); QEMU does not offer it and swap writes
 * stay plain writes there. One request queue of up to
 * 256 entries.
 *
 * A bio becomes one chain: the request header (device-readable), the
 * bio's runs of memory as they are (device-writable for a read,
 * device-readable for a write: the device moves the data straight to or
 * from the caller's pages, the CPU copies nothing), and the status byte
 * (device-writable). Header and status live in a per-request slot,
 * vb->reqs[], one per ring entry, physically contiguous; free slots are
 * chained through ->next_free. A bio that does not fit (no free slot or
 * too few free descriptors) waits on vb->pending, in order, until
 * completions make room.
 *
 * Notifications: submit_bio adds the chain and rings the doorbell (one VM
 * exit) unless the disk is plugged, in which case blk_finish_plug rings
 * it once for the lot. The device interrupts (INTx, maybe shared: the ISR
 * says whether it is ours) once per batch it completes; the handler takes
 * every used chain, frees its slot, ends its bio (bio_endio runs the
 * caller's callback, which may wake a sleeper or submit more), then
 * issues what was pending and rings once.
 *
 * Polled bios (bio_poll): submitting one asks the device not to
 * interrupt (virtqueue_disable_cb) while polled bios are in flight; the
 * submitter's vblk_poll takes the used chains the way the handler does.
 * When a poll finds none, interrupts are asked for again before the
 * submitter halts, and they stay on once no polled bio is left, so a
 * bio nobody polls for always gets its interrupt. memvisor completes a
 * request in memory before the doorbell's exit returns: the first poll
 * finds it, and the request costs no interrupt, ISR read or halt; on a
 * device that completes later (QEMU's I/O thread) the first poll finds
 * nothing and the bio ends by interrupt, as without polling.
 *
 * Locking: the queue, the slots and the pending list are shared by
 * submit (interrupts off, from submit_bio) and the interrupt handler.
 */
#include "drivers/virtio_blk.h"
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "include/errno.h"
#include "kernel/blkdev.h"
#include "kernel/printk.h"
#include "mm/mm.h"

#define VBLK_QUEUE_MAX	256

struct vblk_req {
	struct virtio_blk_outhdr hdr;
	uint8_t status;
	struct vblk_req *next_free;
	struct bio *bio;
};

struct virtio_blk {
	struct virtio_device vdev;
	struct virtqueue *vq;
	struct gendisk disk;
	struct vblk_req *reqs;		/* vq->num slots */
	struct vblk_req *free_req;
	struct bio *pending;		/* waiting for room, oldest first */
	struct bio **pending_tail;
	struct virtq_buf *bufs;		/* max_segments + 2 */
	bool need_kick;
	unsigned int polled;		/* polled bios in flight */
};

/* ------------------------------------------------------------ requests */

static const uint32_t op_type[] = {
	[REQ_OP_READ] = VIRTIO_BLK_T_IN,
	[REQ_OP_WRITE] = VIRTIO_BLK_T_OUT,
	[REQ_OP_FLUSH] = VIRTIO_BLK_T_FLUSH,
	[REQ_OP_WRITE_RELEASE] = VIRTIO_BLK_T_MV_OUT_RELEASE,
};

/* Put @bio on the ring if there is room; false if not. */
static bool vblk_issue(struct virtio_blk *vb, struct bio *bio)
{
	struct vblk_req *req = vb->free_req;
	struct virtq_buf *b = vb->bufs;
	unsigned int n = bio->vcnt;
	bool dev_writes = bio->op == REQ_OP_READ;	/* else readable */

	if (!req || vb->vq->num_free < n + 2)
		return false;
	vb->free_req = req->next_free;
	req->hdr.type = op_type[bio->op];
	req->hdr.reserved = 0;
	req->hdr.sector = bio->op == REQ_OP_FLUSH ? 0 : bio->sector;
	req->status = 0xff;
	req->bio = bio;
	vb->polled += bio->polled;
	b[0] = (struct virtq_buf){ __pa(&req->hdr), sizeof(req->hdr), false };
	for (unsigned int i = 0; i < n; i++)
		b[i + 1] = (struct virtq_buf){ bio->vec[i].addr, bio->vec[i].len,
					       dev_writes };
	b[n + 1] = (struct virtq_buf){ __pa(&req->status), 1, true };
	virtqueue_add(vb->vq, b, n + 2, req);	/* room checked above */
	vb->need_kick = true;
	return true;
}

static void vblk_kick(struct virtio_blk *vb)
{
	if (vb->need_kick) {
		vb->need_kick = false;
		virtqueue_kick(vb->vq);
	}
}

/* Issue pending bios while they fit. */
static void vblk_issue_pending(struct virtio_blk *vb)
{
	struct bio *bio;

	while ((bio = vb->pending) && vblk_issue(vb, bio)) {
		vb->pending = bio->next;
		if (!vb->pending)
			vb->pending_tail = &vb->pending;
	}
}

/* block_device_operations.submit_bio (interrupts off). */
static int vblk_submit(struct gendisk *disk, struct bio *bio)
{
	struct virtio_blk *vb = disk->private_data;

	if (vb->pending || !vblk_issue(vb, bio)) {
		*vb->pending_tail = bio;
		vb->pending_tail = &bio->next;
	}
	if (bio->polled)
		virtqueue_disable_cb(vb->vq);	/* its submitter polls */
	if (!disk->plugged)
		vblk_kick(vb);
	return 0;
}

static void vblk_unplug(struct gendisk *disk)
{
	vblk_kick(disk->private_data);
}

static int status_errno(uint8_t status)
{
	if (status == VIRTIO_BLK_S_OK)
		return 0;
	return status == VIRTIO_BLK_S_UNSUPP ? -EOPNOTSUPP : -EIO;
}

/* End every bio the device has returned, then issue what was pending.
 * How many ended. */
static int vblk_complete(struct virtio_blk *vb)
{
	struct vblk_req *req;
	int n = 0;

	while ((req = virtqueue_get_buf(vb->vq, NULL)) != NULL) {
		struct bio *bio = req->bio;
		uint8_t status = req->status;

		req->next_free = vb->free_req;
		vb->free_req = req;
		vb->polled -= bio->polled;
		bio_endio(bio, status_errno(status));
		n++;
	}
	vblk_issue_pending(vb);
	vblk_kick(vb);
	return n;
}

/* Interrupts again, taking what came meanwhile (it may never interrupt). */
static int vblk_enable_cb(struct virtio_blk *vb)
{
	int n = 0;

	while (!virtqueue_enable_cb(vb->vq))
		n += vblk_complete(vb);
	return n;
}

static void vblk_interrupt(void *ctx)
{
	struct virtio_blk *vb = ctx;

	if (!virtio_read_isr(&vb->vdev))
		return;				/* another device's line */
	vblk_complete(vb);
	if (!vb->polled)
		vblk_enable_cb(vb);	/* the last polled bio ended here */
}

/* block_device_operations.poll (interrupts off). */
static int vblk_poll(struct gendisk *disk)
{
	struct virtio_blk *vb = disk->private_data;
	int n = vblk_complete(vb);

	if (!n || !vb->polled)		/* about to halt, or nobody polls */
		n += vblk_enable_cb(vb);
	return n;
}

static const struct block_device_operations vblk_fops = {
	.submit_bio = vblk_submit,
	.unplug = vblk_unplug,
	.poll = vblk_poll,
};

/* ------------------------------------------------------------ probe */

#define VBLK_FEATURES	((1ull << VIRTIO_F_VERSION_1) | \
			 (1ull << VIRTIO_BLK_F_SEG_MAX) | \
			 (1ull << VIRTIO_BLK_F_BLK_SIZE) | \
			 (1ull << VIRTIO_BLK_F_FLUSH) | \
			 (1ull << VIRTIO_BLK_F_RO) | \
			 (1ull << VIRTIO_BLK_F_MV_RELEASE))

static unsigned int max_segments(struct virtio_blk *vb)
{
	unsigned int n = vb->vq->num - 2;
	uint32_t seg_max;

	if (virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_SEG_MAX)) {
		seg_max = virtio_cread32(&vb->vdev,
				offsetof(struct virtio_blk_config, seg_max));
		if (seg_max && seg_max < n)
			n = seg_max;
	}
	return n;
}

/* Queue, request slots, scratch chain. 0 or -ENOMEM. */
static int vblk_alloc(struct virtio_blk *vb)
{
	unsigned int num, order = 0;
	struct page *p;

	vb->vq = virtio_setup_vq(&vb->vdev, VIRTIO_BLK_VQ_REQUEST, VBLK_QUEUE_MAX);
	if (!vb->vq)
		return -ENOMEM;
	num = vb->vq->num;
	while ((PAGE_SIZE << order) < num * sizeof(struct vblk_req))
		order++;
	p = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	vb->disk.max_segments = max_segments(vb);
	vb->bufs = kzalloc((vb->disk.max_segments + 2) * sizeof(*vb->bufs),
			   GFP_KERNEL);
	if (!p || !vb->bufs)
		return -ENOMEM;
	vb->reqs = page_address(p);
	for (unsigned int i = 0; i < num; i++) {
		vb->reqs[i].next_free = vb->free_req;
		vb->free_req = &vb->reqs[i];
	}
	vb->pending_tail = &vb->pending;
	return 0;
}

static int vblk_probe(struct virtio_blk *vb, struct pci_dev *after)
{
	struct gendisk *disk = &vb->disk;
	int err;

	err = virtio_pci_probe_after(&vb->vdev, VIRTIO_ID_BLOCK, after);
	if (err)
		return err;
	err = virtio_finalize_features(&vb->vdev,
			virtio_get_features(&vb->vdev) & VBLK_FEATURES);
	if (!err)
		err = vblk_alloc(vb);
	if (err)
		goto fail;
	disk->capacity = virtio_cread64(&vb->vdev,
				offsetof(struct virtio_blk_config, capacity));
	disk->ro = virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_RO);
	disk->flush = virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH);
	disk->release = virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_MV_RELEASE);
	disk->fops = &vblk_fops;
	disk->private_data = vb;
	err = add_disk(disk);
	if (!err)
		err = pci_request_irq(vb->vdev.pci, vblk_interrupt, vb);
	if (err)
		goto fail;
	virtio_device_ready(&vb->vdev);
	return 0;
fail:
	virtio_fail(&vb->vdev);
	return err;
}

static void log_disk(const struct virtio_blk *vb)
{
	uint64_t bytes = vb->disk.capacity << SECTOR_SHIFT;

	pr_info("virtio_blk 0000:00:%02x.%u: [%s] %lu 512-byte logical blocks "
		"(%lu MB/%lu MiB)%s\n", vb->vdev.pci->dev, vb->vdev.pci->fn,
		vb->disk.disk_name, (unsigned long)vb->disk.capacity,
		(unsigned long)(bytes / 1000000), (unsigned long)(bytes >> 20),
		vb->disk.ro ? ", read-only" : "");
}

int virtio_blk_init(void)
{
	struct pci_dev *after = NULL;
	struct virtio_blk *vb;
	int found = 0, err;

	for (;;) {
		vb = kzalloc(sizeof(*vb), GFP_KERNEL);
		if (!vb)
			return -ENOMEM;
		err = vblk_probe(vb, after);
		if (err == -ENODEV && !vb->vdev.pci) {
			kfree(vb);		/* no more functions */
			break;
		}
		after = vb->vdev.pci;
		if (err) {
			pr_warn("virtio_blk 0000:00:%02x.%u: not usable (error %d)\n",
				after->dev, after->fn, err);
			continue;		/* leaked: its memory may be the device's */
		}
		log_disk(vb);
		found++;
	}
	return found ? 0 : -ENODEV;
}
