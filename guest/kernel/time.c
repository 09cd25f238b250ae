/*
 * Tick accounting. The periodic timer (arch/x86/pit.c) calls time_tick()
 * HZ times a second; the tick counts as idle when it interrupted cpu_idle(),
 * and gives the scheduler its time slices.
 */
#include "kernel/time.h"
#include "arch/x86/cpu.h"
#include "kernel/sched.h"

volatile uint64_t jiffies;
volatile uint64_t idle_jiffies;
volatile bool cpu_idle_flag;

void time_tick(void)
{
	jiffies++;
	if (cpu_idle_flag)
		idle_jiffies++;
	sched_tick();
}

void cpu_idle(void)
{
	cpu_idle_flag = true;
	cpu_sti_hlt();
	cpu_idle_flag = false;
}
