/* virtio/: the split virtqueue parser (every malformed case) and the
 * virtio-pci transport (features, status, reset, queue setup, ISR). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/pci.h"
#include "virtio/virtio.h"
#include "vmm/pci.h"

/* A fake guest: 1 MiB of RAM at 0, as one region. */
#define RAM_SIZE  0x100000u
#define DESC_GPA  0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA  0x3000u
#define BUF_GPA   0x10000u
#define QSIZE     8

static struct guest_mem mem;
static uint8_t *ram;
static struct virtq vq;
static struct virtq_elem *el;

static void setup(void)
{
	ram = calloc(1, RAM_SIZE);
	memset(&mem, 0, sizeof(mem));
	mem.nr_regions = 1;
	mem.regions[0] = (struct mem_region){ .gpa = 0, .size = RAM_SIZE,
					      .hva = ram, .is_boot_ram = 1 };
	mem.ram_size = RAM_SIZE;
	memset(&vq, 0, sizeof(vq));
	el = malloc(sizeof(*el));
	ck_assert_int_eq(virtq_setup(&vq, &mem, QSIZE, DESC_GPA, AVAIL_GPA,
				     USED_GPA, true), 0);
}

static void teardown(void)
{
	free(ram);
	free(el);
}

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)(ram + DESC_GPA) + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_GPA);
}

static void set_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	*desc(i) = (struct vring_desc){ addr, len, flags, next };
}

static void post(uint16_t head)
{
	avail()->ring[avail()->idx % QSIZE] = head;
	avail()->idx++;
}

START_TEST(setup_checks_rings)
{
	struct virtq q = { 0 };

	ck_assert_int_eq(virtq_setup(&q, &mem, 6, DESC_GPA, AVAIL_GPA, USED_GPA, false), -EINVAL);
	ck_assert_int_eq(virtq_setup(&q, &mem, 0, DESC_GPA, AVAIL_GPA, USED_GPA, false), -EINVAL);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, false), -EINVAL);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, false), -EINVAL);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, false), -EINVAL);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, RAM_SIZE - 64, AVAIL_GPA, USED_GPA, false), -EFAULT);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, DESC_GPA, 0x7ffffffff000ull, USED_GPA, false), -EFAULT);
	ck_assert(!q.ready);
	ck_assert_int_eq(virtq_setup(&q, &mem, 8, DESC_GPA, AVAIL_GPA, USED_GPA, false), 0);
	ck_assert(q.ready);
}
END_TEST

START_TEST(pop_empty_and_simple)
{
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 0);
	set_desc(3, BUF_GPA, 100, VRING_DESC_F_NEXT, 5);
	set_desc(5, BUF_GPA + 0x1000, 200, VRING_DESC_F_WRITE, 0);
	post(3);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 1);
	ck_assert_uint_eq(el->head, 3);
	ck_assert_uint_eq(el->n_out, 1);
	ck_assert_uint_eq(el->n_in, 1);
	ck_assert_ptr_eq(el->seg[0].hva, ram + BUF_GPA);
	ck_assert_uint_eq(el->seg[1].len, 200);
	virtq_push(&vq, el->head, 42);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 0);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 3);
	ck_assert_uint_eq(used()->ring[0].len, 42);
	ck_assert(virtq_should_notify(&vq));
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ck_assert(!virtq_should_notify(&vq));
	ck_assert_uint_eq(vq.stats.popped, 1);
	ck_assert_uint_eq(vq.stats.bad, 0);
}
END_TEST

/* Each malformed request is dropped and counted; the next one still works. */
static void expect_bad(uint16_t head, int want_head_back)
{
	uint64_t before = vq.stats.bad;

	post(head);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), -EINVAL);
	ck_assert_uint_eq(vq.stats.bad, before + 1);
	ck_assert_uint_eq(el->head, want_head_back ? head : VIRTQ_NO_HEAD);
	ck_assert_uint_eq(el->n_out + el->n_in, 0);
	/* A good request after it is served. */
	set_desc(7, BUF_GPA, 16, 0, 0);
	post(7);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 1);
	ck_assert_uint_eq(el->head, 7);
}

START_TEST(bad_head_index)
{
	expect_bad(QSIZE, 0);
	expect_bad(0xffff, 0);
}
END_TEST

START_TEST(bad_next_index)
{
	set_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, QSIZE);
	expect_bad(0, 1);
}
END_TEST

START_TEST(chain_loops)
{
	set_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 16, VRING_DESC_F_NEXT, 0);
	expect_bad(0, 1);
	set_desc(2, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);     /* self loop */
	expect_bad(2, 1);
}
END_TEST

