/*
 * VM life cycle.
 *
 * vm_create() does everything that can fail before a vCPU runs, in order:
 * KVM, irqchip and PIT, RAM, kernel, the PCI bus, the devices (vm_devices[], in table
 * order: see vmm/devices.c), ACPI tables (the core's CPUs and RAM, then each
 * device's part), start_info, vCPUs, QMP (the core's commands, then each
 * device's). Any failure unwinds what was built and reports one message.
 * vm_run() starts the vCPU threads and sleeps on a condition variable until
 * vm_request_stop() records why the VM ends; then it kicks the vCPUs out of
 * KVM_RUN and joins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "acpi/acpi.h"
#include "vmm/console.h"
#include "vmm/device_internal.h"
#include "vmm/loader.h"
#include "vmm/pci.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vm_qmp.h"
#include "vmm/workq.h"

void vm_request_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt,
		     ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->stop_reason == VM_RUNNING) {
		va_start(ap, fmt);
		vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
		va_end(ap);
		__atomic_store_n(&vm->stop_reason, why, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&vm->stopped_cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

int vm_set_irq(struct vm *vm, unsigned int gsi, int level)
{
	int r = vm_set_irq_status(vm, gsi, level);

	return r < 0 ? r : 0;
}

/* KVM_IRQ_LINE_STATUS's status is the sum over the GSI's routes (8259 and
 * IOAPIC) of what each accepted; a masked or busy chip adds nothing. */
int vm_set_irq_status(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE_STATUS, &irq) < 0)
		return -errno;
	return irq.status > 0;
}

static int open_kvm(struct vm *vm, struct errmsg *e)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			return errmsg_set(e, -ENOENT, "/dev/kvm not found: KVM is not available on this host");
		return errmsg_set(e, -errno, "cannot open /dev/kvm: %s", strerror(errno));
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return errmsg_set(e, -EINVAL, "unsupported KVM API version");
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return errmsg_set(e, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE failed");
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return errmsg_set(e, -errno, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

static void add_route(struct kvm_irq_routing *r, unsigned int gsi,
		      unsigned int chip, unsigned int pin)
{
	struct kvm_irq_routing_entry *ent = &r->entries[r->nr++];

	memset(ent, 0, sizeof(*ent));
	ent->gsi = gsi;
	ent->type = KVM_IRQ_ROUTING_IRQCHIP;
	ent->u.irqchip.irqchip = chip;
	ent->u.irqchip.pin = pin;
}

/*
 * GSI routing as on a PC and in QEMU's pc machine: ISA IRQs 0-15 go to the
 * PICs, and GSIs 0-23 to the IOAPIC pins of the same number, except that
 * the PIT's IRQ 0 is wired to IOAPIC pin 2 (the MADT's interrupt source
 * override says so) and GSI 2 (the PIC cascade) goes nowhere.
 */
static int set_gsi_routing(struct vm *vm, struct errmsg *e)
{
	struct kvm_irq_routing *r;
	unsigned int i;
	int ret = 0;

	r = calloc(1, sizeof(*r) + 48 * sizeof(r->entries[0]));
	if (!r)
		return errmsg_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < 16; i++)
		if (i != 2)
			add_route(r, i, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
				  KVM_IRQCHIP_PIC_SLAVE, i % 8);
	for (i = 0; i < 24; i++)
		if (i != 2)
			add_route(r, i, KVM_IRQCHIP_IOAPIC, i ? i : 2);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		ret = errmsg_set(e, -errno, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
	free(r);
	return ret;
}

/*
 * Both 8259s masked, as firmware leaves them for an APIC guest (a guest
 * that wants them programs them, which unmasks). Besides, an unmasked,
 * never-acknowledged 8259 reports the first edge on each pin as accepted,
 * and vm_set_irq_status must hear only the chip the guest uses.
 */
static int mask_pics(struct vm *vm, struct errmsg *e)
{
	for (unsigned int chip = KVM_IRQCHIP_PIC_MASTER;
	     chip <= KVM_IRQCHIP_PIC_SLAVE; chip++) {
		struct kvm_irqchip c = { .chip_id = chip };

		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &c) < 0)
			return errmsg_set(e, -errno, "KVM_GET_IRQCHIP: %s", strerror(errno));
		c.chip.pic.imr = 0xff;
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &c) < 0)
			return errmsg_set(e, -errno, "KVM_SET_IRQCHIP: %s", strerror(errno));
	}
	return 0;
}

/* In-kernel LAPIC/IOAPIC/PIC and PIT; the TSS address is for VMX hosts. */
static int create_irqchip(struct vm *vm, struct errmsg *e)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return errmsg_set(e, -errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return errmsg_set(e, -errno, "KVM_CREATE_PIT2: %s", strerror(errno));
	return mask_pics(vm, e) ?: set_gsi_routing(vm, e);
}

/* The core's part: one LAPIC per vCPU, boot RAM on node 0 (below the PCI
 * hole, and above 4 GiB if any); then every device adds its own. */
static int acpi_config_from(struct vm *vm, struct acpi_config *ac,
			    struct errmsg *e)
{
	uint64_t low = plat_ram_below_4g(vm->cfg.ram_size);
	uint64_t high = plat_ram_above_4g(vm->cfg.ram_size);

	memset(ac, 0, sizeof(*ac));
	ac->ncpus = vm->nr_vcpus;
	ac->nr_nodes = 1;
	ac->mem[ac->nr_mem++] = (struct acpi_mem_range){ 0, low, 0, 0 };
	if (high)
		ac->mem[ac->nr_mem++] =
			(struct acpi_mem_range){ PLAT_4G, high, 0, 0 };
	if (pci_bus_acpi(vm->pci, ac, e))                /* \_SB.PCI0 */
		return -E2BIG;
	return devices_acpi(vm, ac, e);
}

