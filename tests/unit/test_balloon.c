/* balloon/: PFNs into discard runs, stats parsing, flags, QMP arguments, and
 * the device driven from the host side by a test that plays the guest:
 * it sets up the queues in a memfd-backed guest memory, posts PFN arrays
 * and checks the holes punched in the memfd. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "balloon/balloon_internal.h"
#include "vmm/pci.h"
#include "vmm/qmp.h"

/* ------------------------------------------------------------ pure helpers */

START_TEST(pfns_coalesce_into_runs)
{
	uint32_t pfns[] = { 0x105, 0x100, 0x101, 0x103, 0x102, 0x101, 0x200,
			    0x1ff, 0x7 };
	struct balloon_run runs[9];
	size_t n = balloon_pfns_to_runs(pfns, 9, runs);

	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(runs[0].gpa, 0x7000);
	ck_assert_uint_eq(runs[0].len, 0x1000);
	ck_assert_uint_eq(runs[1].gpa, 0x100000);
	ck_assert_uint_eq(runs[1].len, 0x4000);             /* 0x100-0x103 */
	ck_assert_uint_eq(runs[2].gpa, 0x105000);
	ck_assert_uint_eq(runs[3].gpa, 0x1ff000);
	ck_assert_uint_eq(runs[3].len, 0x2000);
	ck_assert_uint_eq(balloon_pfns_to_runs(pfns, 0, runs), 0);
}
END_TEST

START_TEST(ranges_merge)
{
	struct balloon_run r[] = { { 0x3000, 0x1000 }, { 0x1000, 0x2000 },
				   { 0x8000, 0x1000 }, { 0x2000, 0x800 } };

	ck_assert_uint_eq(balloon_merge_runs(r, 4), 2);
	ck_assert_uint_eq(r[0].gpa, 0x1000);
	ck_assert_uint_eq(r[0].len, 0x3000);
	ck_assert_uint_eq(r[1].gpa, 0x8000);
}
END_TEST

START_TEST(stats_parse)
{
	struct virtio_balloon_stat s[3] = {
		{ VIRTIO_BALLOON_S_MEMFREE, 1234 }, { 99, 5 },
		{ VIRTIO_BALLOON_S_OOM_KILLS, 2 },
	};
	int64_t st[VIRTIO_BALLOON_S_NR];

	memset(st, 0xff, sizeof(st));
	ck_assert_uint_eq(balloon_parse_stats(s, sizeof(s) - 1, st), 2);
	ck_assert_int_eq(st[VIRTIO_BALLOON_S_MEMFREE], 1234);
	ck_assert_int_eq(st[VIRTIO_BALLOON_S_OOM_KILLS], -1);  /* partial */
	ck_assert_uint_eq(balloon_parse_stats(s, sizeof(s), st), 3);
	ck_assert_int_eq(st[VIRTIO_BALLOON_S_OOM_KILLS], 2);
	ck_assert_str_eq(balloon_stat_names[VIRTIO_BALLOON_S_CACHES], "stat-disk-caches");
}
END_TEST

