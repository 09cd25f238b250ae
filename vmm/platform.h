/*
 * memvisor's x86-64 platform: where things are in guest-physical space and
 * in I/O space. Host-side only (vmm/ and the device modules); the guest finds
 * all of this through PVH's hvm_start_info and the ACPI tables, never from
 * this file.
 *
 * Guest-physical map:
 *
 *   0x00000000  +--------------------------+
 *               | RAM (low)                |  e820 RAM 0 .. 0x9fc00
 *   0x00006000  |   hvm_start_info, memmap |  (inside low RAM; the guest
 *   0x00007000  |   kernel command line    |   keeps them until parsed)
 *   0x0009fc00  +--------------------------+  reserved (EBDA)
 *   0x000e0000  | ACPI tables, RSDP first  |  e820 ACPI
 *   0x00100000  +--------------------------+
 *               | RAM: kernel image at 1M  |  e820 RAM up to min(mem, 3G)
 *   0xc0000000  +--------------------------+
 *               | PCI hole: the PCI MMIO   |
 *               | window (BARs), then      |
 *   0xfc000000  | IOAPIC 0xfec00000, LAPIC |
 *               | 0xfee00000               |
 *   4 GiB       +--------------------------+
 *               | RAM above 4G (if any)    |
 *               +--------------------------+
 *               | device memory (DIMMs),   |  1 GiB aligned, maxmem - mem
 *               +--------------------------+
 *
 * I/O ports follow QEMU's pc/PIIX4 machine so that the same guest sees the
 * same hardware on both: COM1 0x3f8 (IRQ 4), ACPI PM block 0x600, GPE0 block
 * 0xafe0, memory hotplug 0x0a00 (abi/memhp.h), pvpanic 0x505, SCI on IRQ 9,
 * PCI configuration mechanism #1 at 0xcf8/0xcfc (abi/pci.h), PCI INTx on
 * IRQs 10 and 11.
 */
#ifndef VMM_PLATFORM_H
#define VMM_PLATFORM_H

#include <stdint.h>

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* Guest-physical addresses. */
#define PLAT_START_INFO_GPA   0x6000ull
#define PLAT_MEMMAP_GPA       0x6040ull   /* right after hvm_start_info */
#define PLAT_MEMMAP_MAX       64
#define PLAT_CMDLINE_GPA      0x7000ull
#define PLAT_CMDLINE_MAX      4096
#define PLAT_LOWMEM_END       0x9fc00ull
#define PLAT_ACPI_GPA         0xe0000ull
#define PLAT_ACPI_SIZE        0x20000ull
#define PLAT_HIGHMEM_START    0x100000ull
#define PLAT_PCI_HOLE_START   0xc0000000ull
#define PLAT_4G               0x100000000ull
#define PLAT_IOAPIC_GPA       0xfec00000ull
#define PLAT_LAPIC_GPA        0xfee00000ull
/* Where the VMM, as firmware, places PCI memory BARs (32- and 64-bit). */
#define PLAT_PCI_MMIO_BASE    0xc0000000ull
#define PLAT_PCI_MMIO_SIZE    0x3c000000ull

/* I/O ports. */
#define PLAT_COM1_PORT        0x3f8
#define PLAT_COM1_IRQ         4
#define PLAT_PVPANIC_PORT     0x505
#define PLAT_PM_PORT          0x600       /* PM1a_EVT (4), PM1a_CNT (2), PM_TMR (4) */
#define PLAT_PM1A_EVT_PORT    (PLAT_PM_PORT + 0)
#define PLAT_PM1A_EVT_LEN     4
#define PLAT_PM1A_CNT_PORT    (PLAT_PM_PORT + 4)
#define PLAT_PM1A_CNT_LEN     2
#define PLAT_PM_TMR_PORT      (PLAT_PM_PORT + 8)
#define PLAT_PM_TMR_LEN       4
#define PLAT_GPE0_PORT        0xafe0      /* 2 bytes status, 2 bytes enable */
#define PLAT_GPE0_LEN         4
#define PLAT_SCI_IRQ          9
/* PCI INTx: level-triggered, active-high ISA IRQs, as QEMU pc with SeaBIOS
 * routes LNKA..LNKD (10, 10, 11, 11): slot S's pin P (0 = INTA#) is on
 * PIRQ (S + P) & 3. The MADT overrides both IRQs to level/high. */
#define PLAT_PCI_IRQ_LO       10
#define PLAT_PCI_IRQ_HI       11

/* Value of SLP_TYP for S5 (the DSDT's \_S5 package), as on QEMU's PIIX4. */
#define PLAT_SLP_TYP_S5       0


#endif
