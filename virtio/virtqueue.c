/*
 * The split virtqueue (virtio 1.2, 2.7), device side, as pure code over
 * guest memory: no KVM, no threads, so unit tests and the fuzz harness
 * drive it with a fake guest memory.
 *
 * The guest owns every byte this file reads, and may change any of them at
 * any time (another vCPU). So each guest field is read once into a local
 * and checked there, never re-read after the check:
 *
 *   - the rings must be aligned (desc 16, avail 2, used 4) and lie wholly
 *     inside one RAM region (guest_mem_ptr), checked at setup;
 *   - avail->idx may run ahead of last_avail by at most the queue size, or
 *     the ring is corrupt and the queue is broken (-EIO) until reset;
 *   - a head or next index must be below the table size; a chain may visit
 *     at most as many descriptors as the table holds (so a loop ends) and
 *     VIRTQ_MAX_SEGS in all;
 *   - each buffer [addr, addr + len) must lie inside one RAM region
 *     (guest_mem_ptr checks overflow too);
 *   - device-readable descriptors come before device-writable ones;
 *   - an indirect descriptor is allowed only if negotiated, not inside an
 *     indirect table, not with NEXT, and its table must be a non-empty
 *     multiple of 16 bytes inside RAM.
 *
 * A malformed request is dropped and counted (stats.bad); its head, if
 * valid, is returned so the caller can give it back unused.
 *
 * Ordering (2.7.13): the avail index is read with acquire semantics before
 * the ring entry and descriptors it covers; a used element is written
 * before used->idx is published with release semantics; a full fence
 * separates that publication from reading avail->flags to decide whether
 * to interrupt. The host is x86-64, little-endian like virtio 1.x.
 */
#include <errno.h>
#include <string.h>

#include "virtio/virtio.h"

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int virtq_setup(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		gpa_t desc, gpa_t avail, gpa_t used, bool indirect)
{
	uint64_t dlen = 16ull * size, alen = 6 + 2ull * size,
		 ulen = 6 + 8ull * size;
	void *d, *a, *u;

	vq->ready = false;
	if (!is_pow2(size) || size > VIRTQUEUE_MAX_SIZE)
		return -EINVAL;
	if ((desc & 15) || (avail & 1) || (used & 3))
		return -EINVAL;
	d = guest_mem_ptr(mem, desc, dlen);
	a = guest_mem_ptr(mem, avail, alen);
	u = guest_mem_ptr(mem, used, ulen);
	if (!d || !a || !u)
		return -EFAULT;
	vq->size = size;
	vq->desc_gpa = desc;
	vq->avail_gpa = avail;
	vq->used_gpa = used;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->indirect = indirect;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->broken = false;
	vq->ready = true;
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	uint32_t epoch = vq->epoch + 1;
	struct virtq_stats stats = vq->stats;

	memset(vq, 0, sizeof(*vq));
	vq->epoch = epoch;
	vq->stats = stats;
}

static int bad(struct virtq *vq)
{
	vq->stats.bad++;
	return -EINVAL;
}

/* Add descriptor @d (a buffer, not an indirect one) to @el. */
static int add_seg(struct virtq *vq, const struct guest_mem *mem,
		   struct virtq_elem *el, const struct vring_desc *d)
{
	unsigned int n = el->n_out + el->n_in;
	void *hva;

	if (n == VIRTQ_MAX_SEGS)
		return bad(vq);
	hva = guest_mem_ptr(mem, d->addr, d->len);
	if (!hva)
		return bad(vq);
	if (d->flags & VRING_DESC_F_WRITE)
		el->n_in++;
	else if (el->n_in)
		return bad(vq);                 /* readable after writable */
	else
		el->n_out++;
	el->seg[n] = (struct virtq_seg){ .gpa = d->addr, .hva = hva,
					 .len = d->len };
	return 0;
}

/* Switch the walk to the indirect table @d describes. */
static int enter_indirect(struct virtq *vq, const struct guest_mem *mem,
			  const struct vring_desc *d,
			  const struct vring_desc **table, uint32_t *tsize)
{
	if (!vq->indirect || *table != vq->desc ||
	    (d->flags & VRING_DESC_F_NEXT))
		return bad(vq);
	if (!d->len || d->len % sizeof(struct vring_desc) ||
	    d->len / sizeof(struct vring_desc) > VIRTQ_MAX_SEGS)
		return bad(vq);
	*table = guest_mem_ptr(mem, d->addr, d->len);
	if (!*table)
		return bad(vq);
	*tsize = d->len / sizeof(struct vring_desc);
	return 0;
}

/* Walk the chain at @head into @el. */
static int walk_chain(struct virtq *vq, const struct guest_mem *mem,
		      struct virtq_elem *el, uint16_t head)
{
	const struct vring_desc *table = vq->desc;
	uint32_t tsize = vq->size, idx = head, visited = 0;
	struct vring_desc d;
	int ret;

	for (;;) {
		if (idx >= tsize || visited++ >= tsize)
			return bad(vq);         /* bad index, or a loop */
		memcpy(&d, (const void *)&table[idx], sizeof(d));
		__atomic_signal_fence(__ATOMIC_SEQ_CST);  /* read it once */
		if (d.flags & VRING_DESC_F_INDIRECT) {
			ret = enter_indirect(vq, mem, &d, &table, &tsize);
			if (ret)
				return ret;
			idx = 0;
			visited = 0;
			continue;
		}
		ret = add_seg(vq, mem, el, &d);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int virtq_pop(struct virtq *vq, const struct guest_mem *mem,
	      struct virtq_elem *el)
{
	uint16_t avail_idx, head;
	int ret;

	el->head = VIRTQ_NO_HEAD;
	el->n_out = el->n_in = 0;
	if (!vq->ready || vq->broken)
		return 0;
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size) {
		vq->broken = true;
		vq->stats.bad_ring++;
		return -EIO;
	}
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail & (vq->size - 1)],
			       __ATOMIC_RELAXED);
	vq->last_avail++;
	if (head >= vq->size)
		return bad(vq);
	el->head = head;
	ret = walk_chain(vq, mem, el, head);
	if (ret) {
		el->n_out = el->n_in = 0;
		return ret;
	}
	vq->stats.popped++;
	return 1;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *u;

	if (!vq->ready)
		return;
	u = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&u->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&u->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t flags;

	if (!vq->ready)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = __atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED);
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

uint64_t virtq_elem_read(const struct virtq_elem *el, uint64_t off,
			 void *buf, uint64_t max)
{
	uint64_t done = 0;
	unsigned int i;

	for (i = 0; i < el->n_out && done < max; i++) {
		const struct virtq_seg *s = &el->seg[i];
		uint64_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > max - done)
			n = max - done;
		memcpy((uint8_t *)buf + done, (const uint8_t *)s->hva + off, n);
		done += n;
		off = 0;
	}
	return done;
}
