/* vmm/pci.c: mechanism #1, config space masks, BAR sizing and placement,
 * command register, INTx sharing, capabilities, slot GSIs. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "abi/pci.h"
#include "vmm/pci.h"
#include "vmm/platform.h"

static struct bus pio, mmio;
static struct pci_bus *pb;
static int lines[24];
static int raises[24];          /* assertions seen per GSI */
static int takes;               /* the controller takes an assertion */

static int irq_cb(void *opaque, unsigned int gsi, int level)
{
	lines[gsi] = level;
	raises[gsi] += level;
	return level && takes;
}

static void bar_rd(void *o, uint64_t off, void *data, unsigned int len)
{
	memset(data, 0x5a, len);
}

static const struct io_ops bar_ops = { .read = bar_rd };

static const struct pci_func_desc dev = {
	.name = "test", .vendor_id = 0x1af4, .device_id = 0x1045,
	.class_code = PCI_CLASS_OTHERS, .intx = true,
	.bar = { [0] = { .size = 0x1000, .ops = &bar_ops },
		 [4] = { .size = 0x4000, .mem64 = true, .prefetch = true,
			 .ops = &bar_ops } },
};

static void setup(void)
{
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	memset(lines, 0, sizeof(lines));
	memset(raises, 0, sizeof(raises));
	takes = 0;
	pb = pci_bus_create(&pio, &mmio, irq_cb, NULL, NULL);
	ck_assert_ptr_nonnull(pb);
}

static void teardown(void)
{
	pci_bus_destroy(pb);
	ck_assert_uint_eq(pio.nr, 0);
	ck_assert_uint_eq(mmio.nr, 0);
}

static uint32_t port_read(unsigned int slot, unsigned int reg, unsigned int len)
{
	uint32_t a = PCI_CONFIG_ADDRESS(0, slot, 0, reg), v = 0;

	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &a, 4, true);
	bus_dispatch(&pio, PCI_CONFIG_DATA_PORT + (reg & 3), &v, len, false);
	return v;
}

static void port_write(unsigned int slot, unsigned int reg, unsigned int len,
		       uint32_t v)
{
	uint32_t a = PCI_CONFIG_ADDRESS(0, slot, 0, reg);

	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &a, 4, true);
	bus_dispatch(&pio, PCI_CONFIG_DATA_PORT + (reg & 3), &v, len, true);
}

START_TEST(host_bridge_and_empty_slots)
{
	uint32_t a = 0, v;

	ck_assert_uint_eq(port_read(0, PCI_VENDOR_ID, 4), 0x12378086);
	ck_assert_uint_eq(port_read(0, PCI_CLASS_DEVICE, 2), PCI_CLASS_BRIDGE_HOST);
	ck_assert_uint_eq(port_read(0, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(port_read(5, PCI_VENDOR_ID, 2), 0xffff);
	ck_assert_uint_eq(port_read(5, PCI_VENDOR_ID, 4), 0xffffffff);
	/* Byte and word reads at 0xcfd..0xcff. */
	ck_assert_uint_eq(port_read(0, PCI_DEVICE_ID, 2), 0x1237);
	ck_assert_uint_eq(port_read(0, PCI_VENDOR_ID + 1, 1), 0x80);
	/* Enable bit clear: all ones. */
	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &a, 4, true);
	bus_dispatch(&pio, PCI_CONFIG_DATA_PORT, &v, 4, false);
	ck_assert_uint_eq(v, 0xffffffff);
	/* The address register reads back. */
	a = PCI_CONFIG_ADDRESS(0, 3, 0, 0x10);
	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &a, 4, true);
	v = 0;
	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &v, 4, false);
	ck_assert_uint_eq(v, a);
	/* Other buses and functions are empty. */
	a = PCI_CONFIG_ADDRESS(1, 0, 0, 0);
	bus_dispatch(&pio, PCI_CONFIG_ADDR_PORT, &a, 4, true);
	bus_dispatch(&pio, PCI_CONFIG_DATA_PORT, &v, 4, false);
	ck_assert_uint_eq(v, 0xffffffff);
	/* Read-only header: writes change nothing. */
	port_write(0, PCI_VENDOR_ID, 4, 0);
	ck_assert_uint_eq(port_read(0, PCI_VENDOR_ID, 4), 0x12378086);
}
END_TEST

