/*
 * 16550A UART.
 *
 * Output is written to the console at once, so the transmitter is always
 * empty (LSR.THRE and TEMT set) and a guest can write a whole 16-byte FIFO
 * per LSR check. Input waits in a host-side ring of RX_RING bytes that
 * stands in for the receive FIFO: the console thread blocks when the ring is
 * full instead of dropping bytes, and the guest drains it one RBR read at a
 * time.
 *
 * Interrupts: "received data available" while IER.ERBFI and the ring is not
 * empty; "THR empty" after a THR write or when ETBEI is newly enabled, until
 * the guest reads IIR or writes THR again. The IRQ line follows IIR, as in
 * QEMU (OUT2 does not gate it). Loopback mode reflects MCR in MSR so the
 * Linux 8250 probe passes.
 *
 * Locking: one mutex for the register state, taken by vCPU threads (port
 * I/O) and the console input thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "pc/pc.h"
#include "vmm/console.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

#define RX_RING (64 * 1024)

enum { UART_RBR = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3, UART_MCR = 4,
       UART_LSR = 5, UART_MSR = 6, UART_SCR = 7 };

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_LOOP 0x10
#define FCR_ENABLE 0x01

struct uart {
	struct vm *vm;
	struct console *con;
	unsigned int port, irq;
	pthread_mutex_t lock;
	pthread_cond_t room;          /* the ring has space again */
	bool closing;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thr_pending;             /* THR-empty interrupt pending */
	int irq_level;
	uint8_t ring[RX_RING];
	size_t head, count;
};

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_ERBFI) && u->count)
		return IIR_RDA | fifo;
	if ((u->ier & IER_ETBEI) && u->thr_pending)
		return IIR_THRE | fifo;
	return IIR_NONE | fifo;
}

/* Called with the lock held after any state change. */
static void update_irq(struct uart *u)
{
	int level = !(uart_iir(u) & IIR_NONE);

	if (level != u->irq_level) {
		u->irq_level = level;
		vm_set_irq(u->vm, u->irq, level);
	}
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->count)
		return 0;
	c = u->ring[u->head];
	u->head = (u->head + 1) % RX_RING;
	if (u->count-- == RX_RING)
		pthread_cond_broadcast(&u->room);
	return c;
}

static uint8_t uart_msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(u->mcr & MCR_LOOP))
		return 0xb0;     /* DCD, DSR, CTS */
	/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	return ((m & 1) << 5) | ((m & 2) << 3) | ((m & 4) << 4) | ((m & 8) << 4);
}

static uint8_t uart_read_reg(struct uart *u, unsigned int reg)
{
	uint8_t iir;

	switch (reg) {
	case UART_RBR:
		return (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
	case UART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		iir = uart_iir(u);
		if ((iir & 0x0f) == IIR_THRE)
			u->thr_pending = false;
		return iir;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (u->count ? LSR_DR : 0);
	case UART_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write_reg(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			console_write(u->con, &v, 1);
			u->thr_pending = true;
		}
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thr_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR:
		u->fcr = v;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	}
}

static void uart_pio_read(void *opaque, uint64_t off, void *data,
			  unsigned int len)
{
	struct uart *u = opaque;

	pthread_mutex_lock(&u->lock);
	memset(data, 0xff, len);
	*(uint8_t *)data = uart_read_reg(u, off & 7);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_pio_write(void *opaque, uint64_t off, const void *data,
			   unsigned int len)
{
	struct uart *u = opaque;

	pthread_mutex_lock(&u->lock);
	uart_write_reg(u, off & 7, *(const uint8_t *)data);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static const struct io_ops uart_ops = {
	.read = uart_pio_read,
	.write = uart_pio_write,
};

/* Console input: copy into the ring, waiting for room; never drop. */
static int uart_input(void *opaque, const uint8_t *buf, size_t n)
{
	struct uart *u = opaque;
	int open;

	pthread_mutex_lock(&u->lock);
	while (n && !u->closing) {
		if (u->count == RX_RING) {
			pthread_cond_wait(&u->room, &u->lock);
			continue;
		}
		u->ring[(u->head + u->count) % RX_RING] = *buf++;
		u->count++;
		n--;
		update_irq(u);
	}
	open = !u->closing;
	pthread_mutex_unlock(&u->lock);
	return open;
}

static void uart_quit(void *opaque)
{
	struct uart *u = opaque;

	vm_request_stop(u->vm, VM_STOP_QUIT, "terminated by the console escape");
}

static struct uart *uart_new(struct vm *vm, unsigned int port,
			     unsigned int irq, struct console *con,
			     struct errmsg *e)
{
	struct console_sink sink = { .input = uart_input, .quit = uart_quit };
	struct uart *u = calloc(1, sizeof(*u));
	int ret;

	if (!u) {
		errmsg_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	u->vm = vm;
	u->con = con;
	u->port = port;
	u->irq = irq;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->room, NULL);
	ret = bus_register(&vm->pio, port, 8, &uart_ops, u);
	if (ret) {
		errmsg_set(e, ret, "cannot register UART at 0x%x", port);
		free(u);
		return NULL;
	}
	sink.opaque = u;
	ret = console_start(con, &sink);
	if (ret) {
		errmsg_set(e, ret, "cannot start the console");
		bus_unregister(&vm->pio, port);
		free(u);
		return NULL;
	}
	return u;
}

/* COM1 on the VM's console, as on a PC. */
static void *uart_create(struct vm *vm, const void *cfg, struct errmsg *e)
{
	return uart_new(vm, PLAT_COM1_PORT, PLAT_COM1_IRQ, vm->console, e);
}

/* Wake and refuse any input still waiting for room (before the console is
 * destroyed). */
static void uart_close(void *dev)
{
	struct uart *u = dev;

	pthread_mutex_lock(&u->lock);
	u->closing = true;
	pthread_cond_broadcast(&u->room);
	pthread_mutex_unlock(&u->lock);
}

static void uart_destroy(void *dev)
{
	struct uart *u = dev;

	bus_unregister(&u->vm->pio, u->port);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->room);
	free(u);
}

/* Device (COM1): PNP0501 at PLAT_COM1_PORT, IRQ PLAT_COM1_IRQ. */
static void uart_dsdt(struct aml *a, void *opaque)
{
	aml_device_open(a, "COM1");
	aml_name_eisaid(a, "_HID", "PNP0501");
	aml_name_int(a, "_UID", 1);
	aml_method_return_int(a, "_STA", 0x0f);
	aml_name_decl(a, "_CRS");
	aml_restemplate_open(a);
	aml_res_io(a, PLAT_COM1_PORT, PLAT_COM1_PORT, 0, 8);
	aml_res_irq_noflags(a, PLAT_COM1_IRQ);
	aml_close(a);
	aml_close(a);
}

static int uart_acpi(void *dev, struct acpi_config *ac, struct errmsg *e)
{
	struct acpi_dsdt_part part = { .sb = uart_dsdt };

	return acpi_config_add_dsdt(ac, &part, e);
}

const struct device_ops uart_device = {
	.name = "uart",
	.create = uart_create,
	.acpi = uart_acpi,
	.close = uart_close,
	.destroy = uart_destroy,
};
