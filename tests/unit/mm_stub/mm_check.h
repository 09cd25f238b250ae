/*
 * Consistency checks of guest/mm's buddy allocator for the unit tests:
 * walk every free list and per-CPU list and verify the invariants listed
 * in guest/mm/buddy.c, page_alloc.c.
 */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include "guest/mm/mm_internal.h"

struct mm_check_block {
	struct page *page;	/* head of an allocated block */
	unsigned int order;
};

/*
 * Check all zones.  @alloc lists the blocks the caller holds (n of them):
 * they must not overlap each other or free pages, and per zone
 * managed = free + isolated free + pcp + allocated + baseline must hold
 * when @alloc is complete (@exact).  Returns 0, or -1 with a reason in @why.
 */
int mm_check_all(const struct mm_check_block *alloc, size_t n, bool exact,
		 char *why, size_t why_len);

/*
 * Record the pages allocated by others (mm's own slabs) per zone; the
 * exact check of mm_check_all() adds them.  Also runs the checks.
 */
int mm_check_set_baseline(char *why, size_t why_len);

/* Sum of pcp pages over all zones and CPUs. */
unsigned long mm_check_pcp_pages(void);

#endif /* MM_CHECK_H */
