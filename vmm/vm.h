/*
 * The virtual machine: KVM VM and vCPUs, guest memory, buses and devices.
 *
 * Life cycle: vm_create() builds everything (KVM, RAM, kernel, ACPI,
 * devices) and fails with a message before any vCPU runs; vm_run() starts
 * the vCPU threads and waits until something asks the VM to stop (guest
 * power-off, panic, QMP quit, console escape, a fatal vCPU error);
 * vm_destroy() releases it all.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>
#include <stdint.h>

#include "hotplug/hotplug.h"
#include "vmm/bus.h"
#include "vmm/error.h"
#include "vmm/memory.h"

#define VM_MAX_VCPUS 64

struct vm_config {
	const char *kernel;          /* PVH ELF */
	uint64_t ram_size;           /* bytes */
	unsigned int smp;
	const char *cmdline;
	const char *serial;          /* "stdio" or "unix:PATH" */
	const char *qmp_path;        /* NULL: no QMP */
	const char *dump_acpi_dir;   /* NULL: don't dump */
	struct hotplug_config hotplug; /* --slots, --maxmem, --numa, --dimm */
};

enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,    /* guest ACPI S5: exit 0 */
	VM_STOP_QUIT,        /* QMP quit or console escape: exit 0 */
	VM_STOP_PANIC,       /* guest panic (pvpanic): exit 1 */
	VM_STOP_ERROR,       /* triple fault or KVM error: exit 1 */
};

struct vcpu;
struct console;
struct uart;
struct pm;
struct qmp_server;
struct acpi_blob;

struct vm {
	struct vm_config cfg;
	int kvm_fd;
	int vm_fd;
	int run_size;                 /* size of each vCPU's kvm_run mapping */
	struct guest_mem mem;
	struct bus pio;
	struct bus mmio;
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];

	struct console *console;
	struct uart *uart;
	struct pm *pm;
	struct qmp_server *qmp;
	struct acpi_blob *acpi;
	struct memhp *memhp;          /* DIMM slots */

	pthread_mutex_t lock;         /* protects the stop state */
	pthread_cond_t stopped_cond;
	enum vm_stop_reason stop_reason;
	char stop_msg[256];
};

int vm_create(struct vm *vm, const struct vm_config *cfg, struct errmsg *e);
/* Run until stopped; returns the process exit status (0, 1). */
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/* Ask the VM to stop (any thread, idempotent: the first reason wins). */
void vm_request_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
/* Assert (1) or deassert (0) a GSI on the in-kernel IOAPIC/PIC. */
int vm_set_irq(struct vm *vm, unsigned int gsi, int level);

#endif
