/*
 * PCI as host and guest must agree on it: configuration mechanism #1, the
 * type-0 configuration header, capabilities, and the host bridge memvisor
 * shows (QEMU pc's i440FX, so the same guest probes the same bus on both).
 * From the PCI Local Bus Specification 3.0, chapter 6.
 *
 * Interrupts: PCI INTx lines reach the IOAPIC as level-triggered,
 * active-high ISA IRQs, as on QEMU's pc machine (PIIX3 links LNKA..LNKD on
 * IRQs 5, 10, 11; the MADT's interrupt source overrides say level/high).
 * Firmware (SeaBIOS on QEMU, the VMM itself on memvisor) assigns BARs and
 * writes the chosen IRQ into each function's Interrupt Line register; the
 * guest reads both from configuration space.
 */
#ifndef ABI_PCI_H
#define ABI_PCI_H

#include <stdint.h>

/* Configuration mechanism #1: write the address, then access the data. */
#define PCI_CONFIG_ADDR_PORT   0xcf8
#define PCI_CONFIG_DATA_PORT   0xcfc    /* 4 bytes, byte/word at +1..+3 */
#define PCI_CONFIG_ENABLE      0x80000000u
/* The address register: enable | bus << 16 | dev << 11 | fn << 8 | reg. */
#define PCI_CONFIG_ADDRESS(bus, dev, fn, reg) \
	(PCI_CONFIG_ENABLE | (uint32_t)(bus) << 16 | (uint32_t)(dev) << 11 | \
	 (uint32_t)(fn) << 8 | ((uint32_t)(reg) & 0xfc))
#define PCI_MAX_DEVICES        32       /* per bus */
#define PCI_CONFIG_SPACE_SIZE  256

/* Type-0 header offsets. */
#define PCI_VENDOR_ID          0x00     /* 16 bits; 0xffff: no function */
#define PCI_DEVICE_ID          0x02
#define PCI_COMMAND            0x04
#define PCI_STATUS             0x06
#define PCI_REVISION_ID        0x08
#define PCI_CLASS_PROG         0x09
#define PCI_CLASS_DEVICE       0x0a     /* 16 bits: class << 8 | subclass */
#define PCI_HEADER_TYPE        0x0e
#define PCI_BASE_ADDRESS_0     0x10     /* BARs 0..5 at 0x10 + 4 * n */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID       0x2e
#define PCI_CAPABILITY_LIST    0x34
#define PCI_INTERRUPT_LINE     0x3c
#define PCI_INTERRUPT_PIN      0x3d     /* 1 = INTA# */

#define PCI_COMMAND_IO         0x0001
#define PCI_COMMAND_MEMORY     0x0002
#define PCI_COMMAND_MASTER     0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT   0x0008
#define PCI_STATUS_CAP_LIST    0x0010

#define PCI_BASE_ADDRESS_SPACE_IO  0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_BASE_ADDRESS_MEM_MASK  (~0x0full)

#define PCI_CAP_ID_VNDR        0x09     /* vendor specific (virtio's) */
#define PCI_CAP_ID_MSIX        0x11

#define PCI_CLASS_STORAGE_SCSI 0x0100     /* QEMU's virtio-blk-pci */
#define PCI_CLASS_BRIDGE_HOST  0x0600
#define PCI_CLASS_OTHERS       0xff00

/* The host bridge at 00:00.0, as QEMU's pc machine: Intel 440FX. */
#define PCI_VENDOR_INTEL       0x8086
#define PCI_DEVICE_I440FX      0x1237

#endif
