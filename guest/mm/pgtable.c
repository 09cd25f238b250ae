/*
 * Page tables: the 4-level walker, page-table pages, the kernel's address
 * space (init_mm) and its 4 KiB mappings (vmalloc), and new user PML4s.
 *
 * Every address space is a struct mm_struct whose ->pgd is the physical
 * address of its PML4 (what CR3 holds).  init_mm is the kernel's: its pgd is
 * the PML4 the guest kernel booted with (arch_kernel_pgd_phys()).  User
 * PML4s are fresh pages whose upper half (entries 256..511) is a copy of
 * init_mm's.
 *
 * Invariant that makes the copy safe: init_mm's entries 256..511 never
 * change after pgtable_init().  It pre-allocates the PDPT of every PML4
 * slot of the direct map and of the vmalloc window (one slot each: the
 * window is 512 GiB, so one page where Linux's preallocate_vmalloc_pages()
 * needs 64 for 32 TiB); later kernel mappings only fill PDPTs and below,
 * which all PML4s share.  The kernel image's slot is the boot one.  The
 * kernel half holds nothing but these three ranges (memlayout.h), so the
 * list of slots to copy is built from them, not by scanning 256 entries.
 *
 * Page-table pages come from the buddy with GFP_KERNEL | __GFP_ZERO: never
 * from ZONE_MOVABLE (they are not migratable), and free of clearing when
 * the allocator knows them to be zero.  They carry PG_pgtable, count in
 * NR_PAGETABLE (/proc/meminfo PageTables) and in mm->nr_ptes, and are
 * freed only once every entry is clear, so back to the buddy as known
 * zero: the next table costs no clearing either.
 *
 * walk_present_pages() visits every present leaf of a user mm's VMAs (a
 * 2 MiB one as 512 PFNs at once), for what Linux's /proc/PID/pagemap
 * tells (idle page tracking of a task).
 *
 * Locking: mm->lock for a user mm's tables; init_mm.lock for kernel
 * mappings below the PDPTs.  walk() and follow_phys() take no lock;
 * walk_present_pages() takes mm->lock.
 */
#include "mm_internal.h"

struct mm_struct init_mm;		/* the kernel's address space */
pteval_t __supported_pte_mask;		/* _PAGE_NX if the CPU has it */

/* PML4 slots >= 256 present in init_mm, copied into every user pgd. */
static unsigned short kernel_pgd_slots[PTRS_PER_TABLE - KERNEL_PGD_BOUNDARY];
static unsigned int nr_kernel_pgd_slots;

/* A zero page for a table of @mm; NULL when out of memory. */
struct page *pgtable_page_alloc(struct mm_struct *mm)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (unlikely(!page))
		return NULL;
	__SetPagePgtable(page);
	mm->nr_ptes++;
	mod_zone_page_state(page_zone(page), NR_PAGETABLE, 1);
	return page;
}

/* Free a table page of @mm whose entries are all clear. */
void pgtable_page_free(struct mm_struct *mm, struct page *page)
{
	__ClearPagePgtable(page);
	mm->nr_ptes--;
	mod_zone_page_state(page_zone(page), NR_PAGETABLE, -1);
	free_pages_known_zero(page, 0);
}

/*
 * The entry format (Intel SDM vol. 3, 4.5), the same at every level:
 *
 *   63  62..52 51 ............................ 12 11..9 8 7 6 5 4 3 2 1 0
 *  +--+------+---------------------------------+-----+-+-+-+-+-+-+-+-+-+
 *  |NX| avail| physical address of the page    |avail|G|S|D|A|C|W|U|W|P|
 *  |  |      | or of the next-level table      |     | | | | |D|T|S| | |
 *  +--+------+---------------------------------+-----+-+-+-+-+-+-+-+-+-+
 *   P present, W writable (RW), US user, PWT/PCD caching, A accessed,
 *   D dirty (leaves), PS leaf in a PD (2 MiB) or PDPT (1 GiB) entry,
 *   G global (kernel leaves), NX no execute.  A 2 MiB leaf's address is
 *   bits 51..21 (bit 12 is PAT there), a 1 GiB leaf's bits 51..30.
 *
 * A virtual address (48 bits, sign-extended):
 *
 *   47 ...... 39 38 ...... 30 29 ...... 21 20 ...... 12 11 ........ 0
 *  +------------+------------+------------+------------+-------------+
 *  | PML4 index | PDPT index |  PD index  |  PT index  | page offset |
 *  +------------+------------+------------+------------+-------------+
 *
 * Rights are the AND over the levels: table entries of user tables are
 * P|W|US|A|D and the leaf decides; kernel tables are P|W|A|D (no US).
 */

