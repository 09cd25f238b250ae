/* The VM's own QMP commands and events (status, size, powerdown, quit). */
#ifndef VMM_VM_QMP_H
#define VMM_VM_QMP_H

#include "vmm/error.h"

struct vm;

/* Create the QMP server on vm->cfg.qmp_path and register the VM commands;
 * other modules register theirs, then vm_qmp_start() starts serving. */
int vm_qmp_init(struct vm *vm, struct errmsg *e);
int vm_qmp_start(struct vm *vm, struct errmsg *e);
/* Emit SHUTDOWN for the reason the VM stopped (call after vCPUs ended). */
void vm_qmp_stopped(struct vm *vm);
void vm_qmp_destroy(struct vm *vm);

#endif
