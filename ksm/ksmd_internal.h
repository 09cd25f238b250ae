/*
 * The daemon's state (ksm/ only): ksmd.c (connections, messages, the
 * loop), ksmd_ops.c (the pool, reading guest memory, the VMs' checksums)
 * and ksmd_vmreq.c (asking VMs: requests, merges in runs). See
 * the overview at the top of ksmd.c.
 */
#ifndef KSM_KSMD_INTERNAL_H
#define KSM_KSMD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ksm/ksm_internal.h"

#define MAX_CLIENTS 64
#define MAX_QUEUED 512
#define REPLY_TIMEOUT_MS 5000
#define POOL_CHUNK 4096                 /* pages */
#define POOL_MAX KSM_POOL_MAX_PAGES

struct queued {
	struct ksm_msg m;
	int fd;
};

/* A merge the VM refused after the core took it as done (see runs): its
 * rmap item is marked at once (ksm_merge_refused), undone between batches. */
struct failed {
	uint32_t region;
	int err;
	uint64_t idx;
};

struct client {
	int sock;
	bool is_vm, dead;
	uint32_t pid;
	struct ksm_mm *mm;
	uint32_t seq;
	unsigned int nr_queued;
	struct queued q[MAX_QUEUED];
	/* merges not yet sent: pages a.. onto pool pages b.., n of them */
	struct { uint32_t region; uint32_t n; uint64_t a, b; bool same, zero; } run;
	struct failed *failed;          /* applied between batches */
	unsigned int nr_failed, failed_cap;
	/* the checksum buffer the VM writes SUM_RUN's answers to (mapped
	 * read-only, KSM_RUN_MAX slots; NULL: ksmd hashes this VM's pages) */
	const volatile uint64_t *sums;
};

/* A VM's region as ksmd holds it (ksm_region.priv): its memfd, mapped
 * read-only and registered for SIGBUS on holes (see ksmd_ops.c). */
struct ksmd_region {
	int fd;
	const uint8_t *map;
	uint64_t len;
};

struct ksmd {
	struct ksm ksm;
	/* the checksum window: pages [first, first+n) of r, one SUM_RUN's;
	 * bit i of have: page first+i is data and not merged, and if bit i
	 * of want is set too, the VM hashed it into slot i of its client's
	 * sums. During full scan seqnr; forgotten at every batch, a page's
	 * bit when ksmd merges or unmerges it */
	struct { struct ksm_region *r; uint32_t seqnr; uint64_t first, n;
		 uint8_t have[KSM_RUN_MAX / 8], want[KSM_RUN_MAX / 8]; } sum;
	/* no data in [from, to), data at to (or the end): next_data's last
	 * answer, during full scan seqnr */
	struct { struct ksm_region *r; uint32_t seqnr; uint64_t from, to; } hint;
	/* STILL answers for a run of pages, asked once per batch (forgotten
	 * at every batch) */
	struct { struct ksm_region *r; uint64_t first, n;
		 uint8_t yes[KSM_RUN_MAX / 8]; } still;
	int uffd;                       /* MISSING + SIGBUS: holes */
	int lsock;
	int pool_fd;
	const uint8_t *pool;            /* the whole reservation, read-only */
	uint64_t pool_pages, pool_next; /* file size, bump pointer */
	uint64_t *pool_free;            /* stack of freed pages */
	uint64_t nr_free, free_cap;
	struct client *cl[MAX_CLIENTS];
	unsigned int nr_cl;
	uint32_t next_mm_id;
	bool unmerged;                  /* run=2 done */
};

extern const struct ksm_ops ksmd_ops;

/* CLOCK_MONOTONIC in ms. */
uint64_t ksmd_now_ms(void);
/* Region @r's memfd. */
int ksmd_region_fd(const struct ksm_region *r);
/* ksmd's userfaultfd (d->uffd): 0 or -errno. */
int ksmd_uffd_open(struct ksmd *d);
/* Map memfd @fd of @pages pages for reading: 0 and *out (which owns @fd
 * from then on), or -errno. */
int ksmd_region_open(struct ksmd *d, int fd, uint64_t pages,
		     struct ksmd_region **out);
void ksmd_region_close(struct ksmd_region *m);
/* Forget next_data's answer, the STILL answers and the checksum window
 * (a region gone). */
void ksmd_read_forget(struct ksmd *d);
/* @c's checksum buffer: created sealed against resizing, mapped
 * read-only in c->sums; the fd to send the VM (the caller closes it), or
 * -errno. */
int ksmd_sums_create(struct client *c);
void ksmd_sums_free(struct client *c);
/* ksmd merges or unmerges page @idx of @r: forget what is stale about it
 * (its checksum in the window, the STILL answers for @r). */
void ksmd_pages_changed(struct ksmd *d, struct ksm_region *r, uint64_t idx);

/* ksmd_vmreq.c: asking VMs. */
static inline struct client *ksmd_client_of(const struct ksm_region *r)
{
	return r->mm->priv;
}
/* Send @m to @c and wait for its answer (kept in @ans if not NULL): the
 * answer's result, -EPIPE if @c is dead or did not answer in time. */
int ksmd_vm_request(struct client *c, struct ksm_msg *m, struct ksm_msg *ans);
/* Send @c's pending merge run: its result. */
int ksmd_run_flush(struct client *c);
/* Keep a message @c sent while ksmd waited for an answer. */
void ksmd_client_queue(struct client *c, const struct ksm_msg *m, int fd);
/* The struct ksm_ops hooks that change VMs' mappings (@o: the ksmd). */
int ksmd_merge(void *o, struct ksm_region *r, uint64_t idx, uint64_t pidx);
int ksmd_merge_zero(void *o, struct ksm_region *r, uint64_t idx);
int ksmd_unmerge(void *o, struct ksm_region *r, uint64_t idx);
int ksmd_still_merged(void *o, struct ksm_region *r, uint64_t idx);

#endif
