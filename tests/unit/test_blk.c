/* blk/: the --drive flags, and the device driven from the host side by a
 * test that plays the guest against a temporary image: it sets up the
 * queue in a memfd-backed guest memory, posts request chains (header,
 * data, status) and checks the status bytes, the data and the image. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk/blk_internal.h"
#include "vmm/pci.h"

/* ------------------------------------------------------------ flags */

START_TEST(drive_options)
{
	struct blk_config c;
	struct errmsg e = { .msg = "" };

	blk_config_init(&c);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/x.img,readonly=on,id=data", &e), 0);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/y.img,if=virtio,format=raw", &e), 0);
	ck_assert_uint_eq(c.nr, 2);
	ck_assert_str_eq(c.drive[0].file, "/x.img");
	ck_assert(c.drive[0].readonly && !c.drive[1].readonly);
	ck_assert_str_eq(c.drive[0].id, "data");
	ck_assert_ptr_null(c.drive[1].id);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/x,readonly=yes", &e), -EINVAL);
	ck_assert(e.user);
	ck_assert_str_eq(e.msg, "--drive: readonly must be on or off, not 'yes'");
	ck_assert_int_eq(blk_parse_drive(&c, "readonly=on", &e), -EINVAL);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/x,cache=none", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown key 'cache'"));
	ck_assert_int_eq(blk_parse_drive(&c, "file=/x,format=qcow2", &e), -EINVAL);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/x,id=1abc", &e), -EINVAL);
	ck_assert_int_eq(blk_parse_drive(&c, "file", &e), -EINVAL);
	ck_assert_uint_eq(c.nr, 2);
	/* The files do not exist. */
	ck_assert_int_eq(blk_config_check(&c, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot open '/x.img'"));
	blk_config_free(&c);
	ck_assert_int_eq(blk_parse_drive(&c, "file=/tmp", &e), 0);
	ck_assert_int_eq(blk_config_check(&c, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	ck_assert_int_eq(blk_parse_drive(&c, "file=/dev/null,id=virtio0", &e), 0);
	blk_config_free(&c);
}
END_TEST

/* ------------------------------------------------------------ the device */

#define RAM      (16ull << 20)
#define DESC     0x10000ull
#define AVAIL    0x11000ull
#define USED     0x12000ull
#define HDR      0x20000ull           /* headers, 16 bytes apart */
#define STATUS   0x21000ull           /* status bytes */
#define DATA     0x100000ull
#define QS       16
#define IMG_SIZE (1u << 20)

static struct guest_mem mem;
static struct bus mmio;
static struct pci_bus *pb;
static struct blk_drive *d;
static char path[] = "/tmp/memvisor-test-blk-XXXXXX";
static uint16_t avail_idx, next_desc;
static uint8_t *image;                 /* what the image should hold */

static int irq_cb(void *o, unsigned int gsi, int level)
{
	return 0;
}

static void make_drive(bool readonly)
{
	struct blk_drive_config dc = { .file = path, .readonly = readonly };
	int fd = mkstemp(path);
	unsigned int i;

	ck_assert_int_ge(fd, 0);
	image = malloc(IMG_SIZE);
	for (i = 0; i < IMG_SIZE; i++)
		image[i] = (uint8_t)(i * 7 + i / 4096);
	ck_assert_int_eq(write(fd, image, IMG_SIZE), IMG_SIZE);
	close(fd);
	ck_assert_int_eq(guest_mem_init(&mem, -1, RAM, NULL), 0);
	bus_init(&mmio, "mmio");
	pb = pci_bus_create(NULL, &mmio, irq_cb, NULL, NULL);
	d = blk_drive_new(&dc, 0, NULL, &mem, pb, NULL);
	ck_assert_ptr_nonnull(d);
	avail_idx = next_desc = 0;
}

static void setup(void) { make_drive(false); }
static void setup_ro(void) { make_drive(true); }

static void teardown(void)
{
	blk_drive_free(d);
	pci_bus_destroy(pb);
	guest_mem_destroy(&mem);
	unlink(path);
	strcpy(path, "/tmp/memvisor-test-blk-XXXXXX");
	free(image);
}

static void w(uint64_t off, uint64_t v, unsigned int len)
{
	virtio_pci_bar_write(d->vp, off, &v, len);
}

static uint64_t r(uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	virtio_pci_bar_read(d->vp, off, &v, len);
	return v;
}

static void *gp(uint64_t gpa)
{
	return mem.ram_hva + gpa;
}

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

static void guest_init(void)
{
	uint64_t f = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_FLUSH;

	w(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	w(CC(driver_feature_select), 0, 4);
	w(CC(driver_feature), (uint32_t)f, 4);
	w(CC(driver_feature_select), 1, 4);
	w(CC(driver_feature), f >> 32, 4);
	w(CC(device_status), 0xb, 1);
	w(CC(queue_select), 0, 2);
	ck_assert_uint_eq(r(CC(queue_size), 2), BLK_QUEUE_SIZE);
	w(CC(queue_size), QS, 2);
	w(CC(queue_desc), DESC, 8);
	w(CC(queue_driver), AVAIL, 8);
	w(CC(queue_device), USED, 8);
	w(CC(queue_enable), 1, 2);
	w(CC(device_status), 0xf, 1);
}

struct seg { uint64_t gpa; uint32_t len; bool write; };

/* Offer the chain @s[0..n) without ringing; returns its head. */
static uint16_t offer(const struct seg *s, unsigned int n)
{
	struct vring_desc *desc = gp(DESC);
	struct vring_avail *av = gp(AVAIL);
	uint16_t head = next_desc % QS;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t k = (head + i) % QS;

		desc[k] = (struct vring_desc){ s[i].gpa, s[i].len,
			(uint16_t)((s[i].write ? VRING_DESC_F_WRITE : 0) |
				   (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			(uint16_t)((k + 1) % QS) };
	}
	next_desc += n;
	av->ring[avail_idx % QS] = head;
	av->idx = ++avail_idx;
	return head;
}

/* Post the chain @s[0..n) and ring; returns its head. */
static uint16_t post(const struct seg *s, unsigned int n)
{
	uint16_t head = offer(s, n);

	w(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	return head;
}

/* A request of @type at @sector with @len bytes of data at DATA; its
 * status byte (0xee if the device did not write it). */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len)
{
	struct virtio_blk_outhdr *h = gp(HDR);
	uint8_t *st = gp(STATUS);
	struct seg s[3] = {
		{ HDR, sizeof(*h), false },
		{ DATA, len, type != VIRTIO_BLK_T_OUT &&
			     type != VIRTIO_BLK_T_MV_OUT_RELEASE },
		{ STATUS, 1, true },
	};

	*h = (struct virtio_blk_outhdr){ .type = type, .sector = sector };
	*st = 0xee;
	if (len)
		post(s, 3);
	else
		post((struct seg[]){ s[0], s[2] }, 2);
	return *st;
}

static struct vring_used *used(void)
{
	return gp(USED);
}

static void read_image(uint8_t *buf)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_eq(pread(fd, buf, IMG_SIZE, 0), IMG_SIZE);
	close(fd);
}

START_TEST(config_space)
{
	struct virtio_blk_config cfg;

	virtio_pci_bar_read(d->vp, VIRTIO_PCI_DEVICE_OFF, &cfg, 8);
	ck_assert_uint_eq(cfg.capacity, IMG_SIZE / 512);
	ck_assert_uint_eq(r(VIRTIO_PCI_DEVICE_OFF + 12, 4), BLK_SEG_MAX);
	ck_assert_uint_eq(r(VIRTIO_PCI_DEVICE_OFF + 20, 4), 512);
	w(CC(device_feature_select), 0, 4);
	ck_assert(r(CC(device_feature), 4) & (1u << VIRTIO_BLK_F_FLUSH));
	ck_assert(!(r(CC(device_feature), 4) & (1u << VIRTIO_BLK_F_RO)));
}
END_TEST

START_TEST(read_write_flush)
{
	uint8_t *buf = malloc(IMG_SIZE);
	struct blk_counters c;

	guest_init();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 8, 8192), VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gp(DATA), image + 4096, 8192);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].len, 8193);      /* data + status */
	memset(gp(DATA), 0x5a, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 16, 4096), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used()->ring[1].len, 1);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_OK);
	memset(image + 8192, 0x5a, 4096);
	read_image(buf);
	ck_assert_mem_eq(buf, image, IMG_SIZE);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_GET_ID, 0, 20), VIRTIO_BLK_S_OK);
	ck_assert_str_eq((char *)gp(DATA), "virtio0");
	ck_assert_uint_eq(request(77, 0, 0), VIRTIO_BLK_S_UNSUPP);
	blk_get_counters(d, &c);
	ck_assert_uint_eq(c.rd_ops, 1);
	ck_assert_uint_eq(c.rd_bytes, 8192);
	ck_assert_uint_eq(c.wr_bytes, 4096);
	ck_assert_uint_eq(c.flush_ops, 1);
	ck_assert_uint_eq(c.unsupp, 1);
	free(buf);
}
END_TEST

