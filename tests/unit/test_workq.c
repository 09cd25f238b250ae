/* The core's deferred-work thread (vmm/workq.c). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "vmm/workq.h"

struct counter {
	pthread_mutex_t lock;
	int order[64];
	int n;
};

static struct counter cnt = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0 };

static void push(void *arg)
{
	pthread_mutex_lock(&cnt.lock);
	cnt.order[cnt.n++] = (int)(long)arg;
	pthread_mutex_unlock(&cnt.lock);
}

static void slow_push(void *arg)
{
	usleep(2000);
	push(arg);
}

START_TEST(runs_in_order_and_flushes)
{
	struct workq *wq = workq_create();
	int i;

	ck_assert_ptr_nonnull(wq);
	cnt.n = 0;
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(workq_queue(wq, i % 3 ? push : slow_push,
					     (void *)(long)i), 0);
	workq_flush(wq);
	ck_assert_int_eq(cnt.n, 32);      /* flush waited for all 32 */
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(cnt.order[i], i);
	workq_destroy(wq);
}
END_TEST

START_TEST(destroy_drains)
{
	struct workq *wq = workq_create();
	int i;

	cnt.n = 0;
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(workq_queue(wq, slow_push, (void *)(long)i), 0);
	workq_destroy(wq);                /* runs what is queued, then stops */
	ck_assert_int_eq(cnt.n, 8);
	workq_destroy(NULL);
}
END_TEST

START_TEST(flush_when_idle)
{
	struct workq *wq = workq_create();

	workq_flush(wq);                  /* nothing queued: returns at once */
	workq_destroy(wq);
}
END_TEST

Suite *workq_suite(void)
{
	Suite *s = suite_create("workq");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, runs_in_order_and_flushes);
	tcase_add_test(tc, destroy_drains);
	tcase_add_test(tc, flush_when_idle);
	suite_add_tcase(s, tc);
	return s;
}
