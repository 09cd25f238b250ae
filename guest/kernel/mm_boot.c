/*
 * Hand-over from bootmem to guest/mm.
 *
 * bootmem knows RAM (from the PVH memory map) and what the kernel reserved
 * (first MiB, image, early allocations, ACPI tables). mm_boot() passes both
 * to guest/mm's memblock -- each RAM range split by SRAT proximity domain
 * (node 0 where the SRAT says nothing) -- then runs mm_init(), after which
 * the buddy allocator owns free memory and bootmem is closed.
 *
 * Known-zero memory: a VMM that guarantees zero-filled RAM says so with
 * the kernel parameter memvisor.zeroed_ram=1 (abi/pvh.h); memvisor adds it
 * to every command line.  Then all RAM except the loader's writes reads as
 * zero: those writes (the image, hvm_start_info, memory map, command line)
 * lie in the first MiB and the image, which bootmem reserves, so every RAM
 * range is added MEMBLOCK_KNOWN_ZERO and guest/mm skips clearing memmaps
 * and free pages.  Without the parameter (QEMU: its firmware uses RAM)
 * nothing is known zero and guest/mm clears what it must.
 *
 * Cost: O(ranges x SRAT entries) here; mm_init's cost is guest/mm's.
 */
#include "mm/mm.h"
#include "kernel/mm_boot.h"
#include "abi/pvh.h"
#include "arch/x86/mm_glue.h"
#include "drivers/acpi.h"
#include "kernel/bootmem.h"
#include "kernel/cmdline.h"
#include "kernel/proc.h"
#include "kernel/string.h"

static unsigned int memblock_flags;

/* Does the last memvisor.zeroed_ram (abi/pvh.h) on the command line say 1? */
static bool boot_ram_is_zeroed(void)
{
	char val[4];

	return cmdline_param(PVH_PARAM_ZEROED_RAM, val, sizeof(val)) &&
	       !strcmp(val, "1");
}

/* Add [base, end) on node @nid, if not empty. */
static void add_part(phys_addr_t base, phys_addr_t end, int nid)
{
	if (base < end)
		memblock_add_node(base, end - base, nid, memblock_flags);
}

/* Add @r split at SRAT boundaries; uncovered parts go to node 0. */
static void add_memory(const struct mem_range *r, void *arg)
{
	phys_addr_t cur = r->base;
	unsigned int i;

	for (i = 0; i < acpi.nr_mem_affinity && cur < r->end; i++) {
		const struct acpi_mem_affinity *a = &acpi.mem_affinity[i];
		phys_addr_t s = MAX(a->base, cur), e = MIN(a->base + a->length, r->end);

		if (s >= e)
			continue;
		add_part(cur, s, 0);
		add_part(s, e, (int)a->node);
		cur = e;
	}
	add_part(cur, r->end, 0);
}

static void add_reserved(const struct mem_range *r, void *arg)
{
	memblock_reserve(r->base, r->end - r->base);
}

/* /proc files from guest/mm's (buf, len) show functions. */
static void show_mm(struct seq_buf *m, int (*show)(char *buf, size_t len))
{
	size_t room = m->size - m->len;
	int n = show(m->buf + m->len, room);

	if (n < 0)
		return;
	if ((size_t)n >= room) {
		m->len = m->size - 1;
		m->overflow = true;
	} else {
		m->len += n;
	}
}

#define MM_PROC_FILE(name)						\
	static void name##_show(struct seq_buf *m)			\
	{								\
		show_mm(m, mm_show_##name);				\
	}								\
	static const struct proc_file name##_file = { "/proc/" #name, name##_show }

MM_PROC_FILE(meminfo);
MM_PROC_FILE(buddyinfo);
MM_PROC_FILE(pagetypeinfo);
MM_PROC_FILE(zoneinfo);
MM_PROC_FILE(vmstat);
MM_PROC_FILE(slabinfo);
MM_PROC_FILE(vmallocinfo);

static const struct proc_file *const mm_files[] = {
	&meminfo_file, &buddyinfo_file, &pagetypeinfo_file, &zoneinfo_file,
	&vmstat_file, &slabinfo_file, &vmallocinfo_file,
};

void mm_boot(void)
{
	unsigned int i;

	if (boot_ram_is_zeroed())
		memblock_flags = MEMBLOCK_KNOWN_ZERO;
	bootmem_for_each_memory(add_memory, NULL);
	bootmem_for_each_reserved(add_reserved, NULL);
	bootmem_retire();
	mm_init();
	mm_arch_use_buddy_for_page_tables();
	for (i = 0; i < ARRAY_SIZE(mm_files); i++)
		proc_register(mm_files[i]);
}
