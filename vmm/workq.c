/*
 * One worker thread and a FIFO of work items (see workq.h).
 *
 * The queue is a singly linked list with a tail pointer, under one mutex;
 * `queued` and `done` count items so that flush can wait for exactly the
 * items queued before it, whatever is queued after. Destroy sets `stopping`,
 * lets the worker drain the list, and joins it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmm/workq.h"

struct work {
	struct work *next;
	work_fn fn;
	void *arg;
};

struct workq {
	pthread_mutex_t lock;
	pthread_cond_t more;            /* an item was queued, or stopping */
	pthread_cond_t progress;        /* an item finished */
	struct work *head, **tail;
	uint64_t queued, done;
	bool stopping;
	pthread_t thread;
};

static void *worker(void *opaque)
{
	struct workq *wq = opaque;
	struct work *w;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		while (!wq->head && !wq->stopping)
			pthread_cond_wait(&wq->more, &wq->lock);
		w = wq->head;
		if (!w)
			break;                  /* stopping, and drained */
		wq->head = w->next;
		if (!wq->head)
			wq->tail = &wq->head;
		pthread_mutex_unlock(&wq->lock);
		w->fn(w->arg);
		free(w);
		pthread_mutex_lock(&wq->lock);
		wq->done++;
		pthread_cond_broadcast(&wq->progress);
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

struct workq *workq_create(void)
{
	struct workq *wq = calloc(1, sizeof(*wq));

	if (!wq)
		return NULL;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->more, NULL);
	pthread_cond_init(&wq->progress, NULL);
	wq->tail = &wq->head;
	if (pthread_create(&wq->thread, NULL, worker, wq)) {
		free(wq);
		return NULL;
	}
	return wq;
}

int workq_queue(struct workq *wq, work_fn fn, void *arg)
{
	struct work *w = malloc(sizeof(*w));
	int ret = 0;

	if (!w)
		return -ENOMEM;
	*w = (struct work){ NULL, fn, arg };
	pthread_mutex_lock(&wq->lock);
	if (wq->stopping) {
		ret = -ESHUTDOWN;
		free(w);
	} else {
		*wq->tail = w;
		wq->tail = &w->next;
		wq->queued++;
		pthread_cond_signal(&wq->more);
	}
	pthread_mutex_unlock(&wq->lock);
	return ret;
}

void workq_flush(struct workq *wq)
{
	uint64_t target;

	pthread_mutex_lock(&wq->lock);
	target = wq->queued;
	while (wq->done < target)
		pthread_cond_wait(&wq->progress, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

void workq_destroy(struct workq *wq)
{
	if (!wq)
		return;
	pthread_mutex_lock(&wq->lock);
	wq->stopping = true;
	pthread_cond_signal(&wq->more);
	pthread_mutex_unlock(&wq->lock);
	pthread_join(wq->thread, NULL);
	pthread_mutex_destroy(&wq->lock);
	pthread_cond_destroy(&wq->more);
	pthread_cond_destroy(&wq->progress);
	free(wq);
}
