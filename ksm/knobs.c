/*
 * The scanner's tunables, statistics and advisor, by Linux's names
 * (Documentation/admin-guide/mm/ksm.rst): what `ksm get` prints and
 * `ksm set` changes.
 *
 * Tunables are one table (name, limits, field); a value is checked whole
 * before anything changes, so a refused `ksm set` leaves everything as it
 * was. Statistics are computed from the counters struct ksm keeps.
 *
 * The advisor (advisor_mode=scan-time, Linux 6.8's scan-time advisor): after
 * each full scan it measures the CPU a page costs and sets pages_to_scan so
 * that a full scan takes advisor_target_scan_time seconds, but never more
 * CPU than advisor_max_cpu percent, within [advisor_min_pages_to_scan,
 * advisor_max_pages_to_scan].
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm.h"
#include "ksm/ksm_internal.h"

struct knob {
	const char *name;
	unsigned long min, max;
	size_t off;
	bool busy_if_shared;     /* refused (EBUSY) while pages are merged */
};

#define KNOB(n, lo, hi, busy) \
	{ #n, lo, hi, offsetof(struct ksm_knobs, n), busy }

static const struct knob knobs[] = {
	KNOB(run, 0, 2, false),
	KNOB(pages_to_scan, 0, 100000000, false),
	KNOB(sleep_millisecs, 0, 3600000, false),
	KNOB(max_page_sharing, 2, 1000000, true),
	KNOB(merge_across_nodes, 0, 1, true),
	KNOB(use_zero_pages, 0, 1, false),
	KNOB(smart_scan, 0, 1, false),
	KNOB(stable_node_chains_prune_millisecs, 0, 3600000, false),
	KNOB(advisor_mode, 0, 1, false),
	KNOB(advisor_target_scan_time, 1, 86400, false),
	KNOB(advisor_max_cpu, 1, 100, false),
	KNOB(advisor_min_pages_to_scan, 1, 100000000, false),
	KNOB(advisor_max_pages_to_scan, 1, 100000000, false),
};

#define NR_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static unsigned int *knob_ptr(struct ksm_knobs *k, const struct knob *d)
{
	return (unsigned int *)((char *)k + d->off);
}

static const struct knob *knob_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (!strcmp(knobs[i].name, name))
			return &knobs[i];
	return NULL;
}

