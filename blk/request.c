/*
 * virtio-blk requests (virtio 1.2, 5.2.6): their shape, then their I/O.
 *
 * Shape. The virtqueue parser (virtio/virtqueue.c) has already checked
 * every descriptor against guest RAM and that device-readable segments
 * come before device-writable ones. What is left is the request's own
 * framing, which the spec lets the driver split as it likes
 * (VIRTIO_F_ANY_LAYOUT is implied by VERSION_1):
 *
 *   readable:  16-byte header {type, reserved, sector}, then for OUT the data
 *   writable:  for IN and GET_ID the data, then the status byte (last)
 *
 * A chain whose header is not wholly readable, that has no writable status
 * byte, or whose data runs the wrong way for its type (writable data on an
 * OUT, readable data on an IN, GET_ID or FLUSH) is malformed: the caller
 * drops it (gives it back with length 0) and counts it. Unknown types are
 * well formed and answered UNSUPP.
 *
 * I/O. Data moves between the image and guest memory directly:
 * preadv/pwritev on the host addresses of the guest's own buffers (no
 * bounce copy). A request that is not a whole number of sectors, or
 * reaches past the capacity fixed at open, is answered IOERR, as is a
 * write to a read-only drive. A read that meets the end of the file (the
 * image was truncated under the guest) is IOERR; so is a write that would
 * reach past the file's current end (it would silently regrow a truncated
 * image). FLUSH is fdatasync.
 *
 * Without waiting (blk_execute_nowait, for the thread that rang): a read
 * goes with RWF_NOWAIT, which the kernel refuses (EAGAIN) rather than
 * wait for the disk; such a read is left as it was for a thread that may
 * wait (what it moved already is moved again: the guest's buffer does not
 * change until it is answered). Writes and FLUSH are always left: ext4,
 * for one, refuses every buffered RWF_NOWAIT write (EOPNOTSUPP), so
 * trying would only add a system call.
 *
 * MV_OUT_RELEASE (memvisor's own, abi/virtio.h) is an OUT in shape; its
 * data must be whole page-aligned pages (else IOERR, nothing written),
 * and once the write succeeded the caller (blk.c, which has the guest
 * memory) releases those pages: req->gpa[] says where they are.
 *
 * Pure but for the file descriptor: unit-tested and fuzzed without a VM.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blk/blk_internal.h"

#define HDR_BYTES sizeof(struct virtio_blk_outhdr)
/* Not a virtio status: the request would have had to wait. */
#define BLK_S_WOULD_BLOCK 0xfe

/* Append the @len bytes of segment @s from @skip to @req's iovecs, or
 * only count them in *@other when @req is NULL (data running the wrong
 * way). */
static int add_iov(struct blk_req *req, uint64_t *other,
		   const struct virtq_seg *s, uint64_t skip, uint64_t len)
{
	if (!len)
		return 0;
	if (!req) {
		*other += len;
		return 0;
	}
	if (req->niov == BLK_MAX_IOV)
		return -EINVAL;
	req->gpa[req->niov] = s->gpa + skip;
	req->iov[req->niov++] = (struct iovec){
		.iov_base = (uint8_t *)s->hva + skip, .iov_len = len };
	req->len += len;
	return 0;
}

/* The readable bytes of @el after the header, as iovecs; 0 or -EINVAL. */
static int readable_data(const struct virtq_elem *el, struct blk_req *req,
			 uint64_t *other)
{
	uint64_t skip = HDR_BYTES;
	unsigned int i;

	for (i = 0; i < el->n_out; i++) {
		const struct virtq_seg *s = &el->seg[i];

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		if (add_iov(req, other, s, skip, s->len - skip))
			return -EINVAL;
		skip = 0;
	}
	return 0;
}

/* The writable bytes of @el before the status byte, as iovecs. */
static int writable_data(const struct virtq_elem *el, struct blk_req *req,
			 uint64_t *other)
{
	unsigned int i, last = el->n_out + el->n_in - 1;

	for (i = el->n_out; i <= last; i++) {
		const struct virtq_seg *s = &el->seg[i];
		uint64_t len = s->len - (i == last);

		if (add_iov(req, other, s, 0, len))
			return -EINVAL;
	}
	return 0;
}