/*
 * One doorbell for a read, a write and a read. The image is a file on a
 * disk's file system (not tmpfs), so the ringer does the reads the host's
 * page cache holds; the write is carried to the worker, which does it
 * and the second read: all three answered, in order, counted once.
 */
START_TEST(batch_carries_what_would_wait)
{
	struct virtio_blk_outhdr *h = gp(HDR);
	uint8_t *st = gp(STATUS);
	uint16_t heads[3];
	struct blk_counters c;
	unsigned int i;

	guest_init();
	memset(gp(DATA), 0x33, 4096);
	h[0] = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN, .sector = 8 };
	h[1] = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_OUT, .sector = 0 };
	h[2] = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN, .sector = 0 };
	memset(st, 0xee, 3);
	heads[0] = offer((struct seg[]){ { HDR, 16, false },
		{ DATA + 4096, 4096, true }, { STATUS, 1, true } }, 3);
	heads[1] = offer((struct seg[]){ { HDR + 16, 16, false },
		{ DATA, 4096, false }, { STATUS + 1, 1, true } }, 3);
	heads[2] = offer((struct seg[]){ { HDR + 32, 16, false },
		{ DATA + 8192, 4096, true }, { STATUS + 2, 1, true } }, 3);
	w(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	ck_assert_uint_eq(used()->idx, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(st[i], VIRTIO_BLK_S_OK);
		ck_assert_uint_eq(used()->ring[i].id, heads[i]);
	}
	ck_assert_mem_eq(gp(DATA + 4096), image + 4096, 4096);
	ck_assert_mem_eq(gp(DATA + 8192), gp(DATA), 4096);  /* written first */
	ck_assert(!d->carry);
	blk_get_counters(d, &c);
	ck_assert_uint_eq(c.wr_ops, 1);
	ck_assert_uint_eq(c.rd_ops, 2);
	ck_assert_uint_eq(c.rd_bytes, 8192);
}
END_TEST

