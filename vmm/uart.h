/* A 16550A UART on the port I/O bus, its console on a struct console. */
#ifndef VMM_UART_H
#define VMM_UART_H

#include "vmm/error.h"

struct vm;
struct console;
struct uart;

/* Register a UART at @port raising ISA @irq, and start @con's input. */
struct uart *uart_create(struct vm *vm, unsigned int port, unsigned int irq,
			 struct console *con, struct errmsg *e);
/* Wake and refuse any input still waiting for room (before the console
 * is destroyed). */
void uart_close(struct uart *uart);
void uart_destroy(struct uart *uart);

#endif
