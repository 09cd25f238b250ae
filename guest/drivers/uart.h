/*
 * 16550 UART at I/O 0x3f8 (COM1): the console device.
 */
#ifndef GUEST_DRIVERS_UART_H
#define GUEST_DRIVERS_UART_H

#include "include/types.h"

/* Polled output works after this: FIFO on, 8N1, interrupts off. */
void uart_init(void);
/* Receive interrupts on (ISA IRQ 4) into the input ring; needs irq_init(). */
int uart_enable_rx_irq(void);
/* Write raw bytes (no newline translation). */
void uart_write(const char *buf, size_t n);
/* Next received byte, or -1 if the input ring is empty. */
int uart_getc(void);

#endif
