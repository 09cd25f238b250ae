/*
 * A small QMP client (the other end of vmm/qmp.h), for `memvisor ctl` and
 * `memvisor bench hotplug`: connect to a unix socket, read the greeting,
 * negotiate capabilities, then execute one command at a time, each answer
 * matched by its "id"; events that arrive meanwhile are queued for
 * qmpc_wait_event(). Every wait is bounded: by the client's timeout for
 * answers, by the caller's deadline for events. Works against memvisor and
 * QEMU alike.
 */
#ifndef TOOLS_QMP_QMP_CLIENT_H
#define TOOLS_QMP_QMP_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/error.h"

struct qmpc;

/* Connect to @path and negotiate; @timeout_ms bounds the connect and every
 * later answer. The client, or NULL with @e filled. */
struct qmpc *qmpc_open(const char *path, int64_t timeout_ms, struct errmsg *e);
void qmpc_close(struct qmpc *c);

/*
 * Execute @cmd with @args (stolen; NULL for none). 0 with the "return"
 * value (a new reference) in *@ret if @ret is not NULL; -EREMOTEIO with the
 * VMM's error ("desc") in @e; another -errno for a lost connection or a
 * timeout, with @e saying so.
 */
int qmpc_execute(struct qmpc *c, const char *cmd, json_t *args, json_t **ret,
		 struct errmsg *e);

typedef bool (*qmpc_event_match_fn)(json_t *ev, const void *arg);

/* Wait until an event matches @match, queued or new, up to @deadline_ms
 * (qmpc_now_ms() clock): 1 with it (a new reference) in *@ev, 0 on
 * timeout, -errno if the connection failed. */
int qmpc_wait_event(struct qmpc *c, qmpc_event_match_fn match,
		    const void *arg, int64_t deadline_ms, json_t **ev);

/* Fill @e for a failed wait's @ret (0: timeout) and return an -errno. */
int qmpc_lost(struct errmsg *e, int ret);

/* CLOCK_MONOTONIC in milliseconds, as an integer and with fractions. */
int64_t qmpc_now_ms(void);
double qmpc_now_ms_f(void);

/* The client's answer timeout, in milliseconds. */
int64_t qmpc_timeout_ms(const struct qmpc *c);

#endif