START_TEST(chain_longer_than_queue)
{
	unsigned int i;

	/* Every descriptor chained, the last back to the first: QSIZE + 1 visits. */
	for (i = 0; i < QSIZE; i++)
		set_desc(i, BUF_GPA, 4, VRING_DESC_F_NEXT, (i + 1) % QSIZE);
	expect_bad(0, 1);
}
END_TEST

START_TEST(buffer_outside_ram)
{
	set_desc(0, RAM_SIZE, 16, 0, 0);                    /* just past */
	expect_bad(0, 1);
	set_desc(0, RAM_SIZE - 8, 16, 0, 0);                /* straddles */
	expect_bad(0, 1);
	set_desc(0, 0xfffffffffffffff0ull, 0x20, 0, 0);     /* wraps */
	expect_bad(0, 1);
	set_desc(0, 0x100, 0xffffffffu, 0, 0);              /* too long */
	expect_bad(0, 1);
}
END_TEST

START_TEST(read_after_write)
{
	set_desc(0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 16, 0, 0);
	expect_bad(0, 1);
}
END_TEST

START_TEST(indirect_good)
{
	struct vring_desc *t = (struct vring_desc *)(ram + 0x8000);

	t[0] = (struct vring_desc){ BUF_GPA, 8, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ BUF_GPA + 8, 8, VRING_DESC_F_WRITE, 0 };
	set_desc(4, 0x8000, 2 * sizeof(*t), VRING_DESC_F_INDIRECT, 0);
	post(4);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 1);
	ck_assert_uint_eq(el->head, 4);
	ck_assert_uint_eq(el->n_out, 1);
	ck_assert_uint_eq(el->n_in, 1);
}
END_TEST

START_TEST(indirect_bad)
{
	struct vring_desc *t = (struct vring_desc *)(ram + 0x8000);

	/* Bad table length. */
	set_desc(0, 0x8000, 24, VRING_DESC_F_INDIRECT, 0);
	expect_bad(0, 1);
	set_desc(0, 0x8000, 0, VRING_DESC_F_INDIRECT, 0);
	expect_bad(0, 1);
	/* Table outside RAM. */
	set_desc(0, RAM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	expect_bad(0, 1);
	/* INDIRECT with NEXT. */
	set_desc(0, 0x8000, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	expect_bad(0, 1);
	/* Nested indirect. */
	t[0] = (struct vring_desc){ 0x8000, 16, VRING_DESC_F_INDIRECT, 0 };
	set_desc(0, 0x8000, 16, VRING_DESC_F_INDIRECT, 0);
	expect_bad(0, 1);
	/* Loop inside the table. */
	t[0] = (struct vring_desc){ BUF_GPA, 8, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ BUF_GPA, 8, VRING_DESC_F_NEXT, 0 };
	set_desc(0, 0x8000, 32, VRING_DESC_F_INDIRECT, 0);
	expect_bad(0, 1);
	/* Next beyond the table. */
	t[1] = (struct vring_desc){ BUF_GPA, 8, VRING_DESC_F_NEXT, 2 };
	expect_bad(0, 1);
	/* Not negotiated. */
	vq.indirect = false;
	t[1] = (struct vring_desc){ BUF_GPA, 8, 0, 0 };
	expect_bad(0, 1);
}
END_TEST

START_TEST(avail_index_too_far)
{
	avail()->idx = QSIZE + 1;
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), -EIO);
	ck_assert(vq.broken);
	ck_assert_uint_eq(vq.stats.bad_ring, 1);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 0);      /* until reset */
	virtq_reset(&vq);
	ck_assert(!vq.ready);
	ck_assert_uint_eq(vq.epoch, 1);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 0);
}
END_TEST

START_TEST(used_ring_wraps)
{
	unsigned int i;

	set_desc(0, BUF_GPA, 4, 0, 0);
	for (i = 0; i < 3 * QSIZE; i++) {
		post(0);
		ck_assert_int_eq(virtq_pop(&vq, &mem, el), 1);
		virtq_push(&vq, 0, i);
	}
	ck_assert_uint_eq(used()->idx, 3 * QSIZE);
	ck_assert_uint_eq(used()->ring[(3 * QSIZE - 1) % QSIZE].len, 3 * QSIZE - 1);
}
END_TEST

