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

#include "vmm/bus.h"
#include "vmm/device.h"
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
	void *dev_cfg[VM_MAX_DEVICES]; /* each device's own config, by table
					  index (vm_config_init) */
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
struct pci_bus;
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
	struct pci_bus *pci;          /* PCI bus 0 (vmm/pci.h) */
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];

	struct console *console;
	struct qmp_server *qmp;
	struct acpi_blob *acpi;
	struct workq *workq;          /* deferred work (vm_defer) */
	void *dev[VM_MAX_DEVICES];    /* by vm_devices[] index; NULL: not made */
	const struct acpi_event_ops *acpi_ev;  /* the GPE/SCI controller */
	void *acpi_ev_opaque;

	pthread_mutex_t lock;         /* protects the stop state */
	pthread_cond_t stopped_cond;
	enum vm_stop_reason stop_reason;
	char stop_msg[256];
};

/* Defaults for the VM and every device's config; vm_config_free() frees
 * the device configs. 0 or -ENOMEM. */
int vm_config_init(struct vm_config *cfg);
void vm_config_free(struct vm_config *cfg);
/* After parsing: each device checks its flags against the VM's config. */
int vm_config_finish(struct vm_config *cfg, struct errmsg *e);

int vm_create(struct vm *vm, const struct vm_config *cfg, struct errmsg *e);
/* Run until stopped; returns the process exit status (0, 1). */
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/* Ask the VM to stop (any thread, idempotent: the first reason wins). */
void vm_request_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
/* Assert (1) or deassert (0) a GSI on the in-kernel IOAPIC/PIC. */
int vm_set_irq(struct vm *vm, unsigned int gsi, int level);
/* The same; 1 if asserting it delivered an interrupt (an unmasked chip
 * took it: the vector is pending at a LAPIC), 0 if not (masked, or a
 * level-triggered pin still in service), or -errno. */
int vm_set_irq_status(struct vm *vm, unsigned int gsi, int level);

/* The ACPI event controller: one device registers it (at create). */
void vm_set_acpi_events(struct vm *vm, const struct acpi_event_ops *ops,
			void *opaque);
/* Set GPE0 status bit @bit (SCI if enabled); -ENODEV without a controller. */
int vm_gpe_raise(struct vm *vm, unsigned int bit);
/* Press the ACPI power button; -ENODEV without a controller. */
int vm_power_button(struct vm *vm);
/* Run @fn(@arg) on the VM's deferred-work thread (vmm/workq.h), in queue
 * order; 0 or -errno. */
int vm_defer(struct vm *vm, void (*fn)(void *arg), void *arg);
/* Sum of every device's hot-plugged memory, in bytes. */
uint64_t vm_plugged_memory(const struct vm *vm);

#endif
