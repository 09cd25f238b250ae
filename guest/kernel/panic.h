/*
 * panic(): the end of the line. Prints the message to the console, tells
 * the host through the pvpanic port (0x505) and halts with interrupts off.
 * BUG()/BUG_ON() are in kernel/bug.h (guest/mm has its own).
 */
#ifndef GUEST_KERNEL_PANIC_H
#define GUEST_KERNEL_PANIC_H

#include "include/compiler.h"

#include "include/types.h"

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void vpanic(const char *fmt, va_list ap) __printf(1, 0) __noreturn;

#endif
