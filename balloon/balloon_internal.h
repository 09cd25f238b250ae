/*
 * Internals of balloon/: the device state shared by balloon.c (the device
 * and its queues), pages.c (pure helpers), config.c (flags) and
 * balloon_qmp.c (QMP), and what the unit tests reach.
 */
#ifndef BALLOON_BALLOON_INTERNAL_H
#define BALLOON_BALLOON_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/virtio.h"
#include "balloon/balloon.h"
#include "virtio/virtio.h"
#include "vmm/error.h"
#include "vmm/memory.h"
#include "vmm/types.h"

#define BALLOON_PAGE_SIZE    (1u << VIRTIO_BALLOON_PFN_SHIFT)
#define BALLOON_QUEUE_SIZE   128     /* as QEMU */
#define BALLOON_VQ_REPORTING 3       /* no free page hint queue before it */
#define BALLOON_ID           "balloon0"
#define BALLOON_QOM_PATH     "/machine/peripheral/" BALLOON_ID

/* The flags: --no-balloon, --balloon KEY=VALUE,... */
struct balloon_config {
	bool disabled;               /* --no-balloon */
	bool options_given;          /* --balloon seen */
	bool deflate_on_oom;         /* VIRTIO_BALLOON_F_DEFLATE_ON_OOM */
	bool free_page_reporting;    /* VIRTIO_BALLOON_F_REPORTING, queue 3 */
	uint32_t stats_period;       /* seconds between stats requests; 0 off */
	bool policy_on;              /* --balloon-policy given */
	struct balloon_policy policy;
};

/* A guest-physical range to give back to the host. */
struct balloon_run {
	gpa_t gpa;
	uint64_t len;
};

/* What the device counted since it was created. */
struct balloon_counters {
	uint64_t inflated;           /* pages the guest put in the balloon */
	uint64_t deflated;           /* pages it took back */
	uint64_t reported;           /* free pages it reported */
	uint64_t bad_pfns;           /* PFNs / ranges not guest RAM: ignored */
	uint64_t bad_requests;       /* malformed requests, dropped */
	uint64_t discards;           /* guest_mem_discard calls */
	uint64_t discard_errors;
	uint64_t released;           /* bytes given back to the host */
};

struct vm;
struct qmp_server;

struct balloon {
	struct vm *vm;               /* NULL in unit tests: work runs inline */
	struct guest_mem *mem;
	struct virtio_pci *vp;       /* NULL with --no-balloon */
	struct balloon_config cfg;
	struct qmp_server *qmp;      /* for BALLOON_CHANGE; NULL without QMP */
	uint64_t boot_ram;           /* bytes */

	/* Under lock: */
	pthread_mutex_t lock;
	uint32_t num_pages;          /* the target the host set */
	uint32_t actual;             /* what the driver says it holds */
	int64_t stats[VIRTIO_BALLOON_S_NR];   /* -1: not reported */
	int64_t last_update;         /* wall-clock seconds; 0: never */
	int64_t poll_interval;       /* guest-stats-polling-interval */
	bool stop;                   /* the timer thread ends */
	struct balloon_counters cnt;
	pthread_cond_t timer_cond;
	uint64_t user_target;        /* last QMP balloon value; 0: none */
	bool policy_on;              /* the host pressure policy (policy.c) */
	struct balloon_policy policy;
	int64_t policy_last;         /* monotonic seconds of the last action */
	uint64_t policy_actions;
	pthread_cond_t policy_cond;

	/* Under the transport's lock: the stats request held until the
	 * next poll, and the epoch of its queue. */
	bool stats_held;
	uint16_t stats_head;
	uint32_t stats_epoch;

	/* The worker's (one at a time: the VM's deferred-work thread). */
	uint32_t pending;            /* atomic: bit q = queue q notified */
	bool closing;                /* atomic */
	struct virtq_elem *el;
	uint16_t heads[BALLOON_QUEUE_SIZE];
	uint32_t *pfns;
	size_t pfn_cap;
	struct balloon_run *runs;
	size_t run_cap;