START_TEST(elem_read_spans_segments)
{
	uint8_t out[12];

	memcpy(ram + BUF_GPA, "abcdef", 6);
	memcpy(ram + BUF_GPA + 0x100, "ghijkl", 6);
	set_desc(0, BUF_GPA, 6, VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA + 0x100, 6, 0, 0);
	post(0);
	ck_assert_int_eq(virtq_pop(&vq, &mem, el), 1);
	ck_assert_uint_eq(virtq_elem_read(el, 0, out, sizeof(out)), 12);
	ck_assert(!memcmp(out, "abcdefghijkl", 12));
	ck_assert_uint_eq(virtq_elem_read(el, 4, out, 4), 4);
	ck_assert(!memcmp(out, "efgh", 4));
	ck_assert_uint_eq(virtq_elem_read(el, 10, out, 8), 2);
}
END_TEST

/* ------------------------------------------------------------ transport */

static struct bus mmio;
static struct pci_bus *pb;
static struct virtio_pci *vp;
static int irq_level;
static int resets, oks, notifies;

static int irq_cb(void *opaque, unsigned int gsi, int level)
{
	irq_level = level;
	return 0;
}

static void dev_notify(void *o, unsigned int q) { notifies++; }
static void dev_reset(void *o) { resets++; }
static void dev_ok(void *o) { oks++; }

static const struct virtio_dev_ops dev_ops = {
	.notify = dev_notify, .reset = dev_reset, .driver_ok = dev_ok,
};

static void tsetup(void)
{
	struct virtio_pci_desc d = {
		.name = "test", .device_type = VIRTIO_ID_BALLOON,
		.class_code = PCI_CLASS_OTHERS,
		.features = 1ull << 1, .num_queues = 2,
		.queue_max = { 16, 16 }, .ops = &dev_ops,
	};

	setup();
	bus_init(&mmio, "mmio");
	pb = pci_bus_create(NULL, &mmio, irq_cb, NULL, NULL);
	ck_assert_ptr_nonnull(pb);
	vp = virtio_pci_create(pb, &mem, &d, NULL);
	ck_assert_ptr_nonnull(vp);
	irq_level = resets = oks = notifies = 0;
}

static void tteardown(void)
{
	virtio_pci_destroy(vp);
	pci_bus_destroy(pb);
	teardown();
}

static void w(uint64_t off, uint64_t v, unsigned int len)
{
	virtio_pci_bar_write(vp, off, &v, len);
}

static uint64_t r(uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	virtio_pci_bar_read(vp, off, &v, len);
	return v;
}

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

START_TEST(pci_identity_and_caps)
{
	unsigned int slot = pci_func_slot(virtio_pci_func(vp)), cap, n = 0;
	unsigned int types = 0, t;

	ck_assert_uint_eq(pci_conf_read(pb, slot, PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(pci_conf_read(pb, slot, PCI_DEVICE_ID, 2), 0x1045);
	ck_assert_uint_eq(pci_conf_read(pb, slot, PCI_REVISION_ID, 1), 1);
	ck_assert(pci_conf_read(pb, slot, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (cap = pci_conf_read(pb, slot, PCI_CAPABILITY_LIST, 1); cap;
	     cap = pci_conf_read(pb, slot, cap + 1, 1)) {
		ck_assert_uint_eq(pci_conf_read(pb, slot, cap, 1), PCI_CAP_ID_VNDR);
		n++;
		t = pci_conf_read(pb, slot, cap + 3, 1);
		types |= 1u << t;
		if (t != VIRTIO_PCI_CAP_PCI_CFG)
			ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 4, 1),
					  VIRTIO_PCI_BAR);
		if (t == VIRTIO_PCI_CAP_NOTIFY_CFG)
			ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 16, 4), 4);
	}
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(types, 0x3e);
}
END_TEST

/* The VIRTIO_PCI_CAP_PCI_CFG window reaches the BAR through configuration
 * space; a window the device cannot serve reads zero and writes nothing. */