int blk_parse_request(const struct virtq_elem *el, struct blk_req *req)
{
	const struct virtq_seg *st;
	struct virtio_blk_outhdr h;
	uint64_t wrong = 0;             /* data bytes running the wrong way */
	bool out;

	req->niov = 0;
	req->len = 0;
	if (!el->n_in || !el->n_out)
		return -EINVAL;
	st = &el->seg[el->n_out + el->n_in - 1];
	if (!st->len)
		return -EINVAL;                 /* no room for the status */
	if (virtq_elem_read(el, 0, &h, sizeof(h)) != sizeof(h))
		return -EINVAL;                 /* header not all readable */
	req->type = h.type;
	req->sector = h.sector;
	req->status = (uint8_t *)st->hva + st->len - 1;
	out = h.type == VIRTIO_BLK_T_OUT || h.type == VIRTIO_BLK_T_MV_OUT_RELEASE;
	if (readable_data(el, out ? req : NULL, &wrong) ||
	    writable_data(el, out ? NULL : req, &wrong))
		return -EINVAL;                 /* more pieces than we take */
	switch (h.type) {
	case VIRTIO_BLK_T_IN:           /* no readable data */
	case VIRTIO_BLK_T_GET_ID:
	case VIRTIO_BLK_T_OUT:          /* no writable data */
	case VIRTIO_BLK_T_MV_OUT_RELEASE:
		return wrong ? -EINVAL : 0;
	case VIRTIO_BLK_T_FLUSH:
		return wrong || req->len ? -EINVAL : 0;
	default:
		return 0;                       /* UNSUPP */
	}
}

/* Is [sector, sector + len) a whole number of sectors inside the disk? */
static bool in_range(const struct blk_image *img, const struct blk_req *req)
{
	uint64_t n = req->len >> VIRTIO_BLK_SECTOR_SHIFT;

	return !(req->len & (VIRTIO_BLK_SECTOR_SIZE - 1)) &&
	       req->sector <= img->capacity && n <= img->capacity - req->sector;
}

/* Advance @iov (@n entries) past @done bytes; returns the first entry
 * left, its base and length adjusted. */
static struct iovec *iov_advance(struct iovec *iov, unsigned int *n,
				 size_t done)
{
	while (*n && done >= iov->iov_len) {
		done -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n) {
		iov->iov_base = (uint8_t *)iov->iov_base + done;
		iov->iov_len -= done;
	}
	return iov;
}

/* Read or write all of @req at its sector with preadv2/pwritev2 @flags;
 * 0, -EIO (short: end of file), or with RWF_NOWAIT (reads only) -EAGAIN
 * (it would wait; the kernel or file system may say EOPNOTSUPP for that,
 * taken as the same). Works on a copy of the iovecs (the loop adjusts them). */
static int transfer(const struct blk_image *img, const struct blk_req *req,
		    bool write, int flags)
{
	static __thread struct iovec iov[BLK_MAX_IOV];
	struct iovec *v = iov;
	unsigned int n = req->niov;
	off_t off = (off_t)(req->sector << VIRTIO_BLK_SECTOR_SHIFT);
	uint64_t left = req->len;
	ssize_t r;

	memcpy(iov, req->iov, n * sizeof(*iov));
	while (left) {
		r = write ? pwritev2(img->fd, v, n, off, flags)
			  : preadv2(img->fd, v, n, off, flags);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (flags & RWF_NOWAIT) &&
		    (errno == EAGAIN || errno == EOPNOTSUPP))
			return -EAGAIN;
		if (r <= 0)
			return -EIO;
		left -= r;
		off += r;
		v = iov_advance(v, &n, r);
	}
	return 0;
}

/* A write must not regrow an image truncated under the guest. */
static bool fits_file(const struct blk_image *img, const struct blk_req *req)
{
	struct stat st;

	if (img->is_bdev)
		return true;
	if (fstat(img->fd, &st))
		return false;
	return (req->sector << VIRTIO_BLK_SECTOR_SHIFT) + req->len <=
	       (uint64_t)st.st_size;
}

