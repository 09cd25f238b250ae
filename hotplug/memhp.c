/*
 * The memory hotplug controller's registers, as a pure state machine.
 *
 * What: QEMU's ACPI memory hotplug register block
 * (docs/specs/acpi_mem_hotplug.rst), 24 bytes of port I/O at 0x0a00. The
 * guest writes a slot number to the selector; every other access then
 * reads or changes that slot:
 *
 *   off   read                          write
 *   0x00  DIMM base, low 32 bits        slot selector
 *   0x04  DIMM base, high 32 bits       _OST source event
 *   0x08  DIMM size, low 32 bits        _OST status code (reported to QMP)
 *   0x0c  DIMM size, high 32 bits       ignored
 *   0x10  proximity domain              ignored
 *   0x14  status: 0 enabled,            control: 1 clear insert event,
 *         1 insert event, 2 remove      2 clear remove event, 3 eject
 *         event (byte)                  (byte; bit 0 and 4-7 reserved)
 *   0x15  reserved (reads all ones)     ignored
 *
 * A selector at or beyond the number of slots has no effect on the
 * platform: reads return all ones, writes other than to the selector are
 * ignored. Accesses are 1 to 4 bytes at any offset; a read is assembled and
 * a write applied byte by byte, so a byte write to a 32-bit register
 * changes that byte only. The control bits are independent (QEMU applies
 * only the lowest one set; ACPI writes them one at a time, so no guest can
 * tell the difference).
 *
 * Data structures: struct memhp_regs holds the selector and, per slot, what
 * the guest sees (base, size, node, status bits) and the last _OST pair it
 * reported. Nothing here touches KVM or memory: a write returns, in struct
 * memhp_io_result, what the platform must do (emit ACPI_DEVICE_OST, eject a
 * DIMM), and the host side tells the registers of plug, remove request and
 * unplug through memhp_regs_plug/request_remove/unplug.
 *
 * Invariants: an empty slot reads base = size = node = status = 0; the
 * insert and remove events are only ever set on an enabled slot.
 *
 * Locking: none here; the caller (dimm.c) holds memhp.lock around every
 * call, since vCPU threads do the port I/O and the QMP thread plugs.
 */
#include <string.h>

#include "hotplug/hotplug_internal.h"


void memhp_regs_init(struct memhp_regs *r, unsigned int nr_slots)
{
	memset(r, 0, sizeof(*r));
	r->nr_slots = nr_slots;
}

static bool selected_valid(const struct memhp_regs *r)
{
	return r->selector < r->nr_slots;
}

/* Byte @i (0..3) of the little-endian 32-bit value @v. */
static uint8_t byte_of(uint64_t v, unsigned int i)
{
	return v >> (8 * i);
}

/* Replace byte @i of @v with @b. */
static uint32_t set_byte(uint32_t v, unsigned int i, uint8_t b)
{
	return (v & ~(0xffu << (8 * i))) | ((uint32_t)b << (8 * i));
}

static uint8_t read_byte(const struct memhp_regs *r, unsigned int off)
{
	const struct memhp_slot_regs *s;

	if (off >= MEMHP_IO_LEN || !selected_valid(r))
		return 0xff;
	s = &r->slot[r->selector];
	switch (off & ~3u) {
	case MEMHP_REG_ADDR_LO:
	case MEMHP_REG_ADDR_HI:
		return byte_of(s->addr, off);
	case MEMHP_REG_SIZE_LO:
	case MEMHP_REG_SIZE_HI:
		return byte_of(s->size, off - MEMHP_REG_SIZE_LO);
	case MEMHP_REG_PXM:
		return byte_of(s->node, off & 3);
	default:
		return off == MEMHP_REG_STATUS ? s->status : 0xff;
	}
}

uint32_t memhp_regs_read(const struct memhp_regs *r, unsigned int off,
			 unsigned int len)
{
	uint32_t val = 0;
	unsigned int i;

	for (i = 0; i < len && i < 4; i++)
		val |= (uint32_t)read_byte(r, off + i) << (8 * i);
	return val;
}

static void write_ctrl(struct memhp_slot_regs *s, uint8_t b,
		       struct memhp_io_result *res)
{
	if (b & MEMHP_CTRL_CLR_INSERT)
		s->status &= ~MEMHP_STS_INSERT;
	if (b & MEMHP_CTRL_CLR_REMOVE)
		s->status &= ~MEMHP_STS_REMOVE;
	if ((b & MEMHP_CTRL_EJECT) && (s->status & MEMHP_STS_ENABLED))
		res->eject = true;
}

/* Byte @b at @off, for slot @s (NULL if the selector was out of range). */
static void write_byte(struct memhp_regs *r, struct memhp_slot_regs *s,
		       unsigned int off, uint8_t b, struct memhp_io_result *res)
{
	unsigned int reg = off & ~3u;

	if (reg == MEMHP_REG_SEL) {
		r->selector = set_byte(r->selector, off & 3, b);
		return;
	}
	if (!s)
		return;
	if (reg == MEMHP_REG_OST_EVENT) {
		s->ost_event = set_byte(s->ost_event, off & 3, b);
	} else if (reg == MEMHP_REG_OST_STATUS) {
		s->ost_status = set_byte(s->ost_status, off & 3, b);
		res->ost = true;
	} else if (off == MEMHP_REG_CTRL) {
		write_ctrl(s, b, res);
	}
}

void memhp_regs_write(struct memhp_regs *r, unsigned int off, unsigned int len,
		      uint32_t val, struct memhp_io_result *res)
{
	struct memhp_slot_regs *s = NULL;
	unsigned int i;

	memset(res, 0, sizeof(*res));
	res->slot = r->selector;
	if (selected_valid(r))
		s = &r->slot[r->selector];
	for (i = 0; i < len && i < 4 && off + i < MEMHP_IO_LEN; i++)
		write_byte(r, s, off + i, byte_of(val, i), res);
}

void memhp_regs_plug(struct memhp_regs *r, unsigned int slot, gpa_t addr,
		     uint64_t size, uint32_t node, bool hot)
{
	struct memhp_slot_regs *s = &r->slot[slot];

	s->addr = addr;
	s->size = size;
	s->node = node;
	s->status = MEMHP_STS_ENABLED | (hot ? MEMHP_STS_INSERT : 0);
}

void memhp_regs_request_remove(struct memhp_regs *r, unsigned int slot)
{
	struct memhp_slot_regs *s = &r->slot[slot];

	if (s->status & MEMHP_STS_ENABLED)
		s->status |= MEMHP_STS_REMOVE;
}

void memhp_regs_unplug(struct memhp_regs *r, unsigned int slot)
{
	struct memhp_slot_regs *s = &r->slot[slot];

	s->addr = 0;
	s->size = 0;
	s->node = 0;
	s->status = 0;
}