START_TEST(function_gets_slot_bars_irq)
{
	struct pci_func *f = pci_register_function(pb, &dev, NULL);
	unsigned int s;
	uint64_t b0, b4;

	ck_assert_ptr_nonnull(f);
	s = pci_func_slot(f);
	ck_assert_uint_eq(s, 1);
	ck_assert_uint_eq(pci_func_gsi(f), pci_slot_gsi(1, 0));
	ck_assert_uint_eq(port_read(s, PCI_INTERRUPT_LINE, 1), PLAT_PCI_IRQ_LO);
	ck_assert_uint_eq(port_read(s, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(port_read(s, PCI_COMMAND, 2) & 3, 3);
	b0 = pci_bar_addr(f, 0);
	b4 = pci_bar_addr(f, 4);
	ck_assert_uint_ge(b0, PLAT_PCI_MMIO_BASE);
	ck_assert_uint_eq(b0 % 0x1000, 0);
	ck_assert_uint_eq(b4 % 0x4000, 0);
	ck_assert_uint_lt(b4 + 0x4000, PLAT_PCI_MMIO_BASE + PLAT_PCI_MMIO_SIZE + 1);
	ck_assert_uint_eq(port_read(s, 0x10, 4), b0);
	ck_assert_uint_eq(port_read(s, 0x20, 4), (uint32_t)b4 | 0xc);
	ck_assert_uint_eq(port_read(s, 0x24, 4), b4 >> 32);
	ck_assert_uint_eq(port_read(s, 0x14, 4), 0);      /* no BAR 1 */
	ck_assert_uint_eq(mmio.nr, 2);
}
END_TEST

START_TEST(bar_sizing_and_moving)
{
	struct pci_func *f = pci_register_function(pb, &dev, NULL);
	unsigned int s = pci_func_slot(f);
	uint8_t v;

	port_write(s, PCI_COMMAND, 2, 0);                  /* decode off */
	ck_assert_uint_eq(mmio.nr, 0);
	port_write(s, 0x10, 4, 0xffffffff);
	ck_assert_uint_eq(port_read(s, 0x10, 4), 0xfffff000);
	port_write(s, 0x20, 4, 0xffffffff);
	port_write(s, 0x24, 4, 0xffffffff);
	ck_assert_uint_eq(port_read(s, 0x20, 4), 0xffffc00c);
	ck_assert_uint_eq(port_read(s, 0x24, 4), 0xffffffff);
	port_write(s, 0x14, 4, 0xffffffff);                /* no BAR: stays 0 */
	ck_assert_uint_eq(port_read(s, 0x14, 4), 0);
	/* The guest moves the BARs, then enables decoding. */
	port_write(s, 0x10, 4, 0xd0000123);
	port_write(s, 0x20, 4, 0xd0004000);
	port_write(s, 0x24, 4, 0x1);
	ck_assert_uint_eq(pci_bar_addr(f, 0), 0xd0000000);
	ck_assert_uint_eq(pci_bar_addr(f, 4), 0x1d0004000ull);
	port_write(s, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(mmio.nr, 2);
	ck_assert(bus_dispatch(&mmio, 0xd0000010, &v, 1, false));
	ck_assert_uint_eq(v, 0x5a);
	ck_assert(bus_dispatch(&mmio, 0x1d0004000ull, &v, 1, false));
	/* Moving a mapped BAR remaps it. */
	port_write(s, 0x10, 4, 0xd0100000);
	ck_assert(!bus_dispatch(&mmio, 0xd0000010, &v, 1, false));
	ck_assert(bus_dispatch(&mmio, 0xd0100010, &v, 1, false));
}
END_TEST

START_TEST(intx_shared_and_disabled)
{
	struct pci_func *a = pci_register_function(pb, &dev, NULL);
	struct pci_func *c, *b;
	struct pci_func_desc d2 = dev;
	unsigned int gsi;

	memset(d2.bar, 0, sizeof(d2.bar));
	b = pci_register_function(pb, &d2, NULL);           /* slot 2 */
	c = pci_register_function(pb, &d2, NULL);           /* slot 3 */
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(pci_func_gsi(a), PLAT_PCI_IRQ_LO);   /* (1+0)&3 = 1 */
	ck_assert_uint_eq(pci_func_gsi(b), PLAT_PCI_IRQ_HI);   /* 2 */
	ck_assert_uint_eq(pci_func_gsi(c), PLAT_PCI_IRQ_HI);   /* 3 */
	gsi = pci_func_gsi(b);
	pci_set_irq(b, 1);
	pci_set_irq(c, 1);
	ck_assert_int_eq(lines[gsi], 1);
	pci_set_irq(b, 0);
	ck_assert_int_eq(lines[gsi], 1);                    /* c still holds it */
	ck_assert(port_read(3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	port_write(3, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ck_assert_int_eq(lines[gsi], 0);
	ck_assert(port_read(3, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	port_write(3, PCI_COMMAND, 2, 0);
	ck_assert_int_eq(lines[gsi], 1);
	pci_set_irq(c, 0);
	ck_assert_int_eq(lines[gsi], 0);
	/* Interrupt Line is writable, Pin is not. */
	port_write(1, PCI_INTERRUPT_LINE, 1, 5);
	port_write(1, PCI_INTERRUPT_PIN, 1, 3);
	ck_assert_uint_eq(port_read(1, PCI_INTERRUPT_LINE, 1), 5);
	ck_assert_uint_eq(port_read(1, PCI_INTERRUPT_PIN, 1), 1);
}
END_TEST

/* An event is withdrawn once delivered, held while the controller cannot
 * take it, and held by whoever else still asserts the shared line. */
START_TEST(intx_signal_withdrawn_when_taken)
{
	struct pci_func *a = pci_register_function(pb, &dev, NULL);
	struct pci_func_desc d2 = dev;
	struct pci_func *b, *c;
	unsigned int gsi;

	memset(d2.bar, 0, sizeof(d2.bar));
	b = pci_register_function(pb, &d2, NULL);           /* slot 2 */
	c = pci_register_function(pb, &d2, NULL);           /* slot 3 */
	ck_assert_ptr_nonnull(a);
	gsi = pci_func_gsi(b);
	takes = 1;
	pci_signal_irq(b);
	ck_assert_int_eq(raises[gsi], 1);
	ck_assert_int_eq(lines[gsi], 0);                    /* taken: withdrawn */
	ck_assert(port_read(2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	port_write(2, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	port_write(2, PCI_COMMAND, 2, 0);
	ck_assert_int_eq(raises[gsi], 1);                   /* not raised again */
	pci_set_irq(b, 0);
	ck_assert(!(port_read(2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	takes = 0;                                          /* pin in service */
	pci_signal_irq(b);
	ck_assert_int_eq(lines[gsi], 1);                    /* held as a level */
	takes = 1;
	pci_signal_irq(c);                                  /* line already up */
	ck_assert_int_eq(raises[gsi], 2);
	pci_set_irq(b, 0);
	ck_assert_int_eq(lines[gsi], 1);                    /* c holds it */
	pci_set_irq(c, 0);
	ck_assert_int_eq(lines[gsi], 0);
}
END_TEST

START_TEST(capabilities_list)
{
	struct pci_func *f = pci_register_function(pb, &dev, NULL);
	uint8_t c1[6] = { PCI_CAP_ID_VNDR, 0, 6, 1, 2, 3 };
	uint8_t c2[4] = { PCI_CAP_ID_VNDR, 0, 4, 9 };
	int o1 = pci_add_capability(f, c1, sizeof(c1));
	int o2 = pci_add_capability(f, c2, sizeof(c2));
	unsigned int s = pci_func_slot(f);

	ck_assert_int_eq(o1, 0x40);
	ck_assert_int_eq(o2, 0x48);
	ck_assert(port_read(s, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(port_read(s, PCI_CAPABILITY_LIST, 1), 0x40);
	ck_assert_uint_eq(port_read(s, 0x41, 1), 0x48);
	ck_assert_uint_eq(port_read(s, 0x49, 1), 0);
	port_write(s, 0x43, 1, 0x77);                       /* read-only */
	ck_assert_uint_eq(port_read(s, 0x43, 1), 1);
	ck_assert_int_eq(pci_add_capability(f, c1, 250), -ENOSPC);
}
END_TEST

START_TEST(bus_full_and_bad_bars)
{
	struct pci_func_desc d = dev;
	unsigned int i;

	d.bar[0].size = 0x1800;                             /* not a power of 2 */
	ck_assert_ptr_null(pci_register_function(pb, &d, NULL));
	d = dev;
	d.bar[5] = (struct pci_bar_desc){ .size = 0x1000, .mem64 = true, .ops = &bar_ops };
	ck_assert_ptr_null(pci_register_function(pb, &d, NULL));
	d = dev;
	d.bar[0].size = 1ull << 31;                         /* larger than the window */
	ck_assert_ptr_null(pci_register_function(pb, &d, NULL));
	memset(d.bar, 0, sizeof(d.bar));
	for (i = 1; i < PCI_MAX_DEVICES; i++)
		ck_assert_ptr_nonnull(pci_register_function(pb, &d, NULL));
	ck_assert_ptr_null(pci_register_function(pb, &d, NULL));
}
END_TEST

Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, host_bridge_and_empty_slots);
	tcase_add_test(tc, function_gets_slot_bars_irq);
	tcase_add_test(tc, bar_sizing_and_moving);
	tcase_add_test(tc, intx_shared_and_disabled);
	tcase_add_test(tc, intx_signal_withdrawn_when_taken);
	tcase_add_test(tc, capabilities_list);
	tcase_add_test(tc, bus_full_and_bad_bars);
	suite_add_tcase(s, tc);
	return s;
}
