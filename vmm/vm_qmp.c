/*
 * QMP commands owned by the VM, with QEMU's names and answers:
 * query-status, query-memory-size-summary, system_powerdown (presses the
 * ACPI power button; the guest decides to power off), quit. Events:
 * POWERDOWN when the button is pressed, SHUTDOWN when the VM stops.
 */
#include <errno.h>
#include <string.h>

#include "vmm/qmp.h"
#include "vmm/vm.h"
#include "vmm/vm_qmp.h"

static json_t *qmp_query_status(void *opaque, json_t *args,
				struct qmp_error *err)
{
	struct vm *vm = opaque;
	int running = __atomic_load_n(&vm->stop_reason, __ATOMIC_ACQUIRE) ==
		      VM_RUNNING;

	return json_pack("{s:b, s:b, s:s}", "running", running,
			 "singlestep", 0, "status",
			 running ? "running" : "shutdown");
}

static json_t *qmp_query_mem_summary(void *opaque, json_t *args,
				     struct qmp_error *err)
{
	struct vm *vm = opaque;

	return json_pack("{s:I, s:I}", "base-memory",
			 (json_int_t)vm->cfg.ram_size, "plugged-memory",
			 (json_int_t)vm_plugged_memory(vm));
}

static json_t *qmp_system_powerdown(void *opaque, json_t *args,
				    struct qmp_error *err)
{
	struct vm *vm = opaque;

	if (vm_power_button(vm)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "this machine has no ACPI power button");
		return NULL;
	}
	qmp_emit_event(vm->qmp, "POWERDOWN", NULL);
	return json_object();
}

static json_t *qmp_quit(void *opaque, json_t *args, struct qmp_error *err)
{
	vm_request_stop(opaque, VM_STOP_QUIT, "quit by QMP");
	return json_object();
}

static const struct {
	const char *name;
	qmp_handler_fn fn;
} vm_commands[] = {
	{ "query-status", qmp_query_status },
	{ "query-memory-size-summary", qmp_query_mem_summary },
	{ "system_powerdown", qmp_system_powerdown },
	{ "quit", qmp_quit },
};

int vm_qmp_init(struct vm *vm, struct errmsg *e)
{
	unsigned int i;
	int ret;

	vm->qmp = qmp_server_create(vm->cfg.qmp_path, &ret);
	if (!vm->qmp)
		return errmsg_user(e, ret, "--qmp: cannot listen on %s: %s",
				  vm->cfg.qmp_path, strerror(-ret));
	for (i = 0; i < sizeof(vm_commands) / sizeof(vm_commands[0]); i++) {
		ret = qmp_register(vm->qmp, vm_commands[i].name,
				   vm_commands[i].fn, vm);
		if (ret)
			return errmsg_set(e, ret, "QMP: cannot register %s",
					  vm_commands[i].name);
	}
	return 0;
}

int vm_qmp_start(struct vm *vm, struct errmsg *e)
{
	int ret = qmp_server_start(vm->qmp);

	return ret ? errmsg_set(e, ret, "QMP: cannot start the server") : 0;
}

void vm_qmp_stopped(struct vm *vm)
{
	const char *reason = "guest-shutdown";
	int guest = 1;
	json_t *data;

	if (!vm->qmp)
		return;
	switch (vm->stop_reason) {
	case VM_STOP_QUIT:
		reason = "host-qmp-quit";
		guest = 0;
		break;
	case VM_STOP_PANIC:
		reason = "guest-panic";
		break;
	case VM_STOP_ERROR:
		reason = "guest-reset";
		break;
	default:
		break;
	}
	data = json_pack("{s:b, s:s}", "guest", guest, "reason", reason);
	qmp_emit_event(vm->qmp, "SHUTDOWN", data);
	json_decref(data);
}

void vm_qmp_destroy(struct vm *vm)
{
	if (vm->qmp)
		qmp_server_destroy(vm->qmp);
	vm->qmp = NULL;
}
