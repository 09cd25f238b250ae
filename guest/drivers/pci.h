/*
 * PCI bus 0 through configuration mechanism #1 (abi/pci.h): enumeration,
 * configuration access, BAR mapping, shared INTx lines.
 */
#ifndef GUEST_DRIVERS_PCI_H
#define GUEST_DRIVERS_PCI_H

#include "include/types.h"

#define PCI_MAX_FUNCS	32		/* functions pci_init() remembers */
#define PCI_NR_BARS	6

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint16_t class;			/* class << 8 | subclass */
	uint8_t irq_line;		/* Interrupt Line (ISA IRQ), 0xff: none */
	uint8_t irq_pin;		/* 1 = INTA#, 0 = none */
	uint64_t bar[PCI_NR_BARS];	/* bus addresses (memory: MEM_MASKed) */
	uint64_t bar_size[PCI_NR_BARS];
	bool bar_io[PCI_NR_BARS];
	void *bar_va[PCI_NR_BARS];	/* pci_iomap()'s mapping, or NULL */
};

typedef void (*pci_irq_handler_t)(void *ctx);

/* Scan bus 0 and log each function. Needs ioapic_init() (mapping) and mm. */
void pci_init(void);
/* The first function after @from (NULL: from the start) with @vendor and
 * a device id in [@first, @last]; NULL if none. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t first, uint16_t last,
			 struct pci_dev *from);

uint8_t pci_read8(const struct pci_dev *d, unsigned int reg);
uint16_t pci_read16(const struct pci_dev *d, unsigned int reg);
uint32_t pci_read32(const struct pci_dev *d, unsigned int reg);
void pci_write16(const struct pci_dev *d, unsigned int reg, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned int reg, uint32_t v);

/* The offset of the capability after @pos (0: the first) whose id is
 * @id; 0 if none. */
unsigned int pci_find_next_cap(const struct pci_dev *d, unsigned int pos,
			       uint8_t id);
/* Memory space, bus mastering, INTx on. */
void pci_enable_device(struct pci_dev *d);
/* Map [0, @size) of memory BAR @bar uncached; its virtual address, NULL
 * if the BAR is not memory or unassigned (zero). */
void *pci_iomap(struct pci_dev *d, unsigned int bar, size_t size);
/* Take the device's INTx line (level, active high, maybe shared): @fn is
 * called on every interrupt of the line and must check its device.
 * 0, -ENODEV (no line), -ENOSPC, or irq_request_gsi()'s error. */
int pci_request_irq(struct pci_dev *d, pci_irq_handler_t fn, void *ctx);

#endif
