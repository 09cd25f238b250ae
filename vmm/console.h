/*
 * The host side of the guest console: stdio (raw mode when stdin is a
 * terminal, with QEMU's Ctrl-a x escape) or a unix socket server. Input is
 * handed to a sink that may block (backpressure: bytes are never dropped).
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/error.h"

struct console;

struct console_sink {
	/* Take @n input bytes; may block until the guest has room. Returns
	 * false if the sink is closing and the console should stop. */
	int (*input)(void *opaque, const uint8_t *buf, size_t n);
	/* The user typed the quit escape. */
	void (*quit)(void *opaque);
	void *opaque;
};

/* @spec: "stdio" or "unix:PATH". NULL with @e set on a bad spec or error. */
struct console *console_create(const char *spec, struct errmsg *e);
int console_start(struct console *con, const struct console_sink *sink);
void console_write(struct console *con, const void *buf, size_t n);
/* Stop the input thread and restore the terminal. */
void console_destroy(struct console *con);

#endif
