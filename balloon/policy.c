/*
 * The host pressure policy: inflate the balloon when the host runs short
 * of memory, deflate it when the host has recovered.
 *
 *   memvisor run --balloon-policy free-host-min=SIZE[,free-host-max=SIZE]
 *                [,step=SIZE][,interval=SECONDS][,min-guest=SIZE]
 *   QMP x-balloon-policy {"enable": true, "free-host-min": BYTES, ...}
 *
 * Every `interval` seconds the policy thread reads the host's free memory
 * (MemAvailable of /proc/meminfo) and asks balloon_policy_decide(), a pure
 * function, what to do:
 *
 *   MemAvailable < free-host-min   inflate: target -= step, not below
 *                                  min-guest, and only once the guest has
 *                                  reached the previous target (a slow
 *                                  guest is not asked for more meanwhile)
 *   MemAvailable > free-host-max   deflate: target += step, up to the
 *                                  ceiling (the guest size, or the last
 *                                  target set with QMP `balloon`, so the
 *                                  policy never undoes what a user asked)
 *   otherwise                      nothing
 *
 * At most one step per interval (last_action). Each action is one line on
 * stderr with its reason, and a BALLOON_POLICY event on QMP (memvisor's
 * own: QEMU has none).
 *
 * Defaults: free-host-max = 2 x free-host-min, step 128M, interval 5 s,
 * min-guest 256M. Parsing and the decision are pure and unit-tested; the
 * thread is the only I/O.
 *
 * Locking: the policy's fields live in struct balloon under b->lock; the
 * thread sleeps on policy_cond (signalled on a change and at close) and
 * drops the lock around /proc reads and balloon_set_target().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "balloon/balloon.h"
#include "balloon/balloon_internal.h"
#include "vmm/qmp.h"
#include "vmm/util.h"

#define KEYS "free-host-min, free-host-max, step, interval, min-guest"
#define POLICY_MAX_INTERVAL 86400

/* ------------------------------------------------------------ parsing */

void balloon_policy_init(struct balloon_policy *p)
{
	*p = (struct balloon_policy){
		.step = 128ull << 20,
		.interval = 5,
		.min_guest = 256ull << 20,
	};
}

static int parse_one(struct balloon_policy *p, char *item, const char *what,
		     bool *has_max, struct errmsg *e)
{
	char *val = strchr(item, '=');
	uint64_t *size = NULL, v;
	unsigned long n;

	if (!val)
		return errmsg_user(e, -EINVAL, "%s: '%s' is not KEY=VALUE (keys: " KEYS ")",
				   what, item);
	*val++ = '\0';
	if (!strcmp(item, "interval")) {
		if (parse_uint(val, 1, POLICY_MAX_INTERVAL, &n))
			return errmsg_user(e, -EINVAL, "%s: interval must be a number of seconds from 1 to %d, not '%s'",
					   what, POLICY_MAX_INTERVAL, val);
		p->interval = n;
		return 0;
	}
	if (!strcmp(item, "free-host-min"))
		size = &p->free_min;
	else if (!strcmp(item, "free-host-max"))
		size = &p->free_max, *has_max = true;
	else if (!strcmp(item, "step"))
		size = &p->step;
	else if (!strcmp(item, "min-guest"))
		size = &p->min_guest;
	else
		return errmsg_user(e, -EINVAL, "%s: unknown key '%s' (keys: " KEYS ")",
				   what, item);
	if (parse_size(val, 20, &v) || !v || v & (BALLOON_PAGE_SIZE - 1))
		return errmsg_user(e, -EINVAL, "%s: %s must be a size in 4K pages, e.g. 512M, not '%s'",
				   what, item, val);
	*size = v;
	return 0;
}

int balloon_policy_parse(struct balloon_policy *p, const char *arg,
			 const char *what, struct errmsg *e)
{
	char *copy = strdup(arg), *item, *save = NULL;
	bool has_max = false;
	int ret = 0;

	if (!copy)
		return errmsg_set(e, -ENOMEM, "out of memory");
	if (!*copy)
		ret = errmsg_user(e, -EINVAL, "%s: no keys given (keys: " KEYS ")", what);
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = parse_one(p, item, what, &has_max, e);
	free(copy);
	if (!ret && !has_max)
		p->free_max = 2 * p->free_min;
	return ret ? ret : balloon_policy_check(p, what, e);
}

int balloon_policy_check(const struct balloon_policy *p, const char *what,
			 struct errmsg *e)
{
	if (!p->free_min)
		return errmsg_user(e, -EINVAL, "%s: free-host-min=SIZE is required", what);
	if (p->free_max <= p->free_min)
		return errmsg_user(e, -EINVAL, "%s: free-host-max must be above free-host-min",
				   what);
	if (!p->step || !p->interval || !p->min_guest)
		return errmsg_user(e, -EINVAL, "%s: step, interval and min-guest must not be 0",
				   what);
	return 0;
}

/* ------------------------------------------------------------ decision */

