/*
 * The console: the UART, with "\n" sent as "\r\n" as a serial terminal
 * expects. Output is polled (safe from any context, also in a panic).
 */
#ifndef GUEST_KERNEL_CONSOLE_H
#define GUEST_KERNEL_CONSOLE_H

#include "include/compiler.h"
#include "include/types.h"

void console_write(const char *s, size_t n);
void console_puts(const char *s);
int console_printf(const char *fmt, ...) __printf(1, 2);
/* Block (halting the CPU, interrupts on) until a byte arrives. */
int console_getc(void);

#endif
