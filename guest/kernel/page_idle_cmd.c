/*
 * The shell's idle page tracking command:
 *
 *   page_idle mark PID
 *	mark every page the task PID has mapped idle
 *	("page_idle: pid 4: marked 16420 pages idle")
 *   page_idle count PID
 *	how many of them are still idle: not accessed since they were
 *	marked ("page_idle: pid 4: 14336 of 16420 pages idle")
 *
 * What a Linux user does with /proc/PID/pagemap and
 * /sys/kernel/mm/page_idle/bitmap, in one command: the task's PFNs
 * (walk_present_pages, the pagemap part) become the bitmap's 64-bit words
 * over the span of PFNs they cover, which guest/mm's page_idle_bitmap_write
 * takes (mark) or which are ANDed with what page_idle_bitmap_read returns
 * (count).  Mark, run the workload, count: the working set is what is no
 * longer idle.
 */
#include "kernel/page_idle_cmd.h"
#include "include/errno.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/task.h"

#define BITS_PER_WORD	64
#define MAX_SPAN_WORDS	(1UL << 20)	/* 64 Mi PFNs: 256 GiB, 8 MiB */

#ifndef ESRCH
#define ESRCH		3
#endif

/* The task's PFNs as bitmap words, from word first_word. */
struct pfn_bitmap {
	pfn_t lo, hi;			/* the span: [lo, hi) */
	unsigned long first_word, nr_words;
	uint64_t *words;
	unsigned long pages;		/* PFNs set */
};

static void pfn_span(pfn_t pfn, unsigned long nr, void *arg)
{
	struct pfn_bitmap *b = arg;

	b->lo = min(b->lo, pfn);
	b->hi = max(b->hi, pfn + nr);
}

static void pfn_set(pfn_t pfn, unsigned long nr, void *arg)
{
	struct pfn_bitmap *b = arg;

	for (unsigned long i = 0; i < nr; i++) {
		unsigned long bit = pfn + i - b->first_word * BITS_PER_WORD;

		if (bit / BITS_PER_WORD >= b->nr_words)
			continue;		/* mapped since the span was taken */
		b->words[bit / BITS_PER_WORD] |= 1UL << (bit % BITS_PER_WORD);
	}
	b->pages += nr;
}

/* @mm's pages as bitmap words.  0, -ENOENT (no pages), -ENOMEM. */
static int task_pfn_bitmap(struct mm_struct *mm, struct pfn_bitmap *b)
{
	*b = (struct pfn_bitmap){ .lo = ~0UL, .hi = 0 };
	walk_present_pages(mm, pfn_span, b);
	if (b->hi <= b->lo)
		return -ENOENT;
	b->first_word = b->lo / BITS_PER_WORD;
	b->nr_words = (b->hi + BITS_PER_WORD - 1) / BITS_PER_WORD -
		      b->first_word;
	if (b->nr_words > MAX_SPAN_WORDS)
		return -ENOMEM;
	b->words = vzalloc(b->nr_words * sizeof(uint64_t));
	if (!b->words)
		return -ENOMEM;
	walk_present_pages(mm, pfn_set, b);
	return 0;
}

/* Pages of @b still idle. */
static unsigned long count_idle(const struct pfn_bitmap *b)
{
	uint64_t idle[BITS_PER_WORD];
	unsigned long n = 0;

	for (unsigned long i = 0; i < b->nr_words; i += BITS_PER_WORD) {
		unsigned long k = min(b->nr_words - i,
				      (unsigned long)BITS_PER_WORD);

		page_idle_bitmap_read(b->first_word + i, idle, k);
		for (unsigned long j = 0; j < k; j++)
			n += hweight64(idle[j] & b->words[i + j]);
	}
	return n;
}

static int cmd_page_idle(int argc, char **argv)
{
	unsigned long long pid;
	struct task_struct *t = NULL;
	struct pfn_bitmap b;
	bool mark;
	int err;

	if (argc != 3 || (strcmp(argv[1], "mark") && strcmp(argv[1], "count")) ||
	    kstrtoull(argv[2], &pid)) {
		shell_printf("usage: page_idle mark|count PID\n");
		return -EINVAL;
	}
	mark = !strcmp(argv[1], "mark");
	if (pid <= 0x7fffffff)
		t = task_find((int)pid);
	if (!t || !t->mm) {
		shell_printf("page_idle: (%s) - No such process\n", argv[2]);
		return -ESRCH;
	}
	err = task_pfn_bitmap(t->mm, &b);
	if (err) {
		shell_printf("page_idle: pid %d: %s\n", t->pid, err == -ENOENT ?
			     "no pages mapped" : "out of memory");
		return err;
	}
	if (mark) {
		page_idle_bitmap_write(b.first_word, b.words, b.nr_words);
		shell_printf("page_idle: pid %d: marked %lu pages idle\n",
			     t->pid, b.pages);
	} else {
		shell_printf("page_idle: pid %d: %lu of %lu pages idle\n",
			     t->pid, count_idle(&b), b.pages);
	}
	vfree(b.words);
	return 0;
}

static const struct shell_cmd page_idle_cmd = {
	"page_idle", cmd_page_idle,
	"page_idle mark|count PID: idle page tracking of a task's pages",
};

void page_idle_cmd_init(void)
{
	shell_register(&page_idle_cmd);
}
