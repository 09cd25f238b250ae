/*
 * The PCI bus: a core service, as the port-I/O and MMIO buses are. The core
 * creates bus 0 with its host bridge (00:00.0, QEMU pc's i440FX) and
 * answers configuration mechanism #1 at 0xcf8/0xcfc (abi/pci.h); devices
 * register PCI functions with it and get a slot, their BARs placed in the
 * MMIO window (vmm/platform.h) as firmware would, the Interrupt Line filled
 * in, and an INTx line they raise with pci_set_irq().
 *
 * BAR accesses reach the device through the MMIO bus (vm->mmio) while the
 * command register's MEMORY bit is set; the guest may size and move BARs.
 */
#ifndef VMM_PCI_H
#define VMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/error.h"

#define PCI_NR_BARS 6

struct pci_bar_desc {
	uint64_t size;              /* power of two >= 16; 0: no BAR */
	bool mem64;                 /* 64-bit memory BAR (uses BAR n+1 too) */
	bool prefetch;
	const struct io_ops *ops;   /* @off relative to the BAR's base */
	void *opaque;
};

struct pci_func_desc {
	const char *name;           /* messages */
	uint16_t vendor_id, device_id;
	uint16_t subsys_vendor_id, subsys_id;
	uint8_t revision;
	uint16_t class_code;        /* class << 8 | subclass */
	uint8_t prog_if;
	bool intx;                  /* uses INTA# */
	struct pci_bar_desc bar[PCI_NR_BARS];
};

struct pci_bus;
struct pci_func;
struct acpi_config;

/* How the bus drives an interrupt line: assert (1) or deassert (0) @gsi;
 * 1 if asserting delivered an interrupt, 0 if not, or -errno. */
typedef int (*pci_irq_fn)(void *opaque, unsigned int gsi, int level);

/*
 * Bus 0 with its host bridge; the config ports are registered on @pio
 * (NULL in tests: use pci_conf_read/write), BARs on @mmio. NULL on
 * failure with @e filled.
 */
struct pci_bus *pci_bus_create(struct bus *pio, struct bus *mmio,
			       pci_irq_fn set_irq, void *irq_opaque,
			       struct errmsg *e);
/* Unmaps every BAR, unregisters the ports, frees the functions. */
void pci_bus_destroy(struct pci_bus *pb);

/* Give @desc the next free slot, place its BARs, map them. NULL with @e
 * filled if the bus or the MMIO window is full or @desc is malformed. */
struct pci_func *pci_register_function(struct pci_bus *pb,
				       const struct pci_func_desc *desc,
				       struct errmsg *e);

/* Append a capability (@cap[0] its id; @cap[1], the next pointer, is
 * filled in) to the function's list, read-only to the guest. Returns its
 * offset in configuration space, or -ENOSPC. Before the guest runs. */
int pci_add_capability(struct pci_func *f, const void *cap, unsigned int len);

/*
 * A capability the device serves (virtio's PCI configuration access window):
 * as pci_add_capability, and the bytes set in @wmask are writable by the
 * guest. Under the bus's configuration lock, @ops->read(@opaque, cap, off,
 * len) runs before a read of @len bytes at @off within the capability
 * returns (it may update the bytes at @cap; @off may be negative when the
 * access starts before it), and @ops->write(...) after such a write has been
 * stored. One per function; the offset, or -errno.
 */
struct pci_cap_ops {
	void (*read)(void *opaque, uint8_t *cap, int off, unsigned int len);
	void (*write)(void *opaque, uint8_t *cap, int off, unsigned int len);
};
int pci_add_capability_hooked(struct pci_func *f, const void *cap,
			      unsigned int len, const uint8_t *wmask,
			      const struct pci_cap_ops *ops, void *opaque);

/* Level of the function's INTx line (INTX_DISABLE and sharing honoured). */
void pci_set_irq(struct pci_func *f, int level);
/* An event on the INTx line: raised, and withdrawn at once if the
 * interrupt controller took the interrupt; else held as pci_set_irq(f, 1)
 * holds it. Status.INTERRUPT reads 1 until pci_set_irq(f, 0) either way. */
void pci_signal_irq(struct pci_func *f);

unsigned int pci_func_slot(const struct pci_func *f);
unsigned int pci_func_gsi(const struct pci_func *f);   /* INTA#'s GSI */
/* The BAR's current guest-physical address (as the guest programmed it). */
uint64_t pci_bar_addr(struct pci_func *f, unsigned int bar);

/* Configuration space of 00:@slot.0, as mechanism #1 reaches it; @len 1,
 * 2 or 4 and @reg aligned to it. Reads of an empty slot give all ones. */
uint32_t pci_conf_read(struct pci_bus *pb, unsigned int slot,
		       unsigned int reg, unsigned int len);
void pci_conf_write(struct pci_bus *pb, unsigned int slot, unsigned int reg,
		    unsigned int len, uint32_t val);

/* \_SB.PCI0 in the DSDT: _CRS (bus 0, I/O, the MMIO window) and _PRT. */
int pci_bus_acpi(struct pci_bus *pb, struct acpi_config *ac, struct errmsg *e);

/* GSI of @slot's pin @pin (0 = INTA#): PIRQ (slot + pin) & 3. Pure. */
unsigned int pci_slot_gsi(unsigned int slot, unsigned int pin);

#endif
