/*
 * Boot-time kernel page tables.
 *
 * head.S left kernel_pml4 with the image map (slot 511) and a boot-only
 * identity map (slot 0). mmu_init() adds the direct map in slot 273
 * (PAGE_OFFSET) from the memory map and removes slot 0.
 *
 * Direct map: one PDPT (dmap_pdpt, up to 512 GiB). A GiB of physical space
 * gets a single 1 GiB page when the CPU has them (CPUID 0x80000001
 * EDX.26) and either the GiB is the first one (nothing but RAM and legacy
 * holes live there on a PC) or RAM covers all of it; otherwise its RAM is
 * mapped with 2 MiB pages in a page directory. So the work is O(number of
 * 1G/2M entries): for 256 MiB that is 1 entry, or 128 without 1G pages.
 * Page directories come from a static pool in .bss (already zero: the ELF
 * loader clears .bss), then from bootmem (cleared by hand, 4 KiB), then
 * from the allocator guest/mm registers.
 *
 * Device registers (LAPIC, IOAPIC) are mapped uncached (PCD|PWT) in the
 * same direct map, a 2 MiB page each, unless RAM already covers them.
 *
 *   PML4 entry --> PDPT entry --> PD entry (PS: 2 MiB page)
 *                  (PS: 1 GiB page)
 *   63 NX | 51..12 address | 8 G | 7 PS | 4 PCD | 3 PWT | 1 W | 0 P
 */
#include "arch/x86/mmu.h"
#include "arch/x86/cpu.h"
#include "kernel/bootinfo.h"
#include "kernel/bootmem.h"
#include "kernel/bug.h"
#include "kernel/string.h"
#include "include/compiler.h"

#define DMAP_PML4_SLOT   ((PAGE_OFFSET >> PGDIR_SHIFT) & 511)
#define DMAP_STATIC_PDS  4              /* 2 MiB-mapped GiBs without bootmem */
#define PTE_TABLE        (PTE_P | PTE_W)

static uint64_t dmap_pdpt[512] __aligned(PAGE_SIZE);
static uint64_t dmap_pd_pool[DMAP_STATIC_PDS][512] __aligned(PAGE_SIZE);
static unsigned int dmap_pds_used;
static bool gbpages;
static uint64_t page_kernel;            /* P W G, and NX if supported */
static phys_addr_t (*table_alloc)(void);

static uint64_t *table_virt(phys_addr_t pa)
{
	return pa < KERNEL_IMAGE_SIZE ? __va_early(pa) : __va(pa);
}

/* A zeroed page for a page directory. */
static phys_addr_t table_new(void)
{
	phys_addr_t pa;

	if (dmap_pds_used < DMAP_STATIC_PDS)
		return __pa(dmap_pd_pool[dmap_pds_used++]);
	if (table_alloc)
		return table_alloc();
	pa = bootmem_alloc(PAGE_SIZE, PAGE_SIZE);
	BUG_ON(pa >= KERNEL_IMAGE_SIZE);
	memset(__va_early(pa), 0, PAGE_SIZE);
	return pa;
}

/* The PD for GiB @gib, created if needed; NULL if a 1 GiB page maps it. */
static uint64_t *dmap_pd(unsigned int gib)
{
	uint64_t e = dmap_pdpt[gib];
	phys_addr_t pa;

	if (e & PTE_P)
		return (e & PTE_PS) ? NULL : table_virt(e & PTE_ADDR_MASK);
	pa = table_new();
	if (!pa)
		panic("mmu: out of memory for page tables");
	dmap_pdpt[gib] = pa | PTE_TABLE;
	return table_virt(pa);
}

/* Map [start, end), both 2 MiB aligned and inside one GiB, with 2 MiB
 * pages; entries already present are kept. */
static void dmap_fill_2m(phys_addr_t start, phys_addr_t end, uint64_t flags)
{
	uint64_t *pd = dmap_pd(start >> PUD_SHIFT);
	uint64_t *e, *last;

	if (!pd)
		return;
	e = &pd[(start >> PMD_SHIFT) & 511];
	last = e + ((end - start) >> PMD_SHIFT);
	for (flags |= PTE_PS | start; e < last; e++, flags += PMD_SIZE)
		if (!(*e & PTE_P))
			*e = flags;
}

static bool gib_page_ok(phys_addr_t start, phys_addr_t end, unsigned int gib)
{
	phys_addr_t base = (phys_addr_t)gib << PUD_SHIFT;

	if (!gbpages || dmap_pdpt[gib])
		return false;
	return gib == 0 || (start <= base && end >= base + PUD_SIZE);
}

static void dmap_range(phys_addr_t start, phys_addr_t end, uint64_t flags)
{
	phys_addr_t next;
	unsigned int gib;

	start = ALIGN_DOWN(start, PMD_SIZE);
	end = ALIGN_UP(end, PMD_SIZE);
	if (end > DIRECT_MAP_SIZE)
		panic("mmu: phys %#lx beyond the direct map", (unsigned long)end);
	while (start < end) {
		gib = start >> PUD_SHIFT;
		if (!(flags & PTE_PCD) && gib_page_ok(start, end, gib)) {
			dmap_pdpt[gib] = ((phys_addr_t)gib << PUD_SHIFT) | flags | PTE_PS;
			start = (phys_addr_t)(gib + 1) << PUD_SHIFT;
			continue;
		}
		next = MIN(end, (phys_addr_t)(gib + 1) << PUD_SHIFT);
		dmap_fill_2m(start, next, flags);
		start = next;
	}
}

void mmu_map_direct(phys_addr_t start, phys_addr_t end)
{
	dmap_range(start, end, page_kernel);
}

void *ioremap(phys_addr_t pa, size_t size)
{
	dmap_range(pa, pa + size, page_kernel | PTE_PCD | PTE_PWT);
	return __va(pa);
}

void *memremap(phys_addr_t pa, size_t size)
{
	dmap_range(pa, pa + size, page_kernel);
	return __va(pa);
}

void mmu_set_table_allocator(phys_addr_t (*alloc)(void))
{
	table_alloc = alloc;
}

bool mmu_has_gbpages(void)
{
	return gbpages;
}

void mmu_init(void)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);
	const struct boot_memmap_entry *e;

	gbpages = r.edx & CPUID_EXT_GBPAGES;
	page_kernel = PTE_P | PTE_W | PTE_G | (r.edx & CPUID_EXT_NX ? PTE_NX : 0);
	kernel_pml4[DMAP_PML4_SLOT] = __pa(dmap_pdpt) | PTE_TABLE;
	mmu_map_direct(0, PMD_SIZE);    /* legacy area: BIOS data, the RSDP */
	for (e = boot_info.memmap; e < boot_info.memmap + boot_info.nr_memmap; e++)
		if (boot_memmap_is_memory(e))
			mmu_map_direct(e->addr, e->addr + e->size);
	kernel_pml4[0] = 0;             /* drop the boot identity map */
	write_cr3(read_cr3());
}
