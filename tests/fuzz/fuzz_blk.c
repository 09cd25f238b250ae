/*
 * libFuzzer harness for virtio-blk request handling (blk/request.c):
 * blk_parse_request's shape checks and blk_execute's I/O against a small
 * memfd image, on request chains the fuzzer lays out.
 *
 * Input: a 4-byte header, then segment records, then guest memory.
 *   u8 n_out, u8 n_in (each taken modulo 9), u8 flags (bit 0: read-only
 *   image, bit 1: shrink the image to half after opening), u8 unused;
 *   then n_out + n_in records of {u16 offset, u16 length} into the guest
 *   memory (clamped to it, as the virtqueue parser guarantees);
 *   the rest: the guest memory (at most 64 KiB), which holds the request
 *   header wherever the segments put it.
 * ASan proves no access leaves the guest memory or the iovec array, and
 * the status and written-length invariants are checked (and that an
 * MV_OUT_RELEASE answered OK was whole page-aligned pages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blk/blk_internal.h"

#define MAX_SEGS  8
#define MEM_MAX   0x10000u
#define IMG_BYTES 0x8000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int image_fd(void)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-blk", 0);
		if (fd < 0)
			abort();
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtq_elem el;
	static struct blk_req req;
	struct blk_image img = { .capacity = IMG_BYTES / 512, .serial = "fuzz" };
	struct blk_counters c = { 0 };
	unsigned int n_out, n_in, i;
	size_t hdr, mem_len;
	uint32_t written;
	uint8_t *mem, st;

	if (size < 4)
		return 0;
	n_out = data[0] % (MAX_SEGS + 1);
	n_in = data[1] % (MAX_SEGS + 1);
	hdr = 4 + 4 * (n_out + n_in);
	if (size <= hdr)
		return 0;
	mem_len = size - hdr > MEM_MAX ? MEM_MAX : size - hdr;
	mem = malloc(mem_len);                  /* exact size: ASan sees overruns */
	memcpy(mem, data + hdr, mem_len);
	el.head = 0;
	el.n_out = n_out;
	el.n_in = n_in;
	for (i = 0; i < n_out + n_in; i++) {
		const uint8_t *rec = data + 4 + 4 * i;
		size_t off = (rec[0] | rec[1] << 8) % mem_len;
		size_t len = (rec[2] | rec[3] << 8);

		if (len > mem_len - off)
			len = mem_len - off;
		el.seg[i] = (struct virtq_seg){ .gpa = off, .hva = mem + off,
						.len = (uint32_t)len };
	}
	img.fd = image_fd();
	img.readonly = data[2] & 1;
	if (ftruncate(img.fd, (data[2] & 2) ? IMG_BYTES / 2 : IMG_BYTES))
		abort();
	if (blk_parse_request(&el, &req) == 0) {
		if (req.niov > BLK_MAX_IOV)
			abort();
		st = blk_execute(&img, &req, &written, &c);
		if (st > VIRTIO_BLK_S_UNSUPP || *req.status != st)
			abort();
		if (written < 1 || written > req.len + 1)
			abort();
		if (img.readonly && c.wr_bytes)
			abort();
		/* a release answered OK was whole pages (blk.c discards them) */
		for (i = 0; st == VIRTIO_BLK_S_OK && blk_req_releases(&req) &&
		     i < req.niov; i++)
			if ((req.gpa[i] | req.iov[i].iov_len) & 4095)
				abort();
	}
	free(mem);
	return 0;
}
