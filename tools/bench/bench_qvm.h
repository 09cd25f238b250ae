/*
 * A benchmark's VM with its console on pipes and a QMP client: boot it to
 * the guest's prompt, run shell commands and read their output, stop it.
 * Shared by bench hotplug and bench balloon (bench_qvm.c).
 */
#ifndef TOOLS_BENCH_BENCH_QVM_H
#define TOOLS_BENCH_BENCH_QVM_H

#include "tools/bench/bench_internal.h"
#include "tools/qmp/qmp_client.h"
#include "vmm/error.h"

#define BENCH_PROMPT     "\nguest# "
#define BENCH_CON_MAX    (1 << 17)

/* A VM and its console. */
struct bench_qvm {
	struct bench_child ch;
	char con[BENCH_CON_MAX];           /* console output not yet consumed */
	size_t len;
	char sock[64];
	struct qmpc *qmp;
	unsigned int timeout_ms;        /* every wait */
};

/* Start @argv (vm->sock is its QMP socket; vm->ch zeroed with fds -1),
 * wait for the prompt, connect QMP; @timeout_ms bounds every wait.
 * 0 or -errno with @e filled. */
int bench_qvm_boot(struct bench_qvm *vm, const struct bench_argv *argv,
		   unsigned int timeout_ms, struct errmsg *e);
/* Close QMP, kill the VM's process group, remove the socket. */
void bench_qvm_stop(struct bench_qvm *vm);
/* Drop the first @upto bytes of unconsumed console output. */
void bench_qvm_consume(struct bench_qvm *vm, size_t upto);
/* Read the console until @needle: its offset, or -ETIMEDOUT / -EPIPE. */
long bench_qvm_wait(struct bench_qvm *vm, const char *needle, double deadline);
/* Run @line at the prompt; its output (up to the next prompt) in @out. */
int bench_qvm_cmd(struct bench_qvm *vm, const char *line, char *out, size_t size);

#endif
