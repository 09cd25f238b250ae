/*
 * Kernel time: a tick counter advanced by the periodic timer at HZ.
 */
#ifndef GUEST_KERNEL_TIME_H
#define GUEST_KERNEL_TIME_H

#include "include/types.h"

#define HZ 100

extern volatile uint64_t jiffies;       /* ticks since the timer started */
extern volatile uint64_t idle_jiffies;  /* ticks that found the CPU idle */
extern volatile bool cpu_idle_flag;      /* set while halted in cpu_idle() */

/* Called by the timer interrupt, once per tick. */
void time_tick(void);
/* Halt until the next interrupt, accounting the time as idle. */
void cpu_idle(void);

#endif
