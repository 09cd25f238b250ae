/*
 * In-guest benchmarks, timed with the TSC (kernel/tsc.c; the first run
 * calibrates it against the PIT, 100 ms).
 *
 *	bench mm	ns per operation of the memory manager's hot paths:
 *			alloc_pages+__free_pages at orders 0, 3 and 9,
 *			kmalloc(64)+kfree, vmalloc(64 KiB)+vfree, and one
 *			anonymous fault through handle_mm_fault() for each
 *			chunk size (4 KiB, 64 KiB, 2 MiB) in a scratch mm.
 *			The fault rows are the kernel's software path
 *			including any clearing (known-zero blocks skip it),
 *			not the exception entry; a hog's fill time shows
 *			the whole round trip.
 *	bench syscall	the sysbench user program: getpid() through SYSCALL
 *			and through int $0x80.
 *
 * Runs are counted per row; a row stops early if memory runs out and
 * says how many runs it managed.  Here ring 0 is emulated: a row's ns are
 * mostly instructions x 0.55 us; QEMU TCG and real hardware differ.
 */
#include "kernel/bench.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/string.h"
#include "kernel/tsc.h"

#define SZ_64K	(64UL << 10)

struct bench_row {
	const char *name;
	unsigned long runs;		/* wanted; then done */
	uint64_t cycles;		/* for all runs done */
};

static void bench_pages(struct bench_row *r, unsigned int order)
{
	uint64_t t0 = rdtsc();
	unsigned long i;

	for (i = 0; i < r->runs; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, order);

		if (!page)
			break;
		__free_pages(page, order);
	}
	r->cycles = rdtsc() - t0;
	r->runs = i;
}

static void bench_kmalloc(struct bench_row *r)
{
	uint64_t t0 = rdtsc();
	unsigned long i;

	for (i = 0; i < r->runs; i++) {
		void *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			break;
		kfree(p);
	}
	r->cycles = rdtsc() - t0;
	r->runs = i;
}

static void bench_vmalloc(struct bench_row *r)
{
	uint64_t t0 = rdtsc();
	unsigned long i;

	for (i = 0; i < r->runs; i++) {
		void *p = vmalloc(SZ_64K);

		if (!p)
			break;
		vfree(p);
	}
	r->cycles = rdtsc() - t0;
	r->runs = i;
}

/*
 * A scratch mapping in a new mm whose faults take the @chunk path:
 * 4 KiB: marked VM_NOHUGEPAGE (what madvise(MADV_NOHUGEPAGE) does);
 * 64 KiB: shorter than 2 MiB, so no 2 MiB chunk fits; 2 MiB: a multiple
 * of 2 MiB, which do_mmap() aligns.  0 and *@addr, or -ENOMEM.
 */
static int fault_mapping(struct mm_struct *mm, unsigned long chunk,
			 unsigned long *runs, unsigned long *addr)
{
	unsigned long len = chunk * *runs;
	int err;

	if (chunk == SZ_64K) {
		len = min(len, PMD_SIZE - SZ_64K);
		*runs = len / chunk;
	}
	err = do_mmap(mm, 0, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, addr);
	if (!err && chunk == PAGE_SIZE)
		find_vma(mm, *addr)->vm_flags |= VM_NOHUGEPAGE;
	return err;
}

static void bench_fault(struct bench_row *r, unsigned long chunk)
{
	struct mm_struct *mm = mm_alloc();
	unsigned long i = 0, addr;
	uint64_t t0;

	r->cycles = 0;
	if (mm && !fault_mapping(mm, chunk, &r->runs, &addr)) {
		t0 = rdtsc();
		for (; i < r->runs; i++)
			if (handle_mm_fault(mm, addr + i * chunk,
					    FAULT_FLAG_WRITE | FAULT_FLAG_USER))
				break;
		r->cycles = rdtsc() - t0;
	}
	r->runs = i;
	if (mm)
		mmput(mm, NULL);
}

static void bench_print(const struct bench_row *r)
{
	uint64_t ns = r->runs ? tsc_cycles_to_ns(r->cycles) / r->runs : 0;

	shell_printf("%-34s %10lu %8lu\n", r->name, (unsigned long)ns,
		     r->runs);
}

static int bench_mm(void)
{
	struct bench_row rows[] = {
		{ "alloc_pages+free order 0", 1000, 0 },
		{ "alloc_pages+free order 3", 500, 0 },
		{ "alloc_pages+free order 9", 100, 0 },
		{ "kmalloc(64)+kfree", 1000, 0 },
		{ "vmalloc(64K)+vfree", 100, 0 },
		{ "page fault 4K (handle_mm_fault)", 256, 0 },
		{ "page fault 64K chunk", 31, 0 },
		{ "page fault 2M chunk", 8, 0 },
	};
	uint64_t khz = tsc_khz();

	bench_pages(&rows[0], 0);
	bench_pages(&rows[1], 3);
	bench_pages(&rows[2], 9);
	bench_kmalloc(&rows[3]);
	bench_vmalloc(&rows[4]);
	bench_fault(&rows[5], PAGE_SIZE);
	bench_fault(&rows[6], SZ_64K);
	bench_fault(&rows[7], PMD_SIZE);
	shell_printf("bench mm: TSC %lu.%03lu MHz\n", (unsigned long)(khz / 1000),
		     (unsigned long)(khz % 1000));
	shell_printf("%-34s %10s %8s\n", "operation", "ns/op", "runs");
	for (unsigned int i = 0; i < ARRAY_SIZE(rows); i++)
		bench_print(&rows[i]);
	return 0;
}

static bool task_gone(int pid)
{
	return !task_find(pid);
}

static int bench_syscall(void)
{
	struct user_task_args a = {
		.comm = "sysbench", .entry = sysbench_main,
		.arg = { 1000, 0, 0 }, .waiter = current,
	};
	int pid;

	tsc_khz();			/* calibrate outside the timed loops */
	pid = task_create_user(&a);
	if (pid < 0) {
		shell_printf("bench: cannot start a task: out of memory\n");
		return pid;
	}
	wait_event(task_gone(pid));
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "mm"))
		return bench_mm();
	if (argc == 2 && !strcmp(argv[1], "syscall"))
		return bench_syscall();
	shell_printf("usage: bench mm|syscall\n");
	return -EINVAL;
}

static const struct shell_cmd bench_cmd = {
	"bench", cmd_bench, "bench mm|syscall: ns per operation"
};

void bench_init(void)
{
	shell_register(&bench_cmd);
}