/* The status of a transfer's result. */
static uint8_t transfer_status(int ret)
{
	return ret == -EAGAIN ? BLK_S_WOULD_BLOCK :
	       ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static uint8_t do_in(const struct blk_image *img, const struct blk_req *req,
		     uint32_t *written, struct blk_counters *c, int flags)
{
	uint8_t st;

	c->rd_ops++;
	if (!in_range(img, req))
		return VIRTIO_BLK_S_IOERR;
	st = transfer_status(transfer(img, req, false, flags));
	if (st != VIRTIO_BLK_S_OK)
		return st;
	c->rd_bytes += req->len;
	*written += req->len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_out(const struct blk_image *img, const struct blk_req *req,
		      struct blk_counters *c)
{
	c->wr_ops++;
	if (img->readonly || !in_range(img, req) || !fits_file(img, req) ||
	    transfer(img, req, true, 0))
		return VIRTIO_BLK_S_IOERR;
	c->wr_bytes += req->len;
	return VIRTIO_BLK_S_OK;
}

bool blk_req_releases(const struct blk_req *req)
{
	return req->type == VIRTIO_BLK_T_MV_OUT_RELEASE;
}

/* Are the data segments of @req whole, page-aligned pages (what a
 * release can leave zero)? */
static bool whole_pages(const struct blk_req *req)
{
	const uint64_t mask = VIRTIO_BLK_RELEASE_PAGE - 1;

	for (unsigned int i = 0; i < req->niov; i++)
		if ((req->gpa[i] | req->iov[i].iov_len) & mask)
			return false;
	return req->niov != 0;
}

/* MV_OUT_RELEASE: a write of whole pages; the caller releases them. */
static uint8_t do_out_release(const struct blk_image *img,
			      const struct blk_req *req, struct blk_counters *c)
{
	if (!whole_pages(req)) {
		c->wr_ops++;
		return VIRTIO_BLK_S_IOERR;
	}
	return do_out(img, req, c);
}

/* GET_ID: the serial, zero-padded to 20 bytes (fewer if the buffer is). */
static uint8_t do_get_id(const struct blk_image *img, const struct blk_req *req,
			 uint32_t *written)
{
	uint64_t done = 0, n;
	unsigned int i;

	for (i = 0; i < req->niov && done < VIRTIO_BLK_ID_BYTES; i++) {
		n = req->iov[i].iov_len;
		if (n > VIRTIO_BLK_ID_BYTES - done)
			n = VIRTIO_BLK_ID_BYTES - done;
		memcpy(req->iov[i].iov_base, img->serial + done, n);
		done += n;
	}
	*written += done;
	return VIRTIO_BLK_S_OK;
}

static uint8_t dispatch(const struct blk_image *img, const struct blk_req *req,
			uint32_t *written, struct blk_counters *c, int flags)
{
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		return do_in(img, req, written, c, flags);
	case VIRTIO_BLK_T_OUT:
		return do_out(img, req, c);
	case VIRTIO_BLK_T_FLUSH:
		c->flush_ops++;
		return fdatasync(img->fd) && errno != EINVAL ?
		       VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return do_get_id(img, req, written);
	case VIRTIO_BLK_T_MV_OUT_RELEASE:
		return do_out_release(img, req, c);
	default:
		c->unsupp++;
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Answer @req with @status (stored in its status byte); *@written as
 * blk_execute says. */
static uint8_t answer(const struct blk_req *req, uint8_t status,
		      uint32_t *written, struct blk_counters *c)
{
	if (status == VIRTIO_BLK_S_IOERR)
		c->ioerr++;
	if (status != VIRTIO_BLK_S_OK && req->type == VIRTIO_BLK_T_IN)
		*written = 0;
	__atomic_store_n(req->status, status, __ATOMIC_RELAXED);
	(*written)++;
	return status;
}

uint8_t blk_execute(const struct blk_image *img, const struct blk_req *req,
		    uint32_t *written, struct blk_counters *c)
{
	*written = 0;
	return answer(req, dispatch(img, req, written, c, 0), written, c);
}

bool blk_execute_nowait(const struct blk_image *img, const struct blk_req *req,
			uint32_t *written, uint8_t *status,
			struct blk_counters *c)
{
	struct blk_counters t = { 0 };
	uint8_t st;

	if (req->type == VIRTIO_BLK_T_OUT || req->type == VIRTIO_BLK_T_FLUSH ||
	    req->type == VIRTIO_BLK_T_MV_OUT_RELEASE)
		return false;                   /* see the overview */
	*written = 0;
	st = dispatch(img, req, written, &t, RWF_NOWAIT);
	if (st == BLK_S_WOULD_BLOCK)
		return false;                   /* nothing counted or answered */
	blk_counters_add(c, &t);
	*status = answer(req, st, written, c);
	return true;
}

void blk_counters_add(struct blk_counters *to, const struct blk_counters *c)
{
	to->rd_ops += c->rd_ops;
	to->wr_ops += c->wr_ops;
	to->flush_ops += c->flush_ops;
	to->rd_bytes += c->rd_bytes;
	to->wr_bytes += c->wr_bytes;
	to->ioerr += c->ioerr;
	to->unsupp += c->unsupp;
	to->released += c->released;
	to->bad_requests += c->bad_requests;
}
