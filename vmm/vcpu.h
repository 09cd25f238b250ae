/* vCPUs: one thread each running KVM_RUN and dispatching its exits. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <stdint.h>

#include "vmm/error.h"

struct vm;

struct vcpu *vcpu_create(struct vm *vm, unsigned int id, struct errmsg *e);
/* Set up the boot vCPU for the PVH entry: 32-bit protected mode, paging
 * off, %ebx = start_info. */
int vcpu_setup_pvh(struct vcpu *vcpu, uint32_t entry, uint32_t start_info,
		   struct errmsg *e);
int vcpu_start(struct vcpu *vcpu);
/* Make the vCPU leave KVM_RUN and its thread end; then join it. */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif
