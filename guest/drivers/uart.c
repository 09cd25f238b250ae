/*
 * 16550 UART driver (COM1, I/O 0x3f8, ISA IRQ 4).
 *
 * Every register access is a VM exit, so the driver does as few as it can:
 * - init reads LSR once and writes four registers, leaving the divisor
 *   alone (a virtual UART ignores the baud rate; firmware may have set one);
 * - output waits for LSR.THRE (transmit FIFO empty) once per 16 bytes and
 *   then writes up to 16 bytes with a single REP OUTSB (one exit);
 * - input is interrupt driven: the IRQ handler drains the receive FIFO into
 *   rx_ring, a single-producer (IRQ) single-consumer (shell) ring whose
 *   indices only ever grow. Input is never dropped: when the ring fills,
 *   the handler leaves the rest in the UART and turns the receive
 *   interrupt off (rx_throttled); uart_getc() turns it back on once half
 *   the ring is free, and the UART interrupts again for what waits there.
 */
#include "drivers/uart.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/irq.h"
#include "include/compiler.h"

#define COM1_BASE   0x3f8
#define COM1_IRQ    4

#define UART_RBR    0   /* receive buffer (read) */
#define UART_THR    0   /* transmit holding (write) */
#define UART_IER    1   /* interrupt enable */
#define UART_FCR    2   /* FIFO control (write) */
#define UART_LCR    3   /* line control */
#define UART_MCR    4   /* modem control */
#define UART_LSR    5   /* line status */

#define IER_RDI     0x01            /* received data available */
#define FCR_ENABLE  0x01
#define FCR_CLR_TX  0x04
#define LCR_8N1     0x03
#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT2    0x08            /* gates the IRQ line on real boards */
#define LSR_DR      0x01            /* data ready */
#define LSR_THRE    0x20            /* transmit FIFO empty */

#define TX_FIFO_SIZE 16
#define RX_RING_SIZE 256            /* power of two */

static char rx_ring[RX_RING_SIZE];
static volatile unsigned int rx_head;   /* written by the IRQ handler */
static volatile unsigned int rx_tail;   /* written by the reader */
static volatile bool rx_throttled;      /* IER.RDI off: the ring was full */

static bool rx_full(void)
{
	return rx_head - rx_tail >= RX_RING_SIZE;
}

/* Caller checked !rx_full(). */
static void rx_put(char c)
{
	unsigned int head = rx_head;

	rx_ring[head % RX_RING_SIZE] = c;
	WRITE_ONCE(rx_head, head + 1);
}

void uart_init(void)
{
	/* A byte typed before boot sits in RBR; turning the FIFO on would
	 * drop it, so keep it (one LSR read). */
	if (inb(COM1_BASE + UART_LSR) & LSR_DR)
		rx_put((char)inb(COM1_BASE + UART_RBR));
	outb(0, COM1_BASE + UART_IER);
	outb(LCR_8N1, COM1_BASE + UART_LCR);
	outb(FCR_ENABLE | FCR_CLR_TX, COM1_BASE + UART_FCR);
	outb(MCR_DTR | MCR_RTS | MCR_OUT2, COM1_BASE + UART_MCR);
}

void uart_write(const char *buf, size_t n)
{
	size_t chunk;

	while (n) {
		while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE))
			__asm__ __volatile__("pause");
		chunk = n < TX_FIFO_SIZE ? n : TX_FIFO_SIZE;
		outsb(COM1_BASE + UART_THR, buf, chunk);
		buf += chunk;
		n -= chunk;
	}
}

static void uart_irq(void *ctx)
{
	while (!rx_full() && (inb(COM1_BASE + UART_LSR) & LSR_DR))
		rx_put((char)inb(COM1_BASE + UART_RBR));
	if (rx_full()) {
		outb(0, COM1_BASE + UART_IER);  /* the rest waits in the UART */
		rx_throttled = true;
	}
}

int uart_enable_rx_irq(void)
{
	int err = irq_request_isa(COM1_IRQ, uart_irq, NULL);

	if (err)
		return err;
	outb(IER_RDI, COM1_BASE + UART_IER);
	return 0;
}

int uart_getc(void)
{
	unsigned int tail = rx_tail;
	uint64_t flags;
	char c;

	if (tail == READ_ONCE(rx_head))
		return -1;
	c = rx_ring[tail % RX_RING_SIZE];
	barrier();
	WRITE_ONCE(rx_tail, tail + 1);
	if (rx_throttled && rx_head - rx_tail <= RX_RING_SIZE / 2) {
		flags = cpu_irq_save();
		rx_throttled = false;
		outb(IER_RDI, COM1_BASE + UART_IER);
		cpu_irq_restore(flags);
	}
	return (unsigned char)c;
}