START_TEST(options)
{
	struct balloon_config c;
	struct errmsg e = { .msg = "" };

	balloon_config_init(&c);
	ck_assert(!c.deflate_on_oom && !c.free_page_reporting && !c.stats_period);
	ck_assert_int_eq(balloon_parse_options(&c, "deflate-on-oom=on,free-page-reporting=on,stats-period=5", &e), 0);
	ck_assert(c.deflate_on_oom && c.free_page_reporting);
	ck_assert_uint_eq(c.stats_period, 5);
	ck_assert_int_eq(balloon_parse_options(&c, "deflate-on-oom=yes", &e), -EINVAL);
	ck_assert(e.user);
	ck_assert_str_eq(e.msg, "--balloon: deflate-on-oom must be on or off, not 'yes'");
	ck_assert_int_eq(balloon_parse_options(&c, "stats-period=x", &e), -EINVAL);
	ck_assert_int_eq(balloon_parse_options(&c, "stats-period=4294967296", &e), -EINVAL);
	ck_assert_int_eq(balloon_parse_options(&c, "size=1G", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown key 'size'"));
	ck_assert_int_eq(balloon_parse_options(&c, "", &e), -EINVAL);
	ck_assert_int_eq(balloon_parse_options(&c, "deflate-on-oom", &e), -EINVAL);
	c.disabled = true;
	ck_assert_int_eq(balloon_config_check(&c, &e), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ the device */

#define RAM      (16ull << 20)
#define DESC     0x10000ull          /* queue q's rings at DESC + q * 0x4000 */
#define BUF      0x40000ull
#define QS       8

static struct guest_mem mem;
static struct bus mmio;
static struct pci_bus *pb;
static struct balloon *b;
static uint16_t avail_idx[4];
static int line;

static int irq_cb(void *o, unsigned int gsi, int level)
{
	line = level;
	return 0;
}

static void make_balloon(bool reporting)
{
	struct balloon_config c;

	ck_assert_int_eq(guest_mem_init(&mem, -1, RAM, NULL), 0);
	bus_init(&mmio, "mmio");
	pb = pci_bus_create(NULL, &mmio, irq_cb, NULL, NULL);
	balloon_config_init(&c);
	c.free_page_reporting = reporting;
	b = balloon_new(&c, NULL, &mem, pb, RAM, NULL);
	ck_assert_ptr_nonnull(b);
	memset(avail_idx, 0, sizeof(avail_idx));
}

static void setup(void) { make_balloon(false); }

static void teardown(void)
{
	balloon_free(b);
	pci_bus_destroy(pb);
	guest_mem_destroy(&mem);
}

static void w(uint64_t off, uint64_t v, unsigned int len)
{
	virtio_pci_bar_write(b->vp, off, &v, len);
}

static uint64_t r(uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	virtio_pci_bar_read(b->vp, off, &v, len);
	return v;
}

static void *gp(uint64_t gpa)
{
	return mem.ram_hva + gpa;
}

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

/* What a driver does: negotiate @features, set up every queue, DRIVER_OK. */
static void guest_init(uint64_t features)
{
	unsigned int q, nq;

	w(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	w(CC(driver_feature_select), 0, 4);
	w(CC(driver_feature), (uint32_t)features, 4);
	w(CC(driver_feature_select), 1, 4);
	w(CC(driver_feature), features >> 32, 4);
	w(CC(device_status), 0xb, 1);
	ck_assert_uint_eq(r(CC(device_status), 1), 0xb);
	nq = r(CC(num_queues), 2);
	for (q = 0; q < nq; q++) {
		w(CC(queue_select), q, 2);
		ck_assert_uint_eq(r(CC(queue_size), 2), BALLOON_QUEUE_SIZE);
		w(CC(queue_size), QS, 2);
		w(CC(queue_desc), DESC + q * 0x4000, 8);
		w(CC(queue_driver), DESC + q * 0x4000 + 0x1000, 8);
		w(CC(queue_device), DESC + q * 0x4000 + 0x2000, 8);
		w(CC(queue_enable), 1, 2);
		ck_assert_uint_eq(r(CC(queue_enable), 2), 1);
	}
	w(CC(device_status), 0xf, 1);
}

static struct vring_used *used(unsigned int q)
{
	return gp(DESC + q * 0x4000 + 0x2000);
}

/* Post one buffer [gpa, gpa+len) with @flags on queue @q and ring. */
static void post(unsigned int q, uint16_t d, uint64_t gpa, uint32_t len,
		 uint16_t flags)
{
	struct vring_desc *desc = gp(DESC + q * 0x4000);
	struct vring_avail *av = gp(DESC + q * 0x4000 + 0x1000);

	desc[d] = (struct vring_desc){ gpa, len, flags, 0 };
	av->ring[avail_idx[q] % QS] = d;
	av->idx = ++avail_idx[q];
	w(VIRTIO_PCI_NOTIFY_OFF + 4 * q, q, 2);
}

static bool is_hole(uint64_t gpa, uint64_t len)
{
	return lseek(mem.ram_fd, gpa, SEEK_HOLE) == (off_t)gpa &&
	       (lseek(mem.ram_fd, gpa, SEEK_DATA) < 0 ||
		lseek(mem.ram_fd, gpa, SEEK_DATA) >= (off_t)(gpa + len));
}

START_TEST(inflate_releases_pages)
{
	uint32_t *pfns = gp(BUF);
	struct balloon_counters c;
	unsigned int i;

	guest_init(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BALLOON_F_STATS_VQ);
	memset(gp(0x200000), 0xaa, 0x200000);              /* touch 2 MiB */
	ck_assert(!is_hole(0x200000, 0x200000));
	for (i = 0; i < 512; i++)                           /* in reverse */
		pfns[i] = 0x3ff - i;
	pfns[512] = 0xfffff;                                /* not RAM */
	pfns[513] = 0xa0;                                   /* reserved: not RAM */
	post(VIRTIO_BALLOON_VQ_INFLATE, 0, BUF, 514 * 4, 0);
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(used(0)->ring[0].id, 0);
	ck_assert(is_hole(0x200000, 0x200000));
	ck_assert_uint_eq(*(uint8_t *)gp(0x200000), 0);     /* reads zero */
	balloon_get_counters(b, &c);
	ck_assert_uint_eq(c.inflated, 512);
	ck_assert_uint_eq(c.bad_pfns, 2);
	ck_assert_uint_eq(c.discards, 1);                   /* one run */
	ck_assert_uint_eq(c.released, 0x200000);
	ck_assert_int_eq(line, 1);
	ck_assert_uint_eq(r(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	/* Deflate: counted, given back. */
	post(VIRTIO_BALLOON_VQ_DEFLATE, 0, BUF, 512 * 4, 0);
	ck_assert_uint_eq(used(1)->idx, 1);
	balloon_get_counters(b, &c);
	ck_assert_uint_eq(c.deflated, 512);
}
END_TEST

START_TEST(bad_requests_counted)
{
	struct balloon_counters c;

	guest_init(1ull << VIRTIO_F_VERSION_1);
	/* A device-writable buffer on the inflate queue. */
	post(0, 1, BUF, 16, VRING_DESC_F_WRITE);
	/* A buffer outside RAM. */
	post(0, 2, RAM + 0x1000, 16, 0);
	ck_assert_uint_eq(used(0)->idx, 2);                 /* both given back */
	balloon_get_counters(b, &c);
	ck_assert_uint_eq(c.bad_requests, 2);
	ck_assert_uint_eq(c.inflated, 0);
}
END_TEST

START_TEST(corrupt_avail_index_needs_reset)
{
	struct vring_avail *av = gp(DESC + 0x1000);

	guest_init(1ull << VIRTIO_F_VERSION_1);
	av->idx = 1000;
	w(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	ck_assert(r(CC(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	w(CC(device_status), 0, 1);
	ck_assert_uint_eq(r(CC(device_status), 1), 0);
}
END_TEST

START_TEST(config_target_and_actual)
{
	struct qmp_error err;
	json_t *a, *ret;

	guest_init(1ull << VIRTIO_F_VERSION_1);
	balloon_set_target(b, RAM - (4 << 20));
	ck_assert_uint_eq(r(VIRTIO_PCI_DEVICE_OFF, 4), 1024);
	ck_assert_uint_eq(r(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	w(VIRTIO_PCI_DEVICE_OFF + 4, 1024, 4);
	w(VIRTIO_PCI_DEVICE_OFF, 7, 4);                     /* num_pages: RO */
	ck_assert_uint_eq(r(VIRTIO_PCI_DEVICE_OFF, 8), 1024ull << 32 | 1024);
	ck_assert_uint_eq(balloon_actual_bytes(b), RAM - (4 << 20));
	a = json_object();
	ret = balloon_qmp_execute(b, "query-balloon", a, &err);
	ck_assert_int_eq(json_integer_value(json_object_get(ret, "actual")),
			 RAM - (4 << 20));
	json_decref(ret);
	json_decref(a);
	/* A target above the RAM: an empty balloon. */
	balloon_set_target(b, RAM * 2);
	ck_assert_uint_eq(r(VIRTIO_PCI_DEVICE_OFF, 4), 0);
}
END_TEST

START_TEST(stats_held_and_returned)
{
	struct virtio_balloon_stat *s = gp(BUF);
	struct qmp_error err;
	json_t *a, *ret, *st;

	guest_init(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BALLOON_F_STATS_VQ);
	s[0] = (struct virtio_balloon_stat){ VIRTIO_BALLOON_S_MEMFREE, 4096 };
	s[1] = (struct virtio_balloon_stat){ VIRTIO_BALLOON_S_MINFLT, 7 };
	post(VIRTIO_BALLOON_VQ_STATS, 0, BUF, 2 * sizeof(*s), 0);
	ck_assert_uint_eq(used(2)->idx, 0);                 /* held */
	balloon_stats_poll(b);
	ck_assert_uint_eq(used(2)->idx, 1);                 /* returned */
	balloon_stats_poll(b);
	ck_assert_uint_eq(used(2)->idx, 1);
	a = json_pack("{s:s, s:s}", "path", BALLOON_QOM_PATH, "property", "guest-stats");
	ret = balloon_qmp_execute(b, "qom-get", a, &err);
	ck_assert_ptr_nonnull(ret);
	st = json_object_get(ret, "stats");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "stat-free-memory")), 4096);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "stat-minor-faults")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "stat-swap-in")), -1);
	ck_assert_int_gt(json_integer_value(json_object_get(ret, "last-update")), 0);
	json_decref(ret);
	json_decref(a);
}
END_TEST

START_TEST(reporting_releases_ranges)
{
	struct balloon_counters c;

	teardown();
	make_balloon(true);
	guest_init(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BALLOON_F_REPORTING);
	ck_assert_uint_eq(r(CC(num_queues), 2), 4);
	memset(gp(0x400000), 0x55, 0x200000);
	post(BALLOON_VQ_REPORTING, 0, 0x400000, 0x200000, VRING_DESC_F_WRITE);
	ck_assert_uint_eq(used(3)->idx, 1);
	ck_assert(is_hole(0x400000, 0x200000));
	/* Device-readable on the reporting queue: bad. */
	post(BALLOON_VQ_REPORTING, 1, 0x600000, 0x1000, 0);
	balloon_get_counters(b, &c);
	ck_assert_uint_eq(c.reported, 512);
	ck_assert_uint_eq(c.bad_requests, 1);
}
END_TEST

static const char *qmp_err(const char *cmd, json_t *args)
{
	static struct qmp_error err;
	json_t *ret;

	memset(&err, 0, sizeof(err));
	ret = balloon_qmp_execute(b, cmd, args, &err);
	json_decref(args);
	if (ret) {
		json_decref(ret);
		return "";
	}
	return err.desc;
}

START_TEST(qmp_arguments)
{
	ck_assert_str_eq(qmp_err("balloon", json_object()), "Parameter 'value' is missing");
	ck_assert_str_eq(qmp_err("balloon", json_pack("{s:s}", "value", "1G")),
			 "Invalid parameter type for 'value', expected: integer");
	ck_assert_str_eq(qmp_err("balloon", json_pack("{s:i}", "value", 0)),
			 "Parameter 'target' expects a size");
	ck_assert_str_eq(qmp_err("balloon", json_pack("{s:i}", "value", -5)),
			 "Parameter 'target' expects a size");
	ck_assert_str_eq(qmp_err("balloon", json_pack("{s:I}", "value", (json_int_t)RAM / 2)), "");
	ck_assert_str_eq(qmp_err("qom-get", json_pack("{s:s, s:s}", "path", "/machine/peripheral/x",
						      "property", "guest-stats")),
			 "Device '/machine/peripheral/x' not found");
	ck_assert_str_eq(qmp_err("qom-get", json_pack("{s:s, s:s}", "path", BALLOON_ID,
						      "property", "nope")),
			 "Property 'virtio-balloon-pci.nope' not found");
	ck_assert_str_eq(qmp_err("qom-set", json_pack("{s:s, s:s, s:i}", "path", BALLOON_QOM_PATH,
						      "property", "guest-stats-polling-interval",
						      "value", -1)),
			 "timer value must be greater than zero");
	ck_assert_str_eq(qmp_err("qom-set", json_pack("{s:s, s:s, s:I}", "path", BALLOON_QOM_PATH,
						      "property", "guest-stats-polling-interval",
						      "value", (json_int_t)1 << 33)),
			 "timer value is too big");
	ck_assert_str_eq(qmp_err("qom-set", json_pack("{s:s, s:s, s:i}", "path", BALLOON_QOM_PATH,
						      "property", "guest-stats", "value", 1)),
			 "Property 'virtio-balloon-pci.guest-stats' is not writable");
	ck_assert_str_eq(qmp_err("qom-set", json_pack("{s:s, s:s, s:i}", "path", BALLOON_QOM_PATH,
						      "property", "guest-stats-polling-interval",
						      "value", 3)), "");
	ck_assert_int_eq(b->poll_interval, 3);
}
END_TEST

START_TEST(no_balloon_not_active)
{
	struct balloon_config c;
	struct balloon *nb;
	struct qmp_error err;
	json_t *a = json_pack("{s:i}", "value", 1);

	balloon_config_init(&c);
	c.disabled = true;
	nb = balloon_new(&c, NULL, &mem, pb, RAM, NULL);
	ck_assert_ptr_nonnull(nb);
	ck_assert_ptr_null(balloon_qmp_execute(nb, "balloon", a, &err));
	ck_assert_str_eq(err.class, "DeviceNotActive");
	ck_assert_str_eq(err.desc, "No balloon device has been activated");
	ck_assert_ptr_null(balloon_qmp_execute(nb, "query-balloon", a, &err));
	json_decref(a);
	balloon_free(nb);
}
END_TEST


/* ------------------------------------------------------------ policy */

START_TEST(policy_parse)
{
	struct balloon_policy p;
	struct errmsg e = { .msg = "" };

	balloon_policy_init(&p);
	ck_assert_int_eq(balloon_policy_parse(&p, "free-host-min=1G", "--balloon-policy", &e), 0);
	ck_assert_uint_eq(p.free_min, 1ull << 30);
	ck_assert_uint_eq(p.free_max, 2ull << 30);
	ck_assert_uint_eq(p.step, 128ull << 20);
	ck_assert_uint_eq(p.interval, 5);
	ck_assert_uint_eq(p.min_guest, 256ull << 20);
	balloon_policy_init(&p);
	ck_assert_int_eq(balloon_policy_parse(&p, "free-host-min=512M,free-host-max=3G,step=64M,interval=2,min-guest=1G",
					      "x", &e), 0);
	ck_assert_uint_eq(p.free_max, 3ull << 30);
	ck_assert_uint_eq(p.step, 64ull << 20);
	ck_assert_uint_eq(p.interval, 2);
	ck_assert_uint_eq(p.min_guest, 1ull << 30);
#define BAD(arg, part) do { \
		balloon_policy_init(&p); \
		e = (struct errmsg){ .msg = "" }; \
		ck_assert_int_eq(balloon_policy_parse(&p, arg, "--balloon-policy", &e), -EINVAL); \
		ck_assert_int_eq(e.user, 1); \
		ck_assert_msg(strstr(e.msg, part), "'%s' not in '%s'", part, e.msg); \
	} while (0)
	BAD("", "no keys given");
	BAD("step=1M", "free-host-min=SIZE is required");
	BAD("free-host-min=1G,free-host-max=1G", "free-host-max must be above");
	BAD("free-host-min=1G,interval=0", "interval must be a number of seconds");
	BAD("free-host-min=1G,step=6K", "step must be a size in 4K pages");
	BAD("free-host-min=lots", "free-host-min must be a size");
	BAD("free-host-min=1G,colour=red", "unknown key 'colour'");
	BAD("free-host-min", "is not KEY=VALUE");
#undef BAD
}
END_TEST

START_TEST(policy_decide)
{
	const uint64_t M = 1ull << 20;
	struct balloon_policy p = { .free_min = 1024 * M, .free_max = 2048 * M,
				    .step = 128 * M, .interval = 5,
				    .min_guest = 256 * M };
	struct balloon_policy_input in = { .host_avail = 512 * M, .target = 1024 * M,
					   .actual = 1024 * M, .ceiling = 1024 * M,
					   .now = 100 };
	uint64_t t;
	const char *why;

	/* Under the floor: one step down. */
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_INFLATE);
	ck_assert_uint_eq(t, 896 * M);
	ck_assert_ptr_nonnull(strstr(why, "free-host-min"));
	/* Rate limit: not again within the interval. */
	in.last_action = 97;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_NONE);
	ck_assert_str_eq(why, "rate limit");
	ck_assert_uint_eq(t, in.target);
	in.last_action = 95;
	/* The guest has not caught up: wait. */
	in.target = 896 * M;
	in.actual = 960 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_NONE);
	ck_assert_str_eq(why, "guest still inflating");
	/* Never under min-guest: the last step is short, then nothing. */
	in.target = in.actual = 300 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_INFLATE);
	ck_assert_uint_eq(t, 256 * M);
	in.target = in.actual = 256 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_NONE);
	ck_assert_str_eq(why, "guest at min-guest");
	/* Between the bounds: nothing. */
	in.host_avail = 1500 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_NONE);
	/* Recovered: one step up, to the ceiling at most. */
	in.host_avail = 4096 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_DEFLATE);
	ck_assert_uint_eq(t, 384 * M);
	in.target = 1000 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_DEFLATE);
	ck_assert_uint_eq(t, 1024 * M);
	in.target = 1024 * M;
	ck_assert_int_eq(balloon_policy_decide(&p, &in, &t, &why), BALLOON_POLICY_NONE);
	ck_assert_str_eq(why, "balloon empty");
}
END_TEST

