/*
 * Pure helpers of the balloon: PFN arrays into discard runs, and the
 * statistics buffer.
 *
 * Runs. The inflate queue brings arrays of 32-bit PFNs of 4 KiB pages, in
 * whatever order the guest allocated them. Sorting a batch and merging
 * consecutive PFNs gives the fewest, largest ranges, one guest_mem_discard
 * (one madvise) each: a 2 MiB block the guest freed whole becomes one call.
 *
 * Statistics. The stats queue brings an array of packed {u16 tag, u64 val}
 * records (abi/virtio.h); tags the device does not know are skipped, as the
 * spec asks. Names are QEMU's (hw/virtio/virtio-balloon.c).
 */
#include <stdlib.h>
#include <string.h>

#include "balloon/balloon_internal.h"

const char *const balloon_stat_names[VIRTIO_BALLOON_S_NR] = {
	[VIRTIO_BALLOON_S_SWAP_IN] = "stat-swap-in",
	[VIRTIO_BALLOON_S_SWAP_OUT] = "stat-swap-out",
	[VIRTIO_BALLOON_S_MAJFLT] = "stat-major-faults",
	[VIRTIO_BALLOON_S_MINFLT] = "stat-minor-faults",
	[VIRTIO_BALLOON_S_MEMFREE] = "stat-free-memory",
	[VIRTIO_BALLOON_S_MEMTOT] = "stat-total-memory",
	[VIRTIO_BALLOON_S_AVAIL] = "stat-available-memory",
	[VIRTIO_BALLOON_S_CACHES] = "stat-disk-caches",
	[VIRTIO_BALLOON_S_HTLB_PGALLOC] = "stat-htlb-pgalloc",
	[VIRTIO_BALLOON_S_HTLB_PGFAIL] = "stat-htlb-pgfail",
	[VIRTIO_BALLOON_S_OOM_KILLS] = "stat-oom-kills",
	[VIRTIO_BALLOON_S_ALLOC_STALLS] = "stat-alloc-stalls",
	[VIRTIO_BALLOON_S_ASYNC_SCANS] = "stat-async-scans",
	[VIRTIO_BALLOON_S_DIRECT_SCANS] = "stat-direct-scans",
	[VIRTIO_BALLOON_S_ASYNC_RECLAIMS] = "stat-async-reclaims",
	[VIRTIO_BALLOON_S_DIRECT_RECLAIMS] = "stat-direct-reclaims",
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t balloon_pfns_to_runs(uint32_t *pfns, size_t n, struct balloon_run *runs)
{
	size_t i, nr = 0;

	qsort(pfns, n, sizeof(*pfns), cmp_u32);
	for (i = 0; i < n; i++) {
		gpa_t gpa = (gpa_t)pfns[i] << VIRTIO_BALLOON_PFN_SHIFT;
		struct balloon_run *last = nr ? &runs[nr - 1] : NULL;

		if (last && gpa < last->gpa + last->len)
			continue;                       /* a duplicate */
		if (last && gpa == last->gpa + last->len)
			last->len += BALLOON_PAGE_SIZE;
		else
			runs[nr++] = (struct balloon_run){ gpa, BALLOON_PAGE_SIZE };
	}
	return nr;
}

static int cmp_run(const void *a, const void *b)
{
	gpa_t x = ((const struct balloon_run *)a)->gpa;
	gpa_t y = ((const struct balloon_run *)b)->gpa;

	return x < y ? -1 : x > y;
}

size_t balloon_merge_runs(struct balloon_run *runs, size_t n)
{
	size_t i, nr = 0;

	qsort(runs, n, sizeof(*runs), cmp_run);
	for (i = 0; i < n; i++) {
		struct balloon_run *last = nr ? &runs[nr - 1] : NULL;
		gpa_t end = runs[i].gpa + runs[i].len;

		if (last && runs[i].gpa <= last->gpa + last->len) {
			if (end > last->gpa + last->len)
				last->len = end - last->gpa;
		} else {
			runs[nr++] = runs[i];
		}
	}
	return nr;
}

unsigned int balloon_parse_stats(const void *buf, size_t len,
				 int64_t stats[VIRTIO_BALLOON_S_NR])
{
	const uint8_t *p = buf;
	unsigned int n = 0;
	struct virtio_balloon_stat s;

	for (; len >= sizeof(s); len -= sizeof(s), p += sizeof(s), n++) {
		memcpy(&s, p, sizeof(s));
		if (s.tag < VIRTIO_BALLOON_S_NR)
			stats[s.tag] = (int64_t)s.val;
	}
	return n;
}