enum balloon_policy_action
balloon_policy_decide(const struct balloon_policy *p,
		      const struct balloon_policy_input *in,
		      uint64_t *new_target, const char **why)
{
	uint64_t floor = p->min_guest, ceiling = in->ceiling;

	*new_target = in->target;
	*why = NULL;
	if (in->last_action && in->now - in->last_action < (int64_t)p->interval) {
		*why = "rate limit";
		return BALLOON_POLICY_NONE;
	}
	if (in->host_avail < p->free_min) {
		if (in->target <= floor) {
			*why = "guest at min-guest";
			return BALLOON_POLICY_NONE;
		}
		if (in->actual > in->target) {
			*why = "guest still inflating";
			return BALLOON_POLICY_NONE;
		}
		*new_target = in->target - floor > p->step ? in->target - p->step : floor;
		*why = "host MemAvailable under free-host-min";
		return BALLOON_POLICY_INFLATE;
	}
	if (in->host_avail > p->free_max) {
		if (in->target >= ceiling) {
			*why = "balloon empty";
			return BALLOON_POLICY_NONE;
		}
		*new_target = ceiling - in->target > p->step ? in->target + p->step : ceiling;
		*why = "host MemAvailable over free-host-max";
		return BALLOON_POLICY_DEFLATE;
	}
	*why = "host MemAvailable between the bounds";
	return BALLOON_POLICY_NONE;
}

/* MemAvailable from a /proc/meminfo text, in bytes; 0 if absent. */
uint64_t balloon_parse_meminfo(const char *text)
{
	const char *p = strstr(text, "MemAvailable:");
	unsigned long long kb;

	if (!p || sscanf(p + strlen("MemAvailable:"), "%llu", &kb) != 1)
		return 0;
	return (uint64_t)kb << 10;
}

/* ------------------------------------------------------------ the thread */

static uint64_t host_available(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/meminfo", "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return balloon_parse_meminfo(buf);
}

static int64_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static void act(struct balloon *b, enum balloon_policy_action a,
		const struct balloon_policy_input *in, uint64_t target,
		const char *why)
{
	const char *verb = a == BALLOON_POLICY_INFLATE ? "inflate" : "deflate";
	char avail[32], from[32], to[32];

	format_size(in->host_avail, avail, sizeof(avail));
	format_size(in->target, from, sizeof(from));
	format_size(target, to, sizeof(to));
	fprintf(stderr, "memvisor: balloon policy: %s (%s: %s): guest target %s -> %s\n",
		verb, why, avail, from, to);
	balloon_set_target(b, target);
	if (b->qmp)
		qmp_emit_event(b->qmp, "BALLOON_POLICY",
			       json_pack("{s:s, s:s, s:I, s:I, s:I}", "action", verb,
					 "reason", why, "host-available",
					 (json_int_t)in->host_avail, "from",
					 (json_int_t)in->target, "target",
					 (json_int_t)target));
}

/* One look at the host, under b->lock (dropped around the I/O). */
static void policy_tick(struct balloon *b)
{
	struct balloon_policy_input in;
	struct balloon_policy p = b->policy;
	enum balloon_policy_action a;
	uint64_t target, ram;
	const char *why;

	pthread_mutex_unlock(&b->lock);
	in.host_avail = host_available();
	ram = balloon_ram_size(b);
	in.actual = balloon_actual_bytes(b);
	pthread_mutex_lock(&b->lock);
	in.target = ram - ((uint64_t)b->num_pages << VIRTIO_BALLOON_PFN_SHIFT);
	in.ceiling = b->user_target && b->user_target < ram ? b->user_target : ram;
	in.now = now_s();
	in.last_action = b->policy_last;
	if (!in.host_avail)
		return;
	a = balloon_policy_decide(&p, &in, &target, &why);
	if (a == BALLOON_POLICY_NONE)
		return;
	b->policy_last = in.now;
	b->policy_actions++;
	pthread_mutex_unlock(&b->lock);
	act(b, a, &in, target, why);
	pthread_mutex_lock(&b->lock);
}

static void *policy_thread(void *arg)
{
	struct balloon *b = arg;
	struct timespec t;

	pthread_mutex_lock(&b->lock);
	while (!b->stop) {
		if (!b->policy_on) {
			pthread_cond_wait(&b->policy_cond, &b->lock);
			continue;
		}
		policy_tick(b);
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += b->policy.interval;
		pthread_cond_timedwait(&b->policy_cond, &b->lock, &t);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int balloon_policy_start(struct balloon *b)
{
	pthread_condattr_t attr;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->policy_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (!b->vm)
		return 0;                        /* tests decide by hand */
	ret = pthread_create(&b->policy_thread, NULL, policy_thread, b);
	b->policy_started = !ret;
	return -ret;
}

/* Called with b->stop set (stop_timer does). */
void balloon_policy_stop(struct balloon *b)
{
	if (!b->policy_started)
		return;
	pthread_mutex_lock(&b->lock);
	pthread_cond_signal(&b->policy_cond);
	pthread_mutex_unlock(&b->lock);
	if (b->policy_started)
		pthread_join(b->policy_thread, NULL);
	b->policy_started = false;
}

void balloon_policy_set(struct balloon *b, bool on,
			const struct balloon_policy *p)
{
	pthread_mutex_lock(&b->lock);
	b->policy_on = on;
	if (p)
		b->policy = *p;
	b->policy_last = 0;
	pthread_cond_signal(&b->policy_cond);
	pthread_mutex_unlock(&b->lock);
	if (on)
		fprintf(stderr, "memvisor: balloon policy on: free-host-min=%llu,free-host-max=%llu,step=%llu,interval=%u,min-guest=%llu\n",
			(unsigned long long)b->policy.free_min,
			(unsigned long long)b->policy.free_max,
			(unsigned long long)b->policy.step, b->policy.interval,
			(unsigned long long)b->policy.min_guest);
	else
		fprintf(stderr, "memvisor: balloon policy off\n");
}
