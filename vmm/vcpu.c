/*
 * vCPU threads.
 *
 * Each vCPU has its KVM fd, the shared kvm_run page mapped from it, and a
 * thread that loops on KVM_RUN and hands port I/O and MMIO exits to the VM's
 * buses. With the in-kernel irqchip, HLT, the LAPIC, the IOAPIC and the PIT
 * never exit to us; application processors wait in the kernel for INIT/SIPI.
 *
 * Stopping: vcpu_kick() sets kvm_run->immediate_exit and sends SIGUSR1 to
 * the thread, so a KVM_RUN in progress returns EINTR and one about to start
 * returns at once; the thread then sees the VM's stop reason and ends.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
};

static int set_cpuid(struct vcpu *vcpu, struct errmsg *e)
{
	const int max = 256;
	struct kvm_cpuid2 *cpuid;
	int i, ret = 0;

	cpuid = calloc(1, sizeof(*cpuid) + max * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return errmsg_set(e, -ENOMEM, "out of memory");
	cpuid->nent = max;
	if (ioctl(vcpu->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		ret = errmsg_set(e, -errno, "KVM_GET_SUPPORTED_CPUID: %s",
				 strerror(errno));
		goto out;
	}
	for (i = 0; i < (int)cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *ent = &cpuid->entries[i];

		if (ent->function == 1) {
			/* Initial APIC id and logical processor count. */
			ent->ebx &= 0x0000ffff;
			ent->ebx |= vcpu->id << 24;
			ent->ebx |= (vcpu->vm->nr_vcpus & 0xff) << 16;
		} else if (ent->function == 0xb || ent->function == 0x1f) {
			ent->edx = vcpu->id;   /* x2APIC id */
		}
	}
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		ret = errmsg_set(e, -errno, "KVM_SET_CPUID2: %s", strerror(errno));
out:
	free(cpuid);
	return ret;
}

struct vcpu *vcpu_create(struct vm *vm, unsigned int id, struct errmsg *e)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));

	if (!vcpu) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		errmsg_set(e, -errno, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		goto err_free;
	}
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		errmsg_set(e, -errno, "mmap kvm_run: %s", strerror(errno));
		goto err_close;
	}
	if (set_cpuid(vcpu, e))
		goto err_unmap;
	return vcpu;
err_unmap:
	munmap(vcpu->run, vm->run_size);
err_close:
	close(vcpu->fd);
err_free:
	free(vcpu);
	return NULL;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

int vcpu_setup_pvh(struct vcpu *vcpu, uint32_t entry, uint32_t start_info,
		   struct errmsg *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return errmsg_set(e, -errno, "KVM_GET_SREGS: %s", strerror(errno));
	/* PVH: flat 32-bit code and data, paging off, TR a 32-bit TSS. */
	flat_segment(&sregs.cs, 0x10, 0xb);
	flat_segment(&sregs.ds, 0x18, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = 0x20,
					 .type = 0xb, .present = 1, .s = 0 };
	sregs.cr0 = 0x11;   /* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return errmsg_set(e, -errno, "KVM_SET_SREGS: %s", strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rbx = start_info;
	regs.rflags = 0x2;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return errmsg_set(e, -errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	for (i = 0; i < run->io.count; i++, data += run->io.size)
		bus_dispatch(&vcpu->vm->pio, run->io.port, data, run->io.size,
			     run->io.direction == KVM_EXIT_IO_OUT);
}

static void report_fatal(struct vcpu *vcpu, const char *what)
{
	struct kvm_regs regs;
	unsigned long long rip = 0;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		rip = regs.rip;
	vm_request_stop(vcpu->vm, VM_STOP_ERROR, "vCPU %u: %s (RIP 0x%llx)",
			vcpu->id, what, rip);
}

/* Handle one exit; false when the thread should end. */
static bool handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		bus_dispatch(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			     run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		report_fatal(vcpu, "guest triple fault (shutdown)");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vm_request_stop(vcpu->vm, VM_STOP_POWEROFF, "guest shutdown");
		else
			report_fatal(vcpu, "guest reset requested");
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		report_fatal(vcpu, "KVM entry failed");
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		report_fatal(vcpu, "KVM internal error (emulation failure)");
		return false;
	default:
		vm_request_stop(vcpu->vm, VM_STOP_ERROR,
				"vCPU %u: unexpected KVM exit %u", vcpu->id,
				run->exit_reason);
		return false;
	}
}

static bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop_reason, __ATOMIC_ACQUIRE) != VM_RUNNING;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!vm_stopping(vcpu->vm)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_request_stop(vcpu->vm, VM_STOP_ERROR, "vCPU %u: KVM_RUN: %s",
					vcpu->id, strerror(errno));
			break;
		}
		if (!handle_exit(vcpu))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (!ret)
		vcpu->started = 1;
	return -ret;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_RELEASE);
	pthread_kill(vcpu->thread, SIGUSR1);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->started = 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (!vcpu)
		return;
	munmap(vcpu->run, vcpu->vm->run_size);
	close(vcpu->fd);
	free(vcpu);
}