START_TEST(policy_meminfo)
{
	ck_assert_uint_eq(balloon_parse_meminfo("MemTotal: 100 kB\nMemFree: 5 kB\n"
						"MemAvailable:   23663080 kB\n"),
			  23663080ull << 10);
	ck_assert_uint_eq(balloon_parse_meminfo("MemTotal: 100 kB\n"), 0);
	ck_assert_uint_eq(balloon_parse_meminfo("MemAvailable: x"), 0);
}
END_TEST

START_TEST(qmp_policy_and_stats)
{
	json_t *r;
	struct qmp_error err;

	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:s}", "enable", "yes")),
			 "Parameter 'enable' expects a boolean");
	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:b}", "enable", 1)),
			 "x-balloon-policy: free-host-min=SIZE is required");
	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:b, s:i}", "enable", 1,
							      "free-host-min", 1000)),
			 "Parameter 'free-host-min' must be a positive multiple of 4096");
	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:b, s:I, s:i}", "enable", 1,
							      "free-host-min", (json_int_t)1 << 30,
							      "interval", 0)),
			 "Parameter 'interval' must be from 1 to 86400 seconds");
	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:b, s:I}", "enable", 1,
							      "free-host-min", (json_int_t)1 << 30)), "");
	ck_assert(b->policy_on);
	ck_assert_uint_eq(b->policy.free_max, 2ull << 30);
	r = balloon_qmp_execute(b, "x-query-balloon-stats", NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert(json_is_true(json_object_get(json_object_get(r, "policy"), "enabled")));
	ck_assert_ptr_nonnull(json_object_get(r, "released-bytes"));
	ck_assert_ptr_nonnull(json_object_get(r, "bad-pfns"));
	json_decref(r);
	ck_assert_str_eq(qmp_err("x-balloon-policy", json_pack("{s:b}", "enable", 0)), "");
	ck_assert(!b->policy_on);
}
END_TEST

Suite *balloon_suite(void)
{
	Suite *s = suite_create("balloon");
	TCase *pure = tcase_create("pure");
	TCase *dev = tcase_create("device");

	tcase_add_test(pure, pfns_coalesce_into_runs);
	tcase_add_test(pure, ranges_merge);
	tcase_add_test(pure, stats_parse);
	tcase_add_test(pure, options);
	tcase_add_test(pure, policy_parse);
	tcase_add_test(pure, policy_decide);
	tcase_add_test(pure, policy_meminfo);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, inflate_releases_pages);
	tcase_add_test(dev, bad_requests_counted);
	tcase_add_test(dev, corrupt_avail_index_needs_reset);
	tcase_add_test(dev, config_target_and_actual);
	tcase_add_test(dev, stats_held_and_returned);
	tcase_add_test(dev, reporting_releases_ranges);
	tcase_add_test(dev, qmp_arguments);
	tcase_add_test(dev, no_balloon_not_active);
	tcase_add_test(dev, qmp_policy_and_stats);
	suite_add_tcase(s, dev);
	return s;
}