/* memvisor's MV_OUT_RELEASE: written like an OUT, then the pages read
 * zero; anything but whole pages is refused before writing. */
START_TEST(release_write_leaves_pages_zero)
{
	uint8_t *buf = malloc(IMG_SIZE), *zero = calloc(1, 8192);
	struct blk_counters c;

	guest_init();
	w(CC(device_feature_select), 0, 4);
	ck_assert(r(CC(device_feature), 4) & (1u << VIRTIO_BLK_F_MV_RELEASE));
	memset(gp(DATA), 0x6b, 8192);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_MV_OUT_RELEASE, 32, 8192),
			  VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gp(DATA), zero, 8192);
	memset(image + 32 * 512, 0x6b, 8192);
	read_image(buf);
	ck_assert_mem_eq(buf, image, IMG_SIZE);
	memset(gp(DATA), 0x6c, 8192);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_MV_OUT_RELEASE, 64, 512),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(*(uint8_t *)gp(DATA), 0x6c);	/* kept */
	read_image(buf);
	ck_assert_mem_eq(buf, image, IMG_SIZE);		/* not written */
	blk_get_counters(d, &c);
	ck_assert_uint_eq(c.released, 8192);
	ck_assert_uint_eq(c.wr_bytes, 8192);
	free(buf);
	free(zero);
}
END_TEST

START_TEST(scatter_gather_and_split_header)
{
	struct virtio_blk_outhdr *h = gp(HDR);
	uint8_t *st = gp(STATUS);
	/* The header in two pieces, the data in three runs. */
	struct seg s[] = {
		{ HDR, 10, false }, { HDR + 10, 6, false },
		{ DATA, 512, true }, { DATA + 0x10000, 1024, true },
		{ DATA + 0x20000, 512, true }, { STATUS, 1, true },
	};

	guest_init();
	*h = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN, .sector = 3 };
	*st = 0xee;
	post(s, 6);
	ck_assert_uint_eq(*st, VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gp(DATA), image + 1536, 512);
	ck_assert_mem_eq(gp(DATA + 0x10000), image + 2048, 1024);
	ck_assert_mem_eq(gp(DATA + 0x20000), image + 3072, 512);
}
END_TEST

START_TEST(out_of_range_and_bad_sizes)
{
	struct blk_counters c;

	guest_init();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMG_SIZE / 512, 512), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, 1024), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, UINT64_MAX, 512), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, UINT64_MAX - 1, 4096), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 100), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(used()->ring[0].len, 1);          /* status only */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, 512), VIRTIO_BLK_S_OK);
	blk_get_counters(d, &c);
	ck_assert_uint_eq(c.ioerr, 5);
}
END_TEST

