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

/*
 * Kernel command-line parameters memvisor adds (the way Firecracker and
 * kvmtool add virtio_mmio.device=...): appended after the user's --cmdline,
 * unless the user's command line already names the parameter, so the
 * user's value always wins.  They are plain, visible kernel parameters
 * (/proc/cmdline), and a guest that does not know them ignores them.  We
 * use the command line, not hvm_start_info.flags: that field's bits are
 * Xen's (SIF_*), and a parameter can be turned off by hand.
 *
 * memvisor.zeroed_ram=1 -- every byte of the memory map's RAM entries
 * (XEN_HVM_MEMMAP_TYPE_RAM) reads as zero at entry, except what the loader
 * wrote there: the kernel's ELF segments, and hvm_start_info, the memory
 * map and the command line (below 1 MiB on memvisor).  memvisor backs RAM
 * with a fresh memfd, so this holds for every boot.  The guest may then
 * skip clearing free RAM and its page descriptors; without the parameter
 * (QEMU, any other VMM), or with any value but 1, it must clear.  Like
 * Linux's parameters, the last occurrence wins.
 */
#define PVH_PARAM_ZEROED_RAM	"memvisor.zeroed_ram"

#endif