/* advisor_mode takes Linux's words as well as 0/1. */
static int parse_value(const struct knob *d, const char *v, unsigned long *out)
{
	char *end;

	if (!strcmp(d->name, "advisor_mode")) {
		if (!strcmp(v, "none") || !strcmp(v, "0"))
			return *out = 0, 0;
		if (!strcmp(v, "scan-time") || !strcmp(v, "1"))
			return *out = 1, 0;
		return -EINVAL;
	}
	if (!*v || *v == '-' || *v == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoul(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int ksm_knob_set(struct ksm *ksm, const char *name, const char *value,
		 struct errmsg *e)
{
	const struct knob *d = knob_find(name);
	struct ksm_knobs k = ksm->knobs;
	unsigned long v;

	if (!d)
		return errmsg_user(e, -ENOENT, "unknown ksm tunable '%s'", name);
	if (parse_value(d, value, &v))
		return errmsg_user(e, -EINVAL, "%s: '%s' is not a valid value", name, value);
	if (v < d->min || v > d->max)
		return errmsg_user(e, -ERANGE, "%s: %lu is out of range (%lu to %lu)",
				   name, v, d->min, d->max);
	if (d->busy_if_shared && *knob_ptr(&k, d) != v &&
	    (ksm->stats.pages_shared || ksm->stats.ksm_zero_pages))
		return errmsg_user(e, -EBUSY, "%s: cannot change while pages are merged (set run=2 first)", name);
	if (!strcmp(name, "pages_to_scan") && k.advisor_mode)
		return errmsg_user(e, -EINVAL, "pages_to_scan: set by the advisor (advisor_mode=scan-time)");
	*knob_ptr(&k, d) = v;
	if (k.advisor_min_pages_to_scan > k.advisor_max_pages_to_scan)
		return errmsg_user(e, -EINVAL, "%s: advisor_min_pages_to_scan must not exceed advisor_max_pages_to_scan", name);
	ksm->knobs = k;
	return 0;
}

int ksm_knob_assign(struct ksm *ksm, const char *assignment,
		    struct errmsg *e)
{
	const char *eq = strchr(assignment, '=');
	char name[64];

	if (!eq)
		return errmsg_user(e, -EINVAL, "expected NAME=VALUE");
	if ((size_t)(eq - assignment) >= sizeof(name))    /* no knob is */
		return errmsg_user(e, -ENOENT, "unknown ksm tunable '%.*s'",
				   (int)(eq - assignment), assignment);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - assignment), assignment);
	return ksm_knob_set(ksm, name, eq + 1, e);
}

int ksm_settings_check(const char *const *set, unsigned int n,
		       struct errmsg *e)
{
	static const struct ksm_ops none;
	struct errmsg why = { .msg = "" };
	struct ksm ksm;
	unsigned int i;
	int ret = ksm_init(&ksm, &none, NULL);

	if (ret)
		return errmsg_set(e, ret, "cannot check ksmd settings: %s",
				  strerror(-ret));
	for (i = 0; i < n && !ret; i++)
		if ((ret = ksm_knob_assign(&ksm, set[i], &why)))
			errmsg_user(e, ret, "%s: %s", set[i], why.msg);
	ksm_destroy(&ksm);
	return ret;
}

uint64_t ksm_pages_volatile(const struct ksm *ksm)
{
	const struct ksm_stats *s = &ksm->stats;
	uint64_t used = s->pages_shared + s->pages_sharing + s->pages_unshared +
			s->ksm_zero_pages;

	return s->ksm_rmap_items > used ? s->ksm_rmap_items - used : 0;
}

int64_t ksm_general_profit(const struct ksm *ksm)
{
	return (int64_t)(ksm->stats.pages_sharing + ksm->stats.ksm_zero_pages) *
	       KSM_PAGE_SIZE -
	       (int64_t)ksm->stats.ksm_rmap_items * sizeof(struct ksm_rmap_item);
}

int64_t ksm_mm_profit(const struct ksm_mm *mm)
{
	return (int64_t)(mm->ksm_merging_pages + mm->ksm_zero_pages) *
	       KSM_PAGE_SIZE -
	       (int64_t)mm->ksm_rmap_items * sizeof(struct ksm_rmap_item);
}

struct stat_def {
	const char *name;
	int64_t (*get)(const struct ksm *ksm);
};

#define STAT(n) \
	static int64_t get_##n(const struct ksm *ksm) \
	{ return (int64_t)ksm->stats.n; }
STAT(pages_shared) STAT(pages_sharing) STAT(pages_unshared)
STAT(pages_scanned) STAT(pages_skipped) STAT(full_scans)
STAT(stable_node_chains) STAT(stable_node_dups) STAT(ksm_zero_pages)
static int64_t get_pages_volatile(const struct ksm *ksm)
{
	return (int64_t)ksm_pages_volatile(ksm);
}

static const struct stat_def stats[] = {
	{ "pages_shared", get_pages_shared },
	{ "pages_sharing", get_pages_sharing },
	{ "pages_unshared", get_pages_unshared },
	{ "pages_volatile", get_pages_volatile },
	{ "pages_scanned", get_pages_scanned },
	{ "pages_skipped", get_pages_skipped },
	{ "full_scans", get_full_scans },
	{ "stable_node_chains", get_stable_node_chains },
	{ "stable_node_dups", get_stable_node_dups },
	{ "ksm_zero_pages", get_ksm_zero_pages },
	{ "general_profit", ksm_general_profit },
};

#define NR_STATS (sizeof(stats) / sizeof(stats[0]))

static void format_knob(const struct ksm *ksm, const struct knob *d,
			void (*out)(void *, const char *), void *arg)
{
	unsigned int v = *knob_ptr((struct ksm_knobs *)&ksm->knobs, d);
	char line[128];

	if (!strcmp(d->name, "advisor_mode"))
		snprintf(line, sizeof(line), "%s: %s", d->name,
			 v ? "scan-time" : "none");
	else
		snprintf(line, sizeof(line), "%s: %u", d->name, v);
	out(arg, line);
}

int ksm_format(const struct ksm *ksm, const char *name,
	       void (*out)(void *arg, const char *line), void *arg)
{
	char line[128];
	unsigned int i;
	int found = 0;

	for (i = 0; i < NR_KNOBS; i++)
		if (!name || !strcmp(name, knobs[i].name)) {
			format_knob(ksm, &knobs[i], out, arg);
			found = 1;
		}
	for (i = 0; i < NR_STATS; i++)
		if (!name || !strcmp(name, stats[i].name)) {
			snprintf(line, sizeof(line), "%s: %" PRId64,
				 stats[i].name, stats[i].get(ksm));
			out(arg, line);
			found = 1;
		}
	return found ? 0 : -ENOENT;
}

/* ------------------------------------------------------------ advisor */

unsigned int ksm_advisor_pages(const struct ksm_knobs *k, uint64_t pages,
			       uint64_t per_page_cost_ns)
{
	uint64_t sleep_ms = k->sleep_millisecs ? k->sleep_millisecs : 1;
	uint64_t batches = (uint64_t)k->advisor_target_scan_time * 1000 / sleep_ms;
	uint64_t want = batches ? (pages + batches - 1) / batches : pages;
	uint64_t cap;

	/* CPU share of a batch: n*c / (n*c + sleep) <= max_cpu/100 */
	if (per_page_cost_ns && k->advisor_max_cpu < 100) {
		cap = sleep_ms * 1000000 * k->advisor_max_cpu /
		      ((100 - k->advisor_max_cpu) * per_page_cost_ns);
		if (want > cap)
			want = cap;
	}
	if (want < k->advisor_min_pages_to_scan)
		want = k->advisor_min_pages_to_scan;
	if (want > k->advisor_max_pages_to_scan)
		want = k->advisor_max_pages_to_scan;
	return (unsigned int)want;
}

void ksm_advisor_full_scan(struct ksm *ksm, uint64_t now_ms, uint64_t cpu_us)
{
	struct ksm_advisor *a = &ksm->advisor;
	uint64_t pages = ksm->stats.ksm_rmap_items + ksm->stats.pages_skipped;
	uint64_t cost;

	if (a->scan_start_ms && pages) {
		cost = (cpu_us - a->cpu_start_us) * 1000 / pages;
		/* EWMA, weight 1/2 on the new sample (Linux uses 30% old) */
		a->per_page_cost_ns = a->per_page_cost_ns ?
			(a->per_page_cost_ns + cost) / 2 : cost;
		if (!a->per_page_cost_ns)
			a->per_page_cost_ns = 1;
	}
	a->scan_start_ms = now_ms;
	a->cpu_start_us = cpu_us;
	if (ksm->knobs.advisor_mode)
		ksm->knobs.pages_to_scan =
			ksm_advisor_pages(&ksm->knobs, ksm->stats.ksm_rmap_items,
					  a->per_page_cost_ns);
}