	pthread_t timer;
	bool timer_started;
	pthread_t policy_thread;
	bool policy_started;
};

/* config.c */
void balloon_config_init(struct balloon_config *cfg);
int balloon_parse_options(struct balloon_config *cfg, const char *arg,
			  struct errmsg *e);
int balloon_config_check(const struct balloon_config *cfg, struct errmsg *e);

/* pages.c: pure helpers. */
/* Sort @pfns, drop duplicates, merge consecutive ones into @runs (room
 * for @n); returns the number of runs. */
size_t balloon_pfns_to_runs(uint32_t *pfns, size_t n, struct balloon_run *runs);
/* Merge adjacent, sorted-or-not ranges in place; returns the new count. */
size_t balloon_merge_runs(struct balloon_run *runs, size_t n);
/* Parse a stats buffer of @len bytes at @buf into @stats (unknown tags
 * ignored, a trailing partial record too); returns records seen. */
unsigned int balloon_parse_stats(const void *buf, size_t len,
				 int64_t stats[VIRTIO_BALLOON_S_NR]);
extern const char *const balloon_stat_names[VIRTIO_BALLOON_S_NR];

/* balloon.c */
/* The device on @pb over @mem; @vm may be NULL (tests). NULL, @e filled. */
struct balloon *balloon_new(const struct balloon_config *cfg, struct vm *vm,
			    struct guest_mem *mem, struct pci_bus *pb,
			    uint64_t boot_ram, struct errmsg *e);
void balloon_free(struct balloon *b);
/* Guest size in bytes as QEMU counts it: boot RAM plus plugged DIMMs. */
uint64_t balloon_ram_size(struct balloon *b);
/* QMP balloon: target guest size @target (> 0) bytes. */
void balloon_set_target(struct balloon *b, uint64_t target);
/* query-balloon's actual: guest size minus the balloon. */
uint64_t balloon_actual_bytes(struct balloon *b);
/* Change the stats polling interval (seconds, >= 0). */
void balloon_set_poll_interval(struct balloon *b, int64_t secs);
/* Give the held stats request back (what the timer does each period). */
void balloon_stats_poll(struct balloon *b);
/* Process queue @q now (what the deferred work does). */
void balloon_process(struct balloon *b, unsigned int q);
void balloon_get_counters(struct balloon *b, struct balloon_counters *out);

/* policy.c */
enum balloon_policy_action {
	BALLOON_POLICY_NONE,
	BALLOON_POLICY_INFLATE,
	BALLOON_POLICY_DEFLATE,
};

/* What the policy looks at, in bytes and monotonic seconds. */
struct balloon_policy_input {
	uint64_t host_avail;         /* host MemAvailable */
	uint64_t target;             /* the guest size asked for now */
	uint64_t actual;             /* query-balloon's actual */
	uint64_t ceiling;            /* deflate no further than this */
	int64_t now, last_action;    /* last_action 0: never */
};

/* What to do (pure): the action, *@new_target and *@why (its reason, or
 * why nothing is done). */
enum balloon_policy_action
balloon_policy_decide(const struct balloon_policy *p,
		      const struct balloon_policy_input *in,
		      uint64_t *new_target, const char **why);
/* MemAvailable of a /proc/meminfo text in bytes; 0 if absent. */
uint64_t balloon_parse_meminfo(const char *text);
/* Start the policy thread (idle while the policy is off); 0 or -errno. */
int balloon_policy_start(struct balloon *b);
/* Join it; b->stop must be set. */
void balloon_policy_stop(struct balloon *b);
/* Turn the policy on with @p (NULL: the settings it had) or off. */
void balloon_policy_set(struct balloon *b, bool on,
			const struct balloon_policy *p);

/* balloon_qmp.c */
int balloon_qmp_register(struct balloon *b, struct qmp_server *srv);
struct qmp_error;
/* Run QMP command @cmd with @args (an object) as the server would: a new
 * reference to the answer, or NULL with @err filled. */
struct json_t *balloon_qmp_execute(struct balloon *b, const char *cmd,
				   struct json_t *args, struct qmp_error *err);

#endif