START_TEST(malformed_chains_dropped)
{
	struct virtio_blk_outhdr *h = gp(HDR);
	uint8_t *st = gp(STATUS);
	struct blk_counters c;

	guest_init();
	*h = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN };
	*st = 0xee;
	/* The header device-writable. */
	post((struct seg[]){ { HDR, 16, true }, { STATUS, 1, true } }, 2);
	/* No status byte: the last descriptor is device-readable. */
	post((struct seg[]){ { HDR, 16, false }, { DATA, 512, false } }, 2);
	/* An IN whose data the device would read. */
	post((struct seg[]){ { HDR, 16, false }, { DATA, 512, false },
			     { STATUS, 1, true } }, 3);
	/* A short header. */
	post((struct seg[]){ { HDR, 8, false }, { STATUS, 1, true } }, 2);
	/* An OUT whose data the device would write. */
	h->type = VIRTIO_BLK_T_OUT;
	post((struct seg[]){ { HDR, 16, false }, { DATA, 512, true },
			     { STATUS, 1, true } }, 3);
	/* A status descriptor of length 0. */
	post((struct seg[]){ { HDR, 16, false }, { STATUS, 0, true } }, 2);
	ck_assert_uint_eq(*st, 0xee);                       /* none answered */
	ck_assert_uint_eq(used()->idx, 6);                  /* all given back */
	ck_assert_uint_eq(used()->ring[5].len, 0);
	blk_get_counters(d, &c);
	ck_assert_uint_eq(c.bad_requests, 6);
	ck_assert_uint_eq(c.rd_ops + c.wr_ops, 0);
}
END_TEST

START_TEST(truncated_image_gives_ioerr)
{
	guest_init();
	ck_assert_int_eq(truncate(path, IMG_SIZE / 2), 0);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 4096), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMG_SIZE / 1024, 512), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMG_SIZE / 1024 - 1, 1024), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, IMG_SIZE / 1024, 512), VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(lseek(d->img.fd, 0, SEEK_END), IMG_SIZE / 2);  /* not regrown */
}
END_TEST

START_TEST(readonly_refuses_writes)
{
	uint8_t *buf = malloc(IMG_SIZE);

	w(CC(device_feature_select), 0, 4);
	ck_assert(r(CC(device_feature), 4) & (1u << VIRTIO_BLK_F_RO));
	guest_init();
	memset(gp(DATA), 0x11, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, 4096), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 4096), VIRTIO_BLK_S_OK);
	read_image(buf);
	ck_assert_mem_eq(buf, image, IMG_SIZE);
	free(buf);
}
END_TEST

START_TEST(query_block_shape)
{
	struct blk b = { .nr = 1, .drive = { d } };
	json_t *l = blk_query_block(&b), *e, *ins;

	ck_assert_uint_eq(json_array_size(l), 1);
	e = json_array_get(l, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "device")), "virtio0");
	ck_assert(json_is_false(json_object_get(e, "removable")));
	ins = json_object_get(e, "inserted");
	ck_assert_str_eq(json_string_value(json_object_get(ins, "file")), path);
	ck_assert_str_eq(json_string_value(json_object_get(ins, "drv")), "raw");
	ck_assert(json_is_false(json_object_get(ins, "ro")));
	ck_assert_int_eq(json_integer_value(json_object_get(
		json_object_get(ins, "image"), "virtual-size")), IMG_SIZE);
	json_decref(l);
}
END_TEST

Suite *blk_suite(void)
{
	Suite *s = suite_create("blk");
	TCase *pure = tcase_create("pure");
	TCase *dev = tcase_create("device");
	TCase *ro = tcase_create("readonly");

	tcase_add_test(pure, drive_options);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, config_space);
	tcase_add_test(dev, read_write_flush);
	tcase_add_test(dev, batch_carries_what_would_wait);
	tcase_add_test(dev, release_write_leaves_pages_zero);
	tcase_add_test(dev, scatter_gather_and_split_header);
	tcase_add_test(dev, out_of_range_and_bad_sizes);
	tcase_add_test(dev, malformed_chains_dropped);
	tcase_add_test(dev, truncated_image_gives_ioerr);
	tcase_add_test(dev, query_block_shape);
	suite_add_tcase(s, dev);
	tcase_add_checked_fixture(ro, setup_ro, teardown);
	tcase_add_test(ro, readonly_refuses_writes);
	suite_add_tcase(s, ro);
	return s;
}
