/*
 * Boot-time switches of the guest/mm arch layer (arch/x86/mm_arch.c).
 */
#ifndef GUEST_ARCH_X86_MM_GLUE_H
#define GUEST_ARCH_X86_MM_GLUE_H

/* After mm_init(): new direct-map page tables come from the buddy. */
void mm_arch_use_buddy_for_page_tables(void);

#endif
