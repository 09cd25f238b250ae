/*
 * The ACPI memory hotplug register block, shared by the host controller
 * (hotplug/) and the guest driver. Layout and semantics are QEMU's
 * (docs/specs/acpi_mem_hotplug.rst): I/O ports base+0x00..0x17, 1-4 byte
 * accesses, the event on GPE0 bit 3. The base port and GPE bit are given to
 * the guest by the DSDT's \_SB.MHPD device and \_GPE._E03; they are fixed
 * here once, for the host's controller and AML and the guest's driver.
 */
#ifndef ABI_MEMHP_H
#define ABI_MEMHP_H

#define MEMHP_IO_BASE         0x0a00  /* QEMU's pc machine */
#define MEMHP_IO_LEN          0x18
#define MEMHP_GPE_BIT         3       /* GPE0 status/enable bit (_E03) */
#define MEMHP_MAX_SLOTS       256     /* as QEMU's interface */

#define MEMHP_REG_ADDR_LO     0x00  /* read */
#define MEMHP_REG_ADDR_HI     0x04  /* read */
#define MEMHP_REG_SIZE_LO     0x08  /* read */
#define MEMHP_REG_SIZE_HI     0x0c  /* read */
#define MEMHP_REG_PXM         0x10  /* read */
#define MEMHP_REG_STATUS      0x14  /* read: byte */
#define MEMHP_REG_SEL         0x00  /* write: slot selector */
#define MEMHP_REG_OST_EVENT   0x04  /* write */
#define MEMHP_REG_OST_STATUS  0x08  /* write */
#define MEMHP_REG_CTRL        0x14  /* write: byte */

#define MEMHP_STS_ENABLED     0x01
#define MEMHP_STS_INSERT      0x02
#define MEMHP_STS_REMOVE      0x04

#define MEMHP_CTRL_CLR_INSERT 0x02
#define MEMHP_CTRL_CLR_REMOVE 0x04
#define MEMHP_CTRL_EJECT      0x08

/* _OST source events and status codes (ACPI 6.x, 6.3.5; Linux's names). */
#define ACPI_NOTIFY_DEVICE_CHECK          0x01
#define ACPI_NOTIFY_EJECT_REQUEST         0x03
#define ACPI_OST_EC_OSPM_EJECT            0x103
#define ACPI_OST_EC_OSPM_INSERTION        0x200
#define ACPI_OST_SC_SUCCESS               0x00
#define ACPI_OST_SC_NON_SPECIFIC_FAILURE  0x01
#define ACPI_OST_SC_UNRECOGNIZED_NOTIFY   0x02
/* for eject requests */
#define ACPI_OST_SC_EJECT_NOT_SUPPORTED   0x80
#define ACPI_OST_SC_DEVICE_IN_USE         0x81
#define ACPI_OST_SC_DEVICE_BUSY           0x82
#define ACPI_OST_SC_EJECT_DEPENDENCY_BUSY 0x83
#define ACPI_OST_SC_EJECT_IN_PROGRESS     0x84
/* for device checks (insertion) */
#define ACPI_OST_SC_INSERT_IN_PROGRESS    0x80
#define ACPI_OST_SC_DRIVER_LOAD_FAILURE   0x81
#define ACPI_OST_SC_INSERT_NOT_SUPPORTED  0x82

#endif
