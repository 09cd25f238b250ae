/*
 * Kernel panic. Safe to call from any context: it only uses polled console
 * output. A panic inside a panic (say the console itself faults) skips
 * straight to the halt.
 */
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/vsprintf.h"
#include "kernel/console.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"

#define PVPANIC_PORT      0x505
#define PVPANIC_PANICKED  0x01

static volatile bool in_panic;

void vpanic(const char *fmt, va_list ap)
{
	char msg[256];

	cpu_cli();
	if (in_panic)
		cpu_halt_forever();
	in_panic = true;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	console_loglevel = LOGLEVEL_EMERG;      /* our line goes out just once */
	printk(LOGLEVEL_EMERG, "Kernel panic - not syncing: %s\n", msg);
	console_printf("Kernel panic - not syncing: %s\n", msg);
	outb(PVPANIC_PANICKED, PVPANIC_PORT);
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
}