START_TEST(pci_cfg_window)
{
	unsigned int slot = pci_func_slot(virtio_pci_func(vp)), cap;

	for (cap = pci_conf_read(pb, slot, PCI_CAPABILITY_LIST, 1); cap;
	     cap = pci_conf_read(pb, slot, cap + 1, 1))
		if (pci_conf_read(pb, slot, cap + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			break;
	ck_assert_uint_ne(cap, 0);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 2, 1), 20);
	/* num_queues, 2 bytes, through the window, as the BAR reads it */
	pci_conf_write(pb, slot, cap + 4, 1, VIRTIO_PCI_BAR);
	pci_conf_write(pb, slot, cap + 8, 4, VIRTIO_PCI_COMMON_OFF + CC(num_queues));
	pci_conf_write(pb, slot, cap + 12, 4, 2);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 16, 2),
			  r(VIRTIO_PCI_COMMON_OFF + CC(num_queues), 2));
	ck_assert_uint_ne(pci_conf_read(pb, slot, cap + 16, 2), 0);
	/* a write: queue_select through the window */
	pci_conf_write(pb, slot, cap + 8, 4, VIRTIO_PCI_COMMON_OFF + CC(queue_select));
	pci_conf_write(pb, slot, cap + 16, 2, 1);
	ck_assert_uint_eq(r(VIRTIO_PCI_COMMON_OFF + CC(queue_select), 2), 1);
	/* windows it cannot serve: another BAR, a bad length, past the BAR */
	pci_conf_write(pb, slot, cap + 4, 1, 0);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 16, 4), 0);
	pci_conf_write(pb, slot, cap + 4, 1, VIRTIO_PCI_BAR);
	pci_conf_write(pb, slot, cap + 12, 4, 3);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 16, 4), 0);
	pci_conf_write(pb, slot, cap + 12, 4, 4);
	pci_conf_write(pb, slot, cap + 8, 4, VIRTIO_PCI_BAR_SIZE);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap + 16, 4), 0);
	/* the capability's id and next pointer stay as they were */
	pci_conf_write(pb, slot, cap, 2, 0);
	ck_assert_uint_eq(pci_conf_read(pb, slot, cap, 1), PCI_CAP_ID_VNDR);
}
END_TEST