/*
 * Walk @mm's tables towards @va, down to level @stop (PT_LEVEL_PTE: the
 * PTE; PT_LEVEL_PMD: the PD entry).  Returns the entry at @stop, or the
 * huge leaf or 2 MiB swap entry met above it, with its level in *@level.
 * A missing table is allocated if @alloc, else (or if that fails) the
 * result is NULL.
 */
pteval_t *walk(struct mm_struct *mm, unsigned long va, int stop, bool alloc,
	       int *level)
{
	pteval_t *table = __va(mm->pgd);
	int l;

	for (l = PT_LEVEL_PGD; l > stop; l--) {
		pteval_t *e = &table[pt_index(va, l)];

		if (unlikely(!pte_present(*e))) {
			struct page *page;

			if (unlikely(*e & _PAGE_SWP_MARK)) {
				*level = l;	/* a 2 MiB swap entry */
				return e;
			}
			if (!alloc || !(page = pgtable_page_alloc(mm)))
				return NULL;
			*e = page_to_phys(page) | (mm == &init_mm ?
					_KERNPG_TABLE : _PAGE_TABLE);
		} else if (*e & _PAGE_PSE) {
			*level = l;
			return e;
		}
		table = pt_table(*e);
	}
	*level = stop;
	return &table[pt_index(va, stop)];
}

/* The PT under the (non-leaf) PD entry @pmd, allocated if missing. */
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	if (unlikely(!pte_present(*pmd))) {
		struct page *page = pgtable_page_alloc(mm);

		if (!page)
			return NULL;
		*pmd = page_to_phys(page) | _PAGE_TABLE;
	}
	return pt_table(*pmd);
}

/*
 * Translate @va in @mm: 0 and the physical address (and the leaf entry,
 * if @entry) when mapped, -EFAULT when not.  Follows 2 MiB / 1 GiB leaves.
 */
int follow_phys(struct mm_struct *mm, unsigned long va, phys_addr_t *pa,
		pteval_t *entry)
{
	static const pteval_t mask[] = { PTE_PFN_MASK, PMD_PFN_MASK,
					 PUD_PFN_MASK };
	int level;
	pteval_t *e = walk(mm, va, PT_LEVEL_PTE, false, &level);

	if (!e || !pte_present(*e))
		return -EFAULT;
	if (pa)
		*pa = (*e & mask[level]) | (va & (pt_level_size(level) - 1));
	if (entry)
		*entry = *e;
	return 0;
}

/*
 * Give @mm its PML4: a zero page plus init_mm's kernel half.
 * 0 or -ENOMEM.
 */
int pgd_alloc(struct mm_struct *mm)
{
	const pgd_t *kpgd = __va(init_mm.pgd);
	struct page *page = pgtable_page_alloc(mm);
	pgd_t *pgd;

	if (!page)
		return -ENOMEM;
	pgd = page_address(page);
	for (unsigned int i = 0; i < nr_kernel_pgd_slots; i++)
		pgd[kernel_pgd_slots[i]] = kpgd[kernel_pgd_slots[i]];
	mm->pgd = page_to_phys(page);
	return 0;
}

/* Free @mm's PML4; its user half must be empty. */
void pgd_free(struct mm_struct *mm)
{
	pgd_t *pgd = __va(mm->pgd);

	for (unsigned int i = 0; i < nr_kernel_pgd_slots; i++)
		pgd[kernel_pgd_slots[i]] = 0;
	pgtable_page_free(mm, virt_to_page(pgd));
	mm->pgd = 0;
}

/* ------------------------------------------------ kernel mappings */

static pteval_t kernel_prot(unsigned int prot)
{
	pteval_t e = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY |
		     _PAGE_GLOBAL;

	if (prot & MM_PROT_WRITE)
		e |= _PAGE_RW;
	if (!(prot & MM_PROT_EXEC))
		e |= __supported_pte_mask & _PAGE_NX;
	return e;
}

/*
 * Map the kernel page @va (vmalloc window) to @pa with MM_PROT_* @prot:
 * what the arch's arch_map_page() calls.  Tables below the PDPT come from
 * the buddy.  0, -ENOMEM, -EEXIST (mapped), -EINVAL (a huge leaf covers
 * @va, or @va is not a kernel address).
 */
int map_kernel_page(unsigned long va, phys_addr_t pa, unsigned int prot)
{
	pte_t *pte;
	int level, ret = 0;

	if (va < VMALLOC_START || (va & ~PAGE_MASK))
		return -EINVAL;
	spin_lock(&init_mm.lock);
	pte = walk(&init_mm, va, PT_LEVEL_PTE, true, &level);
	if (!pte)
		ret = -ENOMEM;
	else if (level != PT_LEVEL_PTE)
		ret = -EINVAL;
	else if (pte_present(*pte))
		ret = -EEXIST;
	else
		*pte = (pa & PTE_PFN_MASK) | kernel_prot(prot);
	spin_unlock(&init_mm.lock);
	return ret;
}

