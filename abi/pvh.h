/*
 * PVH boot ABI shared by the host loader (vmm/) and the guest kernel.
 *
 * From Xen's public headers (arch/x86/hvm/start_info.h and elfnote.h), which
 * define the PVH entry used by Xen, QEMU, Cloud Hypervisor and Firecracker:
 * the kernel's ELF has a note XEN_ELFNOTE_PHYS32_ENTRY with the 32-bit
 * physical entry address; the VMM enters there in 32-bit protected mode,
 * paging off, with %ebx holding the guest-physical address of a
 * struct hvm_start_info.
 */
#ifndef ABI_PVH_H
#define ABI_PVH_H

#include <stdint.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_NOTE_NAME "Xen"

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

/* Memory map entry types: the e820 values. */
#define XEN_HVM_MEMMAP_TYPE_RAM 1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI 3
#define XEN_HVM_MEMMAP_TYPE_NVS 4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5

struct hvm_start_info {
	uint32_t magic;          /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;        /* 1: memmap fields are valid */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;  /* NUL-terminated ASCII, 0 if none */
	uint64_t rsdp_paddr;     /* 0: scan the BIOS area for "RSD PTR " */
	uint64_t memmap_paddr;   /* array of struct hvm_memmap_table_entry */
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));

#endif
