/*
 * x86-64 4-level page tables as guest/mm builds them: entry format, index
 * helpers, and the walker's interface (pgtable.c).
 *
 * Four levels of 512 eight-byte entries, one 4 KiB page each; Linux's
 * names for the levels:
 *
 *	pgd	PML4	bits 47..39 of the address	512 GiB per entry
 *	pud	PDPT	bits 38..30			1 GiB (PS: 1 GiB page)
 *	pmd	PD	bits 29..21			2 MiB (PS: 2 MiB page)
 *	pte	PT	bits 20..12			4 KiB page
 *
 * Every entry is a pteval_t; pgd_t .. pte_t name the level an entry pointer
 * belongs to, for the reader (they are the same type).  The bit layout is
 * drawn above walk() in pgtable.c.
 *
 * Tables are reached through the direct map (__va of the physical address
 * in the entry), on the host through the stub's simulated memory.
 */
#ifndef GUEST_MM_PGTABLE_H
#define GUEST_MM_PGTABLE_H

#include "mm_arch.h"

typedef uint64_t pteval_t;
typedef pteval_t pgd_t;
typedef pteval_t pud_t;
typedef pteval_t pmd_t;
typedef pteval_t pte_t;

#ifndef PMD_SHIFT
#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PUD_SHIFT	30
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PGDIR_SHIFT	39
#endif
#ifndef DIRECT_MAP_SIZE
#define DIRECT_MAP_SIZE	0x8000000000UL	/* 512 GiB: one PML4 entry */
#endif
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PGDIR_SIZE	(1UL << PGDIR_SHIFT)
#define PTRS_PER_TABLE	512
#define KERNEL_PGD_BOUNDARY 256		/* pgd entries 256..511: kernel */

#define HPAGE_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)	/* 9 */
#define HPAGE_PMD_NR	(1UL << HPAGE_PMD_ORDER)	/* 512 */

/* Levels, as walk() counts them. */
#define PT_LEVEL_PTE	0
#define PT_LEVEL_PMD	1
#define PT_LEVEL_PUD	2
#define PT_LEVEL_PGD	3

/* Entry bits (Linux's _PAGE_* names). */
#define _PAGE_PRESENT	(1UL << 0)	/* P: valid */
#define _PAGE_RW	(1UL << 1)	/* writable */
#define _PAGE_USER	(1UL << 2)	/* US: CPL 3 may access */
#define _PAGE_PWT	(1UL << 3)	/* write-through */
#define _PAGE_PCD	(1UL << 4)	/* cache disable */
#define _PAGE_ACCESSED	(1UL << 5)	/* A: set by the CPU on use */
#define _PAGE_DIRTY	(1UL << 6)	/* D: set by the CPU on write */
#define _PAGE_PSE	(1UL << 7)	/* PS: 2 MiB / 1 GiB leaf (pmd/pud) */
#define _PAGE_GLOBAL	(1UL << 8)	/* G: kept across CR3 loads */
#define _PAGE_NX	(1UL << 63)	/* no execute (EFER.NXE) */

#define PTE_PFN_MASK	0x000ffffffffff000UL	/* table / 4 KiB page */
#define PMD_PFN_MASK	0x000fffffffe00000UL	/* 2 MiB page */
#define PUD_PFN_MASK	0x000fffffc0000000UL	/* 1 GiB page */

/* Non-leaf entries: the leaf decides the access rights. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
			 _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | \
			 _PAGE_DIRTY)

/* _PAGE_NX where the CPU has it, else 0 (set by pgtable_init()). */
extern pteval_t __supported_pte_mask;

static inline unsigned int pt_index(unsigned long va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (PTRS_PER_TABLE - 1);
}

static inline unsigned int pgd_index(unsigned long va)
{
	return pt_index(va, PT_LEVEL_PGD);
}

static inline unsigned int pte_index(unsigned long va)
{
	return pt_index(va, PT_LEVEL_PTE);
}

/* Bytes mapped by one entry of a table at @level. */
static inline unsigned long pt_level_size(int level)
{
	return 1UL << (PAGE_SHIFT + 9 * level);
}

static inline bool pte_present(pteval_t e)
{
	return e & _PAGE_PRESENT;
}

