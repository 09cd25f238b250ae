/*
 * The deferred-work thread the core offers devices: work that must not run
 * on a vCPU thread (it would stall the guest in the middle of a port access)
 * or under a device's lock — releasing host memory, delivering events,
 * anything slow. Items run one at a time, in the order queued, on one
 * thread per VM.
 */
#ifndef VMM_WORKQ_H
#define VMM_WORKQ_H

typedef void (*work_fn)(void *arg);

struct workq;

/* Start the thread. NULL on failure (out of memory, no thread). */
struct workq *workq_create(void);
/* Queue @fn(@arg); 0 or -ENOMEM, or -ESHUTDOWN once destroy has begun. */
int workq_queue(struct workq *wq, work_fn fn, void *arg);
/* Wait until everything queued before this call has run. */
void workq_flush(struct workq *wq);
/* Run what is queued, stop the thread, free. NULL is a no-op. */
void workq_destroy(struct workq *wq);

#endif
