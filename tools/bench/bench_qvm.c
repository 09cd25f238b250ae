/*
 * A benchmark's VM driven through its console and QMP (bench_qvm.h): the
 * console is read into a buffer that keeps what is not yet consumed; a
 * command is written, and its output is what comes before the next
 * prompt. Every wait has a deadline.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench_qvm.h"

void bench_qvm_stop(struct bench_qvm *vm)
{
	qmpc_close(vm->qmp);
	vm->qmp = NULL;
	bench_child_stop(&vm->ch);
	unlink(vm->sock);
}

/* Drop the first @upto bytes of unconsumed console output. */
void bench_qvm_consume(struct bench_qvm *vm, size_t upto)
{
	memmove(vm->con, vm->con + upto, vm->len - upto);
	vm->len -= upto;
}

/* Read console output until @needle appears (searched from the start of
 * what is unconsumed): its offset, or -ETIMEDOUT / -EPIPE. */
long bench_qvm_wait(struct bench_qvm *vm, const char *needle, double deadline)
{
	char *hit;
	ssize_t n;

	for (;;) {
		vm->con[vm->len] = '\0';
		hit = strstr(vm->con, needle);
		if (hit)
			return hit - vm->con;
		if (vm->len + 1 >= sizeof(vm->con))     /* keep the newer half */
			bench_qvm_consume(vm, vm->len / 2);
		n = bench_child_read(&vm->ch, vm->con + vm->len,
				     sizeof(vm->con) - 1 - vm->len, deadline);
		if (n < 0)
			return (long)n;
		vm->len += n;
	}
}

/* Run @line at the prompt; its output (up to the next prompt) in @out. */
int bench_qvm_cmd(struct bench_qvm *vm, const char *line, char *out, size_t size)
{
	double deadline = bench_now_ms() + vm->timeout_ms;
	long end;
	int ret;

	bench_qvm_consume(vm, vm->len);
	ret = bench_child_write(&vm->ch, line);
	if (!ret)
		ret = bench_child_write(&vm->ch, "\n");
	if (ret)
		return ret;
	end = bench_qvm_wait(vm, BENCH_PROMPT, deadline);
	if (end < 0)
		return (int)end;
	snprintf(out, size, "%.*s", (int)end, vm->con);
	bench_qvm_consume(vm, end + strlen(BENCH_PROMPT));
	return 0;
}

int bench_qvm_boot(struct bench_qvm *vm, const struct bench_argv *argv,
		   unsigned int timeout_ms, struct errmsg *e)
{
	double deadline = bench_now_ms() + timeout_ms;
	long r;
	int ret = bench_child_start(&vm->ch, argv);

	if (ret)
		return errmsg_set(e, ret, "cannot start %s: %s",
				  argv->n ? argv->v[0] : "the VMM", strerror(-ret));
	vm->len = 0;
	r = bench_qvm_wait(vm, BENCH_READY_LINE, deadline);
	if (r >= 0)
		r = bench_qvm_wait(vm, "guest# ", deadline);
	if (r < 0)
		return errmsg_set(e, (int)r, "the guest did not boot (%s)",
				  r == -EPIPE ? "the VMM exited" : "timeout");
	bench_qvm_consume(vm, vm->len);
	vm->timeout_ms = timeout_ms;
	vm->qmp = qmpc_open(vm->sock, timeout_ms, e);
	return vm->qmp ? 0 : -EIO;
}
