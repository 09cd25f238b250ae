/*
 * PCI bus 0: configuration mechanism #1, enumeration, BARs, INTx.
 *
 * Configuration space is reached through two ports (abi/pci.h): write
 * enable | bus | device | function | register to 0xcf8, then access 0xcfc
 * (+0..3 for bytes and words). Each access is two VM exits, so the scan
 * reads what drivers need once (ids, class, subsystem, header type,
 * Interrupt Line/Pin, the six BARs) into pci_devs[] and nothing else; BARs
 * are not sized (a driver maps the window its capabilities name).
 *
 * The bus exists only if 00:00.0 answers (QEMU's and memvisor's host
 * bridge, an i440FX); otherwise pci_init() stops after one read, which is
 * all a machine without PCI pays.
 *
 * Firmware assigns resources: SeaBIOS on QEMU, the VMM on memvisor place
 * the BARs and write the chosen ISA IRQ into Interrupt Line. We use them
 * as found and assign nothing; a memory BAR still zero is reported by
 * pci_iomap() (NULL) and the driver gives up on the device.
 *
 * BARs are MMIO in the PCI hole above RAM (or above 4 GiB for 64-bit
 * ones): pci_iomap() maps them uncached into the direct map (ioremap, as
 * the IOAPIC and LAPIC are).
 *
 * INTx: the Interrupt Line is an ISA IRQ; its GSI, and polarity where the
 * MADT has an interrupt source override for it, come from the MADT (QEMU's
 * overrides say level/high for 5, 9, 10, 11); PCI lines are always
 * level-triggered, active high unless an override says otherwise. Lines
 * may be shared: irq_lines[] chains the handlers of each line and calls
 * all of them; every handler checks its own device (virtio: the ISR).
 *
 * Locking: none; pci_init() runs at boot, pci_request_irq() from driver
 * init with the line not yet unmasked.
 */
#include "drivers/pci.h"
#include "abi/pci.h"
#include "arch/x86/io.h"
#include "arch/x86/irq.h"
#include "arch/x86/mmu.h"
#include "drivers/acpi.h"
#include "include/errno.h"
#include "kernel/printk.h"

#define MAX_IRQ_HANDLERS 8

struct irq_line_handler {
	uint8_t gsi;
	pci_irq_handler_t fn;
	void *ctx;
};

static struct pci_dev pci_devs[PCI_MAX_FUNCS];
static unsigned int nr_pci_devs;
static struct irq_line_handler irq_handlers[MAX_IRQ_HANDLERS];
static unsigned int nr_irq_handlers;

static uint32_t conf_read(unsigned int bus, unsigned int dev, unsigned int fn,
			  unsigned int reg)
{
	outl(PCI_CONFIG_ADDRESS(bus, dev, fn, reg), PCI_CONFIG_ADDR_PORT);
	return inl(PCI_CONFIG_DATA_PORT);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned int reg)
{
	return conf_read(d->bus, d->dev, d->fn, reg);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned int reg)
{
	outl(PCI_CONFIG_ADDRESS(d->bus, d->dev, d->fn, reg), PCI_CONFIG_ADDR_PORT);
	return inw(PCI_CONFIG_DATA_PORT + (reg & 2));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned int reg)
{
	outl(PCI_CONFIG_ADDRESS(d->bus, d->dev, d->fn, reg), PCI_CONFIG_ADDR_PORT);
	return inb(PCI_CONFIG_DATA_PORT + (reg & 3));
}

void pci_write16(const struct pci_dev *d, unsigned int reg, uint16_t v)
{
	outl(PCI_CONFIG_ADDRESS(d->bus, d->dev, d->fn, reg), PCI_CONFIG_ADDR_PORT);
	outw(v, PCI_CONFIG_DATA_PORT + (reg & 2));
}

void pci_write32(const struct pci_dev *d, unsigned int reg, uint32_t v)
{
	outl(PCI_CONFIG_ADDRESS(d->bus, d->dev, d->fn, reg), PCI_CONFIG_ADDR_PORT);
	outl(v, PCI_CONFIG_DATA_PORT);
}

/* The six BARs of a type-0 header; a 64-bit BAR fills two slots (the
 * second stays 0). */
static void read_bars(struct pci_dev *d)
{
	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		uint32_t lo = pci_read32(d, PCI_BASE_ADDRESS_0 + 4 * i);

		if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
			d->bar_io[i] = true;
			d->bar[i] = lo & ~3u;
			continue;
		}
		d->bar[i] = lo & PCI_BASE_ADDRESS_MEM_MASK;
		if ((lo & 6) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < PCI_NR_BARS) {
			i++;
			d->bar[i - 1] |= (uint64_t)pci_read32(d,
					PCI_BASE_ADDRESS_0 + 4 * i) << 32;
		}
	}
}