static int install_acpi(struct vm *vm, struct errmsg *e)
{
	struct acpi_config ac;
	void *dst;
	int ret;

	ret = acpi_config_from(vm, &ac, e);
	if (ret)
		return ret;
	vm->acpi = acpi_build(&ac, PLAT_ACPI_GPA);
	if (!vm->acpi)
		return errmsg_set(e, -EINVAL, "cannot build the ACPI tables");
	if (acpi_blob_size(vm->acpi) > PLAT_ACPI_SIZE)
		return errmsg_set(e, -E2BIG, "ACPI tables do not fit their area");
	dst = guest_mem_ptr(&vm->mem, PLAT_ACPI_GPA, acpi_blob_size(vm->acpi));
	memcpy(dst, acpi_blob_data(vm->acpi), acpi_blob_size(vm->acpi));
	if (vm->cfg.dump_acpi_dir) {
		ret = acpi_dump(vm->acpi, vm->cfg.dump_acpi_dir);
		if (ret)
			return errmsg_user(e, ret, "--dump-acpi: cannot write tables to %s: %s",
					  vm->cfg.dump_acpi_dir, strerror(-ret));
	}
	return 0;
}

static int create_vcpus(struct vm *vm, const struct pvh_image *img,
			struct errmsg *e)
{
	unsigned int i;

	for (i = 0; i < vm->cfg.smp; i++) {
		vm->vcpus[i] = vcpu_create(vm, i, e);
		if (!vm->vcpus[i])
			return -EINVAL;
	}
	return vcpu_setup_pvh(vm->vcpus[0], img->entry, PLAT_START_INFO_GPA, e);
}

int vm_defer(struct vm *vm, void (*fn)(void *arg), void *arg)
{
	return workq_queue(vm->workq, fn, arg);
}

static int pci_irq(void *opaque, unsigned int gsi, int level)
{
	return vm_set_irq_status(opaque, gsi, level);
}

static int create_pci(struct vm *vm, struct errmsg *e)
{
	vm->pci = pci_bus_create(&vm->pio, &vm->mmio, pci_irq, vm, e);
	return vm->pci ? 0 : -EINVAL;
}

static int start_workq(struct vm *vm, struct errmsg *e)
{
	vm->workq = workq_create();
	return vm->workq ? 0 : errmsg_set(e, -ENOMEM, "cannot start the deferred-work thread");
}

static int build_vm(struct vm *vm, struct errmsg *e)
{
	struct pvh_image img;
	int ret;

	ret = open_kvm(vm, e);                               /* /dev/kvm, VM */
	if (!ret)
		ret = create_irqchip(vm, e);                 /* LAPIC, IOAPIC, PIT */
	if (!ret)
		ret = guest_mem_init(&vm->mem, vm->vm_fd,    /* boot RAM */
				     vm->cfg.ram_size, e);
	if (!ret)
		ret = pvh_load_kernel(&vm->mem, vm->cfg.kernel, &img, e);
	if (!ret)
		ret = start_workq(vm, e);                    /* deferred work */
	if (!ret)
		ret = create_pci(vm, e);                     /* bus 0, host bridge */
	if (!ret)
		ret = devices_create(vm, e);                 /* vm_devices[] */
	if (!ret)
		ret = install_acpi(vm, e);                   /* tables at 0xe0000 */
	if (!ret)
		ret = pvh_write_start_info(&vm->mem, vm->cfg.cmdline,
					   acpi_blob_rsdp(vm->acpi), e);
	if (!ret)
		ret = create_vcpus(vm, &img, e);             /* boot vCPU at entry */
	if (!ret && vm->cfg.qmp_path)
		ret = vm_qmp_init(vm, e);                    /* QMP socket */
	if (!ret && vm->qmp)
		ret = devices_qmp(vm, e);                    /* devices' commands */
	if (!ret && vm->qmp)
		ret = vm_qmp_start(vm, e);                   /* serve QMP */
	return ret;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, struct errmsg *e)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->mem.ram_fd = -1;
	vm->nr_vcpus = cfg->smp;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->stopped_cond, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->console = console_create(cfg->serial, e);
	if (!vm->console)
		return -EINVAL;
	ret = build_vm(vm, e);
	if (ret)
		vm_destroy(vm);
	return ret;
}

int vm_run(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_start(vm->vcpus[i]))
			vm_request_stop(vm, VM_STOP_ERROR, "cannot start vCPU %u", i);
	pthread_mutex_lock(&vm->lock);
	while (vm->stop_reason == VM_RUNNING)
		pthread_cond_wait(&vm->stopped_cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm->vcpus[i]);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(vm->vcpus[i]);
	vm_qmp_stopped(vm);
	switch (vm->stop_reason) {
	case VM_STOP_POWEROFF:
	case VM_STOP_QUIT:
		return 0;
	default:
		return 1;
	}
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	vm_qmp_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(vm->vcpus[i]);
	devices_close(vm);
	workq_destroy(vm->workq);        /* runs what devices left queued */
	vm->workq = NULL;
	console_destroy(vm->console);
	devices_destroy(vm);
	pci_bus_destroy(vm->pci);
	vm->pci = NULL;
	if (vm->acpi)
		acpi_blob_free(vm->acpi);
	guest_mem_destroy(&vm->mem);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	memset(vm->vcpus, 0, sizeof(vm->vcpus));
	vm->acpi = NULL;
	vm->console = NULL;
	vm->vm_fd = vm->kvm_fd = -1;
}
