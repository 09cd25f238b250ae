/*
 * Console output and input on top of the UART driver.
 *
 * console_write() copies into a small staging buffer, expanding "\n" to
 * "\r\n", and hands full buffers to uart_write(), which moves up to 16 bytes
 * per VM exit. console_getc() sleeps between receive interrupts: other
 * tasks run meanwhile, or the idle task halts.
 */
#include "kernel/console.h"
#include "kernel/vsprintf.h"
#include "kernel/string.h"
#include "drivers/uart.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "kernel/sched.h"
#include "arch/x86/cpu.h"

#define STAGE_SIZE 128

void console_write(const char *s, size_t n)
{
	char stage[STAGE_SIZE];
	size_t len = 0;

	for (; n; n--, s++) {
		if (len + 2 > STAGE_SIZE) {
			uart_write(stage, len);
			len = 0;
		}
		if (*s == '\n')
			stage[len++] = '\r';
		stage[len++] = *s;
	}
	if (len)
		uart_write(stage, len);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

int console_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int console_getc(void)
{
	int c;

	for (;;) {
		cpu_cli();
		c = uart_getc();
		if (c >= 0) {
			cpu_sti();
			return c;
		}
		if (run_scheduled_work())       /* deferred work, interrupts on */
			continue;
		sched_wait_irq();       /* other tasks run until an interrupt */
	}
}
