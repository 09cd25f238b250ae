/*
 * kernel_main: the boot sequence, called by arch/x86/head.S in long mode
 * on the boot stack, interrupts off, with the physical address of the PVH
 * hvm_start_info.
 *
 * Boot runs on an emulated CPU at ~0.5 us per instruction on our hosts, so
 * every step is O(tables), never O(pages), memory is never cleared (the
 * ELF loader zero-fills .bss, the host gives zeroed RAM) and nothing is
 * printed to the console before the ready line.
 *
 * guest/mm takes over after acpi_init (it needs the memory map, the
 * early allocator's reservations and the SRAT): see kernel/mm_boot.c.
 */
#include "arch/x86/apic.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/mmu.h"
#include "arch/x86/pit.h"
#include "arch/x86/syscall.h"
#include "arch/x86/cpu.h"
#include "drivers/acpi.h"
#include "drivers/memhp.h"
#include "drivers/pci.h"
#include "drivers/pm.h"
#include "drivers/virtio_balloon.h"
#include "drivers/virtio_blk.h"
#include "drivers/uart.h"
#include "kernel/bench.h"
#include "kernel/blk_cmds.h"
#include "kernel/blkdev.h"
#include "kernel/bootinfo.h"
#include "kernel/bootmem.h"
#include "kernel/mm_boot.h"
#include "kernel/oom.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/proc.h"
#include "kernel/memory_block.h"
#include "kernel/sched.h"
#include "kernel/shell.h"
#include "kernel/swap.h"
#include "kernel/sysfs.h"
#include "kernel/task_cmds.h"
#include "kernel/page_idle_cmd.h"
#include "kernel/workqueue.h"

void kernel_main(uint32_t start_info_pa);

/*
 * PCI and virtio drivers probe right after the ready line, before the
 * first prompt (shell_run flushes the work queue), so no command runs before
 * them (as Linux's asynchronous probing): their port and MMIO accesses exit
 * to the VMM and their set-up is some 25k ring-0 instructions, which boot
 * need not wait for. A balloon target set before the probe is read when the
 * driver starts.
 */
static void probe_devices(struct work_struct *work)
{
	pci_init();                     /* bus 0 through 0xcf8/0xcfc */
	virtio_balloon_init();          /* the balloon, if there is one */
	virtio_blk_init();              /* vda, vdb, ...: one per virtio-blk function */
}

static struct work_struct probe_work;

static void check(int err, const char *what)
{
	if (err)
		panic("%s failed: error %d", what, err);
}

void kernel_main(uint32_t start_info_pa)
{
	uart_init();                    /* polled console: panics are visible */
	gdt_init();                     /* final GDT, TSS with the #DF stack */
	idt_init();                     /* exceptions are reported from here on */
	bootinfo_init(start_info_pa);   /* memory map, RSDP, cmdline */
	pr_info("memvisor guest kernel, cmdline: %s\n", boot_info.cmdline);
	bootmem_init();                 /* RAM ranges, kernel reserve, bump allocator */
	mmu_init();                     /* direct map of RAM, identity map gone */
	check(acpi_init(), "ACPI");     /* FADT, MADT, SRAT; tables reserved */
	mm_boot();                      /* memblock, mm_init: buddy, slab, vmalloc */
	syscall_init();                 /* SYSCALL MSRs, GS base, int 0x80 gate */
	sched_init();                   /* this context is task 1, idle task 0 */
	check(lapic_init(), "LAPIC");   /* boot CPU's local APIC, LINT0 masked */
	check(ioapic_init(), "IOAPIC"); /* every IOAPIC, pins still masked */
	check(pit_init(), "PIT");       /* 100 Hz tick on ISA IRQ 0 */
	check(uart_enable_rx_irq(), "UART IRQ"); /* console input on IRQ 4 */
	check(pm_init(), "ACPI PM");    /* SCI, power button, GPE0 */
	proc_init();                    /* /proc/uptime, cmdline */
	shell_init();                   /* command table */
	task_cmds_init();               /* hog, ps, kill, verify */
	page_idle_cmd_init();           /* page_idle mark|count PID */
	bench_init();                   /* bench mm|syscall */
	sysfs_init();                   /* ls, echo VALUE > FILE */
	blkdev_init();                  /* /proc/partitions, /sys/block */
	blk_cmds_init();                /* dd, sync */
	memory_dev_init();              /* /sys/devices/system/memory */
	memhp_init();                   /* DIMM slots: boot DIMMs, GPE0 bit 3 */
	oom_init();                     /* OOM killer, /proc/PID/oom_score* */
	swap_init();                    /* reclaim hooks, swapon, /proc/swaps, kswapd */
	INIT_WORK(&probe_work, probe_devices);
	schedule_work(&probe_work);     /* PCI, virtio: after the ready line */
	pr_info("Memory: %luK RAM, %luK reserved, %u CPUs, %u node(s)\n",
		(unsigned long)(bootmem_ram_bytes() >> 10),
		(unsigned long)(bootmem_reserved_bytes() >> 10), acpi.nr_cpus,
		acpi.nr_nodes);
	cpu_sti();                      /* interrupts on */
	shell_run();                    /* "memvisor guest ready", then the prompt */
}
