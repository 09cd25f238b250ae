/*
 * The ksm device's two halves (ksm/ only): vm.c (connection, threads,
 * memory hooks, the device) and vm_pages.c (what the VM does to its pages
 * when ksmd asks). See the overview at the top of vm.c.
 */
#ifndef KSM_VM_INTERNAL_H
#define KSM_VM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ksm/ksm_internal.h"

#define PG KSM_PAGE_SIZE

/* A registered region (boot RAM, a DIMM). */
struct kregion {
	bool used;
	uint32_t id;
	int memfd;
	uint8_t *hva;
	uint64_t nr_pages;
	uint8_t *merged;
};

/* The device. */
struct ksm_vm {
	const char *path;               /* NULL: no --ksm */
	int sock, pool_fd, uffd, pagemap_fd;
	pthread_mutex_t lock, send_lock;
	pthread_t thread;
	bool thread_started;
	struct kregion reg[KSM_MAX_REGIONS];
	uint64_t merging;               /* pages mapping the pool */
	uint64_t rmap_items, zero_pages;  /* as ksmd last said */
	bool stopped, limit_logged, gone;
	volatile bool quit;             /* the VM ends: no more reconnecting */
	uint64_t merging_folded;        /* folded back at the last reattach */
	char reason[96];
	uint8_t tmp[PG];
	const uint8_t *pool_view;       /* the pool, read-only, for MERGE_RUN */
	uint64_t *sums;                 /* ksmd's checksum buffer (SUM_RUN) */
};

/* Carry out ksmd's request @m (MERGE_RUN, STILL_RUN, SUM_RUN, MERGE,
 * MERGE_ZERO, UNMERGE, STILL) under k->lock: its result; a run's bitmap
 * in m->text. */
int ksm_vm_handle(struct ksm_vm *k, struct ksm_msg *m);
/* Give merged page @idx its own copy in the memfd again: 0 or -errno. */
int ksm_vm_unmerge_page(struct ksm_vm *k, struct kregion *r, uint64_t idx);
/* Map the memfd back at page @idx (its contents are already there). */
int ksm_vm_map_own(struct ksm_vm *k, struct kregion *r, uint64_t idx);
/* Register [hva, hva+len) for userfaultfd write-protect: 0 or -errno. */
int ksm_vm_uffd_register(struct ksm_vm *k, uint8_t *hva, uint64_t len);
/* Map the checksum buffer @fd ksmd sent (SUM_BUF; the caller closes
 * @fd) under k->lock: 0 or -errno (SUM_RUN is then refused). */
int ksm_vm_sums_map(struct ksm_vm *k, int fd);
/* Forget it (a new ksmd, or the end). */
void ksm_vm_sums_drop(struct ksm_vm *k);
/* Forget the read-only view of the pool (a new pool, or the end). */
void ksm_vm_pool_view_drop(struct ksm_vm *k);

#endif