static void add_function(unsigned int dev, unsigned int fn, uint32_t id)
{
	struct pci_dev *d;
	uint32_t v;

	if (nr_pci_devs == PCI_MAX_FUNCS)
		return;
	d = &pci_devs[nr_pci_devs++];
	d->bus = 0;
	d->dev = (uint8_t)dev;
	d->fn = (uint8_t)fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->class = (uint16_t)(pci_read32(d, PCI_REVISION_ID) >> 16);
	if ((pci_read32(d, PCI_HEADER_TYPE & ~3) >> 16 & 0x7f) == 0) {
		v = pci_read32(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsys_vendor = (uint16_t)v;
		d->subsys_id = (uint16_t)(v >> 16);
		v = pci_read32(d, PCI_INTERRUPT_LINE);
		d->irq_line = (uint8_t)v;
		d->irq_pin = (uint8_t)(v >> 8);
		read_bars(d);
	}
	pr_info("pci 0000:00:%02x.%u: [%04x:%04x] class %#06x irq %u\n", dev,
		fn, d->vendor, d->device, d->class, d->irq_pin ? d->irq_line : 0);
}

void pci_init(void)
{
	if ((uint16_t)conf_read(0, 0, 0, PCI_VENDOR_ID) == 0xffff) {
		pr_info("PCI: no host bridge at 00:00.0, no PCI bus\n");
		return;
	}
	for (unsigned int dev = 0; dev < PCI_MAX_DEVICES; dev++) {
		uint32_t id = conf_read(0, dev, 0, PCI_VENDOR_ID);
		unsigned int nfn = 1;

		if ((uint16_t)id == 0xffff)
			continue;
		if (conf_read(0, dev, 0, PCI_HEADER_TYPE & ~3) >> 16 & 0x80)
			nfn = 8;
		for (unsigned int fn = 0; fn < nfn; fn++) {
			if (fn)
				id = conf_read(0, dev, fn, PCI_VENDOR_ID);
			if ((uint16_t)id != 0xffff)
				add_function(dev, fn, id);
		}
	}
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t first, uint16_t last,
			 struct pci_dev *from)
{
	struct pci_dev *d = from ? from + 1 : pci_devs;

	for (; d < pci_devs + nr_pci_devs; d++)
		if (d->vendor == vendor && d->device >= first && d->device <= last)
			return d;
	return NULL;
}

unsigned int pci_find_next_cap(const struct pci_dev *d, unsigned int pos,
			       uint8_t id)
{
	unsigned int ttl = 48;

	if (!pos) {
		if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		pos = pci_read8(d, PCI_CAPABILITY_LIST);
	} else {
		pos = pci_read8(d, pos + 1);
	}
	while (pos >= 0x40 && ttl--) {
		uint16_t hdr;

		pos &= ~3u;
		hdr = pci_read16(d, pos);
		if ((hdr & 0xff) == id)
			return pos;
		pos = hdr >> 8;
	}
	return 0;
}

void pci_enable_device(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	pci_write16(d, PCI_COMMAND, cmd);
}

void *pci_iomap(struct pci_dev *d, unsigned int bar, size_t size)
{
	if (bar >= PCI_NR_BARS || d->bar_io[bar] || !d->bar[bar])
		return NULL;
	/* ioremap maps whole 2 MiB pages: mapping twice is harmless */
	d->bar_va[bar] = ioremap(d->bar[bar], size);
	return d->bar_va[bar];
}

/* Every handler on the line: each checks its own device. */
static void pci_irq_dispatch(void *arg)
{
	uint8_t gsi = (uint8_t)(uintptr_t)arg;

	for (unsigned int i = 0; i < nr_irq_handlers; i++)
		if (irq_handlers[i].gsi == gsi)
			irq_handlers[i].fn(irq_handlers[i].ctx);
}

int pci_request_irq(struct pci_dev *d, pci_irq_handler_t fn, void *ctx)
{
	struct irq_route r;
	bool first = true;
	int err;

	if (!d->irq_pin || d->irq_line == 0 || d->irq_line >= 16)
		return -ENODEV;
	if (nr_irq_handlers == MAX_IRQ_HANDLERS)
		return -ENOSPC;
	acpi_isa_irq_route(d->irq_line, &r);
	for (unsigned int i = 0; i < nr_irq_handlers; i++)
		if (irq_handlers[i].gsi == r.gsi)
			first = false;
	irq_handlers[nr_irq_handlers] = (struct irq_line_handler){
		.gsi = (uint8_t)r.gsi, .fn = fn, .ctx = ctx,
	};
	if (first) {
		/* PCI INTx is level-triggered; active high as the MADT says */
		err = irq_request_gsi(r.gsi, true, r.active_low,
				      pci_irq_dispatch, (void *)(uintptr_t)r.gsi);
		if (err)
			return err;
	}
	nr_irq_handlers++;
	return 0;
}
