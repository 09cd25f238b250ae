/*
 * 8254 PIT channel 0 as the periodic tick (HZ, kernel/time.h).
 */
#ifndef GUEST_ARCH_X86_PIT_H
#define GUEST_ARCH_X86_PIT_H

#define PIT_HZ 1193182u         /* the input clock */

/* Program channel 0 at HZ and route ISA IRQ 0 to time_tick(). */
int pit_init(void);
/* Channel 0's period in PIT_HZ cycles (its reload value). */
unsigned int pit_period(void);
/* Channel 0's count: pit_period() down to 1, then again. */
unsigned int pit_read_count(void);

#endif