/* A present entry above the PTE level that maps memory itself. */
static inline bool pt_leaf(pteval_t e)
{
	return (e & (_PAGE_PRESENT | _PAGE_PSE)) ==
	       (_PAGE_PRESENT | _PAGE_PSE);
}

/* The table an upper-level entry points to. */
static inline pteval_t *pt_table(pteval_t e)
{
	return (pteval_t *)__va(e & PTE_PFN_MASK);
}

static inline pfn_t pte_pfn(pteval_t e)
{
	return PHYS_PFN(e & PTE_PFN_MASK);
}

static inline pfn_t pmd_pfn(pmd_t e)
{
	return PHYS_PFN(e & PMD_PFN_MASK);
}

/*
 * Swap entries (swapfile.c): a leaf entry with P clear and _PAGE_SWP_MARK
 * set says where its page went.  Linux's swp_entry_t is the same pair
 * (type = which swap device, offset = which 4 KiB slot), kept in a form
 * independent of the PTE layout; swp_entry_to_pte() places it:
 *
 *   63 ..... 52 51 .................... 12 11 10  9  8  7  6 .. 4 3 .. 1 0
 *  +-----------+--------------------------+-----+--+--+--+------+-----+--+
 *  |     0     |   offset (the first slot) |  0  |SW| 0|PS|  0   |type |P0|
 *  +-----------+--------------------------+-----+--+--+--+------+-----+--+
 *
 * SW (_PAGE_SWP_MARK, an ignored bit) tells a swap entry from an empty
 * one even for type 0 / offset 0.  In a PD entry, PS set means a 2 MiB
 * chunk swapped out whole: 512 consecutive slots from offset (Linux's
 * PMD swap entry of a THP).  The CPU ignores every bit but P of a
 * not-present entry, so none of this is ever seen by the MMU.
 */
#define _PAGE_SWP_MARK		(1UL << 9)
#define SWP_TYPE_SHIFT		1
#define SWP_TYPE_BITS		3
#define MAX_SWAPFILES		(1 << SWP_TYPE_BITS)
#define SWP_OFFSET_MASK		((1UL << 40) - 1)

typedef struct {
	unsigned long val;	/* type << 58 | offset */
} swp_entry_t;

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
	swp_entry_t e = { ((unsigned long)type << 58) |
			  (offset & SWP_OFFSET_MASK) };
	return e;
}

static inline unsigned int swp_type(swp_entry_t e)
{
	return (unsigned int)(e.val >> 58);
}

static inline unsigned long swp_offset(swp_entry_t e)
{
	return e.val & SWP_OFFSET_MASK;
}

static inline bool is_swap_pte(pteval_t e)
{
	return (e & (_PAGE_PRESENT | _PAGE_SWP_MARK)) == _PAGE_SWP_MARK;
}

/* A PD entry holding a whole 2 MiB chunk's swap entry. */
static inline bool is_swap_pmd(pmd_t e)
{
	return (e & (_PAGE_PRESENT | _PAGE_SWP_MARK | _PAGE_PSE)) ==
	       (_PAGE_SWP_MARK | _PAGE_PSE);
}

static inline pteval_t swp_entry_to_pte(swp_entry_t e)
{
	return (swp_offset(e) << PAGE_SHIFT) |
	       ((pteval_t)swp_type(e) << SWP_TYPE_SHIFT) | _PAGE_SWP_MARK;
}

static inline pmd_t swp_entry_to_pmd(swp_entry_t e)
{
	return swp_entry_to_pte(e) | _PAGE_PSE;
}

static inline swp_entry_t pte_to_swp_entry(pteval_t e)
{
	return swp_entry((unsigned int)(e >> SWP_TYPE_SHIFT) &
			 (MAX_SWAPFILES - 1), (e & PTE_PFN_MASK) >> PAGE_SHIFT);
}

struct mm_struct;
struct page;

/* ---- pgtable.c (mm->lock held where an mm is passed, unless noted) */
void pgtable_init(void);
pteval_t *walk(struct mm_struct *mm, unsigned long va, int stop, bool alloc,
	       int *level);
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd);
int pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm);
void pgtable_page_free(struct mm_struct *mm, struct page *page);
struct page *pgtable_page_alloc(struct mm_struct *mm);
int follow_phys(struct mm_struct *mm, unsigned long va, phys_addr_t *pa,
		pteval_t *entry);

#endif /* GUEST_MM_PGTABLE_H */
