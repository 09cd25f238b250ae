/*
 * Port I/O and MMIO accessors. Every port access is a VM exit (tens of
 * microseconds on our hosts): callers batch where they can, e.g. with
 * outsb() which moves a whole buffer in one exit.
 */
#ifndef GUEST_ARCH_X86_IO_H
#define GUEST_ARCH_X86_IO_H

#include "include/types.h"

static inline void outb(uint8_t v, uint16_t port)
{
	__asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outw(uint16_t v, uint16_t port)
{
	__asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint32_t v, uint16_t port)
{
	__asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Write @n bytes to one port with a single REP OUTSB (one VM exit). */
static inline void outsb(uint16_t port, const void *buf, size_t n)
{
	__asm__ __volatile__("rep outsb"
			     : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline uint32_t mmio_read32(const volatile void *addr)
{
	return *(const volatile uint32_t *)addr;
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

#endif
