/*
 * Guarded reads of guest memory that may vanish under the reader.
 *
 * Why: ksmd reads guest pages in place, through read-only MAP_SHARED
 * mappings of the VMs' memfds, instead of copying each page out with
 * pread (the copies were a quarter of its CPU). A read through a mapping
 * of a hole would allocate the page again (shmem fills a read fault), so
 * ksmd registers those mappings with userfaultfd in MISSING mode with
 * UFFD_FEATURE_SIGBUS: a read of a hole, or past the end of a memfd a VM
 * shrank, raises SIGBUS and allocates nothing. ksmd reads only pages the
 * VM reported as data, so that happens only when a page vanishes between
 * the report and the read (the balloon punched it meanwhile).
 *
 * These helpers do the reads ksmd needs (copy a page into the pool; hash
 * one, for a VM that cannot hash its own pages) with
 * a jump buffer armed: the SIGBUS handler jumps back and the helper fails
 * with -EFAULT. A SIGBUS with no guarded read under way is a bug and kills
 * the process as usual. Without ksm_guard_install (the unit tests, whose
 * pages are arrays) they are plain reads.
 *
 * Cost: sigsetjmp without the signal mask is a few stores, no system call;
 * SA_NODEFER keeps SIGBUS deliverable after a jump out of the handler.
 * Threads: ksmd reads guest memory from its one thread only.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <xxh_x86dispatch.h>

#include "ksm/ksm_internal.h"

static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_armed;

/* The guarded read stays between arming and disarming (volatile orders
 * only volatile accesses; the loads of an inlined memcmp are not). */
#define barrier() __asm__ __volatile__("" ::: "memory")

static void arm(void)
{
	guard_armed = 1;
	barrier();
}

static void disarm(void)
{
	barrier();
	guard_armed = 0;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (guard_armed) {
		guard_armed = 0;
		siglongjmp(guard_env, 1);
	}
	signal(sig, SIG_DFL);           /* not ours: the access faults again */
}

int ksm_guard_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL) ? -errno : 0;
}

int ksm_guard_hash(const void *page, uint64_t *sum)
{
	uint64_t h;

	if (sigsetjmp(guard_env, 0))
		return -EFAULT;
	arm();
	/* libxxhash's XXH3 with the vector unit picked at run time (AVX2 or
	 * AVX-512 where there is one; the same values): plain XXH3_64bits is
	 * the library's SSE2 build, ~0.45 against ~0.15-0.25 us a hot page
	 * here, and ~0.7 against ~0.45 us a cold one */
	h = XXH3_64bits_dispatch(page, KSM_PAGE_SIZE);
	disarm();
	*sum = h;
	return 0;
}

int ksm_guard_copy(void *dst, const void *src)
{
	if (sigsetjmp(guard_env, 0))
		return -EFAULT;
	arm();
	memcpy(dst, src, KSM_PAGE_SIZE);
	disarm();
	return 0;
}
