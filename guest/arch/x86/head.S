/*
 * PVH entry: from 32-bit protected mode to the kernel's C entry in long mode.
 *
 * The VMM (memvisor, QEMU, Cloud Hypervisor, Firecracker) finds the entry
 * address in the XEN_ELFNOTE_PHYS32_ENTRY note below and starts the boot
 * CPU there with: 32-bit flat protected mode, paging off, interrupts off,
 * %ebx = physical address of struct hvm_start_info, no usable stack.
 *
 * The stub lives in .head.text, linked at its physical load address (so it
 * can use its own symbols before paging is on); everything else is linked at
 * __START_KERNEL_map + phys, and _pa() turns such a symbol into its load
 * address.
 *
 * Page tables are static data (no loop runs at boot): kernel_pml4 maps
 *   [0]    phys 0..1 GiB at virt 0 (identity, dropped later by mmu_init)
 *   [511]  phys 0..1 GiB at __START_KERNEL_map (the kernel image map)
 * with one shared page directory of 512 2-MiB pages. The direct map (PML4
 * slot 273) is added in C from the memory map.
 *
 * About 25 instructions run in 32-bit mode; then kernel_main(start_info).
 */
#include "memlayout.h"
#include "arch/x86/seg.h"

/* abi/pvh.h is C-only; these match its XEN_ELFNOTE_PHYS32_ENTRY. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define _pa(x)      ((x) - __START_KERNEL_map)

#define CR0_PE      0x00000001
#define CR0_WP      0x00010000
#define CR0_PG      0x80000000
#define CR4_PAE     0x00000020
#define CR4_PGE     0x00000080
#define MSR_EFER    0xc0000080
#define EFER_LME    0x00000100
#define EFER_NXE    0x00000800
#define CPUID_NX    (1 << 20)

#define PTE_P       0x001
#define PTE_W       0x002
#define PTE_PS      0x080
#define PTE_TABLE   (PTE_P | PTE_W)

#define BOOT_STACK_SIZE 16384

/* ------------------------------------------------------------ ELF note */
	.pushsection .note.Xen, "a", @note
	.balign 4
	.long	4                               /* namesz: "Xen\0" */
	.long	4                               /* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY        /* type 18 */
	.asciz	"Xen"
	.balign 4
	.long	pvh_start32                     /* physical entry */
	.popsection

/* ------------------------------------------------------- 32-bit entry */
	.section .head.text, "ax"
	.code32
	.globl	pvh_start32
pvh_start32:
	cld
	movl	%ebx, %esi                      /* start_info, kept in %esi */
	lgdt	boot_gdt_desc
	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss

	movl	%cr4, %eax                      /* PAE paging, global pages */
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$_pa(kernel_pml4), %eax
	movl	%eax, %cr3

	movl	$0x80000001, %eax               /* NX available? */
	cpuid
	movl	$EFER_LME, %edi
	testl	$CPUID_NX, %edx
	jz	1f
	orl	$EFER_NXE, %edi
1:	movl	$MSR_EFER, %ecx
	rdmsr
	orl	%edi, %eax
	wrmsr

	movl	%cr0, %eax                      /* paging on: long mode */
	orl	$(CR0_PE | CR0_WP | CR0_PG), %eax
	movl	%eax, %cr0
	ljmp	$KERNEL_CS, $start64_low

	.code64
start64_low:                                    /* still at the physical address */
	movabsq	$start64, %rax
	jmp	*%rax

	.balign	8
boot_gdt:
	.quad	0
	.quad	DESC_KERNEL_CS
	.quad	DESC_KERNEL_DS
boot_gdt_end:
boot_gdt_desc:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

/* ------------------------------------------------------ 64-bit, high */
	.text
start64:
	xorl	%eax, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp                      /* end of frame-pointer chain */
	movl	%esi, %edi                      /* kernel_main(start_info_pa) */
	call	kernel_main
2:	cli
	hlt
	jmp	2b

/* --------------------------------------------------------- page tables */
	.section .data..pgtable, "aw"
	.balign	4096
	.globl	kernel_pml4
kernel_pml4:
	.quad	_pa(ident_pdpt) + PTE_TABLE     /* [0]: identity, boot only */
	.fill	510, 8, 0
	.quad	_pa(kernel_pdpt) + PTE_TABLE    /* [511]: kernel image */

	.balign	4096
kernel_pdpt:
	.fill	510, 8, 0
	.quad	_pa(kernel_pd) + PTE_TABLE      /* [510]: -2 GiB */
	.quad	0

	.balign	4096
ident_pdpt:
	.quad	_pa(kernel_pd) + PTE_TABLE
	.fill	511, 8, 0

	.balign	4096
kernel_pd:                                      /* phys 0..1 GiB, 2 MiB pages */
	.set	i, 0
	.rept	512
	.quad	(i << 21) + (PTE_P | PTE_W | PTE_PS)
	.set	i, i + 1
	.endr

/* --------------------------------------------------------------- stack */
	.section .bss..stack, "aw", @nobits
	.balign	4096
	.globl	boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