/* Remove the kernel 4 KiB mapping of @va, if any.  No TLB flush. */
void unmap_kernel_page(unsigned long va)
{
	int level;
	pte_t *pte;

	spin_lock(&init_mm.lock);
	pte = walk(&init_mm, va, PT_LEVEL_PTE, false, &level);
	if (pte && level == PT_LEVEL_PTE)
		*pte = 0;
	spin_unlock(&init_mm.lock);
}

/*
 * Give each PML4 slot of [start, end] in init_mm a PDPT if it has none:
 * one buddy block for all of them, split; the spare pages freed.
 */
static void preallocate_kernel_puds(unsigned long start, unsigned long end)
{
	pgd_t *pgd = __va(init_mm.pgd);
	unsigned int i, nr = 0, order;
	struct page *page;
	phys_addr_t pa;

	for (i = pgd_index(start); i <= pgd_index(end); i++)
		nr += !pte_present(pgd[i]);
	if (!nr)
		return;
	/* Never order 0 at boot: that goes through the per-CPU lists, whose
	 * first refill moves a batch from the buddy (~2k instructions). */
	order = get_order((unsigned long)nr << PAGE_SHIFT) ?: 1;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		mm_panic("pgtable: no memory for kernel PDPTs");
	pa = page_to_phys(page);
	mod_zone_page_state(page_zone(page), NR_PAGETABLE, nr);
	init_mm.nr_ptes += nr;
	for (i = pgd_index(start); i <= pgd_index(end); i++) {
		if (pte_present(pgd[i]))
			continue;
		set_page_count(page, 1);
		__SetPagePgtable(page++);
		pgd[i] = pa | _KERNPG_TABLE;
		pa += PAGE_SIZE;
	}
	for (; nr < (1U << order); nr++) {
		set_page_count(page, 1);
		free_pages_known_zero(page++, 0);
	}
}

/* Append the present PML4 slots of [start, end] to kernel_pgd_slots[]. */
static void note_kernel_pgd_slots(unsigned long start, unsigned long end)
{
	const pgd_t *pgd = __va(init_mm.pgd);

	for (unsigned int i = pgd_index(start); i <= pgd_index(end); i++)
		if (pte_present(pgd[i]))
			kernel_pgd_slots[nr_kernel_pgd_slots++] = (unsigned short)i;
}

/*
 * Boot (from mm_init(), once the buddy works): adopt the kernel's PML4
 * and fix its upper half for good (see the overview).
 */
void pgtable_init(void)
{
	memset(&init_mm, 0, sizeof(init_mm));
	INIT_LIST_HEAD(&init_mm.mmap);
	init_mm.mm_users = 1;
	init_mm.pgd = arch_kernel_pgd_phys();
	__supported_pte_mask = arch_has_nx() ? _PAGE_NX : 0;
	preallocate_kernel_puds(PAGE_OFFSET, PAGE_OFFSET + DIRECT_MAP_SIZE - 1);
	preallocate_kernel_puds(VMALLOC_START, VMALLOC_END);
	nr_kernel_pgd_slots = 0;
	note_kernel_pgd_slots(PAGE_OFFSET, PAGE_OFFSET + DIRECT_MAP_SIZE - 1);
	note_kernel_pgd_slots(VMALLOC_START, VMALLOC_END);
	note_kernel_pgd_slots(__START_KERNEL_map, ~0UL);
}

/* The present leaves of [start, end) (inside one VMA) to @fn. */
static void walk_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end,
		       void (*fn)(pfn_t pfn, unsigned long nr, void *arg),
		       void *arg)
{
	for (unsigned long a = start, next; a < end; a = next) {
		int level;
		pmd_t *pmd = walk(mm, a, PT_LEVEL_PMD, false, &level);

		next = min((a & PMD_MASK) + PMD_SIZE, end);
		if (!pmd || level != PT_LEVEL_PMD || !pte_present(*pmd))
			continue;
		if (pt_leaf(*pmd)) {
			fn(pmd_pfn(*pmd), HPAGE_PMD_NR, arg);
			continue;
		}
		for (unsigned long v = a; v < next; v += PAGE_SIZE) {
			pte_t e = pt_table(*pmd)[pte_index(v)];

			if (pte_present(e))
				fn(pte_pfn(e), 1, arg);
		}
	}
}

void walk_present_pages(struct mm_struct *mm,
			void (*fn)(pfn_t pfn, unsigned long nr, void *arg),
			void *arg)
{
	struct vm_area_struct *vma;

	spin_lock(&mm->lock);
	list_for_each_entry(vma, &mm->mmap, vm_list)
		walk_range(mm, vma->vm_start, vma->vm_end, fn, arg);
	spin_unlock(&mm->lock);
}