START_TEST(features_negotiation)
{
	w(CC(device_feature_select), 0, 4);
	ck_assert_uint_eq(r(CC(device_feature), 4), 1u << 1);
	w(CC(device_feature_select), 1, 4);
	ck_assert_uint_eq(r(CC(device_feature), 4), 1);   /* VERSION_1 */
	w(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	/* Without VERSION_1: FEATURES_OK refused. */
	w(CC(device_status), 0x3 | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert_uint_eq(r(CC(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	/* A feature not offered: refused. */
	w(CC(driver_feature_select), 0, 4);
	w(CC(driver_feature), 1u << 5, 4);
	w(CC(driver_feature_select), 1, 4);
	w(CC(driver_feature), 1, 4);
	w(CC(device_status), 0x3 | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert_uint_eq(r(CC(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	/* A subset with VERSION_1: accepted, then frozen. */
	w(CC(driver_feature_select), 0, 4);
	w(CC(driver_feature), 1u << 1, 4);
	w(CC(device_status), 0x3 | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert_uint_eq(r(CC(device_status), 1), 0xb);
	w(CC(driver_feature), 0, 4);
	virtio_pci_lock(vp);
	ck_assert_uint_eq(__virtio_pci_features(vp), 1ull << 32 | 1u << 1);
	virtio_pci_unlock(vp);
	w(CC(device_status), 0xf, 1);
	ck_assert_int_eq(oks, 1);
	/* Reset clears it all. */
	w(CC(device_status), 0, 1);
	ck_assert_int_eq(resets, 1);
	ck_assert_uint_eq(r(CC(device_status), 1), 0);
	virtio_pci_lock(vp);
	ck_assert_uint_eq(__virtio_pci_features(vp), 0);
	virtio_pci_unlock(vp);
}
END_TEST

static void enable_q0(uint16_t size)
{
	w(CC(queue_select), 0, 2);
	w(CC(queue_size), size, 2);
	w(CC(queue_desc), DESC_GPA, 8);
	w(CC(queue_driver), AVAIL_GPA, 4);
	w(CC(queue_driver) + 4, 0, 4);
	w(CC(queue_device), USED_GPA, 8);
	w(CC(queue_enable), 1, 2);
}

static void driver_ok(void)
{
	w(CC(device_status), 0x3, 1);
	w(CC(driver_feature_select), 1, 4);
	w(CC(driver_feature), 1, 4);
	w(CC(device_status), 0xb, 1);
}

START_TEST(queue_setup_and_reset)
{
	driver_ok();
	w(CC(queue_select), 0, 2);
	ck_assert_uint_eq(r(CC(queue_size), 2), 16);
	ck_assert_uint_eq(r(CC(num_queues), 2), 2);
	ck_assert_uint_eq(r(CC(queue_msix_vector), 2), VIRTIO_MSI_NO_VECTOR);
	w(CC(queue_size), 12, 2);                   /* not a power of 2 */
	ck_assert_uint_eq(r(CC(queue_size), 2), 16);
	w(CC(queue_size), 32, 2);                   /* above the max */
	ck_assert_uint_eq(r(CC(queue_size), 2), 16);
	/* Rings outside RAM: the queue stays disabled. */
	w(CC(queue_desc), RAM_SIZE, 8);
	w(CC(queue_enable), 1, 2);
	ck_assert_uint_eq(r(CC(queue_enable), 2), 0);
	enable_q0(8);
	ck_assert_uint_eq(r(CC(queue_enable), 2), 1);
	ck_assert_uint_eq(r(CC(queue_desc), 8), DESC_GPA);
	ck_assert_uint_eq(r(CC(queue_driver), 8), AVAIL_GPA);
	w(CC(queue_size), 4, 2);                    /* enabled: ignored */
	ck_assert_uint_eq(r(CC(queue_size), 2), 8);
	/* Doorbells before DRIVER_OK are not passed on. */
	w(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	ck_assert_int_eq(notifies, 0);
	w(CC(device_status), 0xf, 1);
	w(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	w(VIRTIO_PCI_NOTIFY_OFF + 4, 1, 2);          /* queue 1: not ready */
	w(VIRTIO_PCI_NOTIFY_OFF + 4 * 7, 7, 2);      /* no such queue */
	ck_assert_int_eq(notifies, 1);
	w(CC(device_status), 0, 1);
	ck_assert_uint_eq(r(CC(queue_enable), 2), 0);
	ck_assert_uint_eq(r(CC(queue_size), 2), 16);
	ck_assert_uint_eq(r(CC(queue_desc), 8), 0);
}
END_TEST

START_TEST(isr_and_intx)
{
	unsigned int slot = pci_func_slot(virtio_pci_func(vp)), gen;

	driver_ok();
	enable_q0(8);
	w(CC(device_status), 0xf, 1);
	gen = r(CC(config_generation), 1);
	virtio_pci_config_changed(vp);
	ck_assert_uint_eq(r(CC(config_generation), 1), (gen + 1) & 0xff);
	ck_assert_int_eq(irq_level, 1);
	ck_assert(pci_conf_read(pb, slot, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	ck_assert_uint_eq(r(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_uint_eq(r(VIRTIO_PCI_ISR_OFF, 1), 0);
	/* A used buffer raises the queue bit. */
	virtio_pci_lock(vp);
	__virtio_pci_notify(vp, 0);
	virtio_pci_unlock(vp);
	ck_assert_int_eq(irq_level, 1);
	/* INTX_DISABLE masks the line, not the ISR. */
	pci_conf_write(pb, slot, PCI_COMMAND, 2,
		       PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	ck_assert_int_eq(irq_level, 0);
	pci_conf_write(pb, slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(r(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(bar_reaches_transport)
{
	unsigned int slot = pci_func_slot(virtio_pci_func(vp));
	uint64_t bar = pci_bar_addr(virtio_pci_func(vp), VIRTIO_PCI_BAR);
	uint16_t v = 0;

	ck_assert_uint_ne(bar, 0);
	ck_assert(bus_dispatch(&mmio, bar + CC(num_queues), &v, 2, false));
	ck_assert_uint_eq(v, 2);
	pci_conf_write(pb, slot, PCI_COMMAND, 2, 0);      /* MEMORY off */
	ck_assert(!bus_dispatch(&mmio, bar + CC(num_queues), &v, 2, false));
}
END_TEST

Suite *virtio_suite(void)
{
	Suite *s = suite_create("virtio");
	TCase *vq_tc = tcase_create("virtqueue");
	TCase *pci_tc = tcase_create("virtio-pci");

	tcase_add_checked_fixture(vq_tc, setup, teardown);
	tcase_add_test(vq_tc, setup_checks_rings);
	tcase_add_test(vq_tc, pop_empty_and_simple);
	tcase_add_test(vq_tc, bad_head_index);
	tcase_add_test(vq_tc, bad_next_index);
	tcase_add_test(vq_tc, chain_loops);
	tcase_add_test(vq_tc, chain_longer_than_queue);
	tcase_add_test(vq_tc, buffer_outside_ram);
	tcase_add_test(vq_tc, read_after_write);
	tcase_add_test(vq_tc, indirect_good);
	tcase_add_test(vq_tc, indirect_bad);
	tcase_add_test(vq_tc, avail_index_too_far);
	tcase_add_test(vq_tc, used_ring_wraps);
	tcase_add_test(vq_tc, elem_read_spans_segments);
	suite_add_tcase(s, vq_tc);
	tcase_add_checked_fixture(pci_tc, tsetup, tteardown);
	tcase_add_test(pci_tc, pci_identity_and_caps);
	tcase_add_test(pci_tc, pci_cfg_window);
	tcase_add_test(pci_tc, features_negotiation);
	tcase_add_test(pci_tc, queue_setup_and_reset);
	tcase_add_test(pci_tc, isr_and_intx);
	tcase_add_test(pci_tc, bar_reaches_transport);
	suite_add_tcase(s, pci_tc);
	return s;
}
