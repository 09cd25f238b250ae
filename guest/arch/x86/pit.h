/*
 * 8254 PIT channel 0 as the periodic tick (HZ, kernel/time.h).
 */
#ifndef GUEST_ARCH_X86_PIT_H
#define GUEST_ARCH_X86_PIT_H

/* Program channel 0 at HZ and route ISA IRQ 0 to time_tick(). */
int pit_init(void);

#endif
