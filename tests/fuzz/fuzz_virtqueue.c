/*
 * libFuzzer harness for the split virtqueue parser (virtio/virtqueue.c).
 *
 * Input: a 16-byte header, then the guest memory image.
 *   u16 queue size (any value: bad ones must be refused)
 *   u16 flags      bit 0: INDIRECT_DESC negotiated
 *   u32 desc gpa, u32 avail gpa, u32 used gpa (inside the image or not)
 *   the rest: guest RAM at gpa 0x1000 (a hole below, as a real guest has),
 *   at most 64 KiB.
 * The harness sets up the queue, pops until empty or broken (at most a
 * bounded number of times), pushes each popped head back, and reads every
 * segment it was given: ASan then proves the parser never hands out memory
 * outside the image.
 *
 * Build (from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -I. \
 *     -D_GNU_SOURCE tests/fuzz/fuzz_virtqueue.c virtio/virtqueue.c \
 *     vmm/memory.c vmm/util.c -o build/fuzz_virtqueue
 *   build/fuzz_virtqueue tests/fuzz/corpus/virtqueue
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtio.h"

#define RAM_GPA   0x1000u
#define RAM_MAX   0x10000u
#define HDR       16
#define MAX_POPS  256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void touch(const struct virtq_elem *el)
{
	volatile uint8_t sink = 0;
	unsigned int i;

	for (i = 0; i < el->n_out + el->n_in; i++) {
		const uint8_t *p = el->seg[i].hva;

		if (el->seg[i].len) {
			sink ^= p[0];
			sink ^= p[el->seg[i].len - 1];
		}
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem mem;
	static struct virtq_elem el;
	struct virtq vq;
	size_t ram_len;
	uint8_t *ram;
	int i, r;

	if (size < HDR)
		return 0;
	ram_len = size - HDR > RAM_MAX ? RAM_MAX : size - HDR;
	if (!ram_len)
		return 0;
	ram = malloc(ram_len);                  /* exact size: ASan sees overruns */
	memcpy(ram, data + HDR, ram_len);
	memset(&mem, 0, sizeof(mem));
	mem.nr_regions = 1;
	mem.regions[0] = (struct mem_region){ .gpa = RAM_GPA, .size = ram_len,
					      .hva = ram, .is_boot_ram = 1 };
	memset(&vq, 0, sizeof(vq));
	if (virtq_setup(&vq, &mem, data[0] | data[1] << 8, le32(data + 4),
			le32(data + 8), le32(data + 12), data[2] & 1) == 0) {
		for (i = 0; i < MAX_POPS; i++) {
			r = virtq_pop(&vq, &mem, &el);
			if (r == 0 || r == -EIO)
				break;
			if (r > 0)
				touch(&el);
			if (el.head != VIRTQ_NO_HEAD)
				virtq_push(&vq, el.head, 0);
			virtq_should_notify(&vq);
		}
	}
	free(ram);
	return 0;
}
