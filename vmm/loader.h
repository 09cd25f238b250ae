/*
 * PVH kernel loader: parses an x86-64 ELF with a XEN_ELFNOTE_PHYS32_ENTRY
 * note, checks that its segments fit in guest RAM, copies them in, and
 * writes hvm_start_info (memory map, command line, RSDP) for the boot vCPU.
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "abi/pvh.h"
#include "vmm/error.h"
#include "vmm/types.h"

#define PVH_MAX_SEGS 16
#define PVH_MAX_KERNEL_SIZE (512ull << 20)

struct pvh_segment {
	gpa_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

struct pvh_image {
	uint32_t entry;                          /* 32-bit physical entry */
	unsigned int nr_segs;
	struct pvh_segment segs[PVH_MAX_SEGS];   /* PT_LOAD, in file order */
};

struct guest_mem;

/* Parse @buf (a whole ELF file). 0, or -ENOEXEC/-EINVAL with @e saying why. */
int pvh_parse_elf(const void *buf, size_t len, struct pvh_image *img,
		  struct errmsg *e);

/* Read @path, parse it, check placement against @mem and copy the segments
 * in. 0 or -errno with @e saying why; guest memory is untouched on error. */
int pvh_load_kernel(struct guest_mem *mem, const char *path,
		    struct pvh_image *img, struct errmsg *e);

/* Write hvm_start_info, the memory map and the command line. */
int pvh_write_start_info(struct guest_mem *mem, const char *cmdline,
			 gpa_t rsdp, struct errmsg *e);

#endif
