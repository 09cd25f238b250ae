/*
 * AML emitter: ResourceTemplate() and the resource descriptors memvisor's
 * devices need (ACPI 6.4, section 6.4 "Resource Data Types for ACPI").
 *
 * A resource template is a Buffer whose bytes are descriptors followed by an
 * End Tag. aml_restemplate_open() opens the Buffer; each aml_res_*() appends
 * one descriptor (only valid inside an open template); aml_close() appends
 * the End Tag with a checksum that makes the descriptor bytes sum to zero,
 * then inserts BufferSize and the PkgLength. A template that AML code
 * rewrites at run time gets checksum 0 instead ("treat as valid"), as iasl
 * writes for every template. Multi-byte fields are little-endian.
 */
#include <errno.h>

#include "acpi/aml_internal.h"

#define AML_BUFFER_OP     0x11

/* Small descriptors: tag byte = type << 3 | length. */
#define RES_IRQ_NOFLAGS   0x22  /* IRQ, 2 bytes: mask */
#define RES_IO            0x47  /* I/O port, 7 bytes */
/* Large descriptors: tag byte, then a 16-bit length. */
#define RES_DWORD_ADDR    0x87
#define RES_WORD_ADDR     0x88
#define RES_EXT_IRQ       0x89
#define RES_QWORD_ADDR    0x8a

#define RES_WORD_ADDR_LEN  13
#define RES_DWORD_ADDR_LEN 23
#define RES_QWORD_ADDR_LEN 43

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static bool is_in_template(struct aml *a)
{
	return aml_top(a, AML_FRAME_RESTEMPLATE) != NULL;
}

void aml_restemplate_open(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_FRAME_RESTEMPLATE);
}

void aml_restemplate_open_patched(struct aml *a)
{
	aml_restemplate_open(a);
	if (!a->err)
		a->frame[a->depth - 1].zero_checksum = true;
}

/* IO (Decode16, min, max, align, len) */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len)
{
	uint8_t d[8] = { RES_IO, 0x01 /* Decode16 */ };

	if (!is_in_template(a))
		return;
	put_le(d + 2, min, 2);
	put_le(d + 4, max, 2);
	d[6] = align;
	d[7] = len;
	aml_bytes(a, d, sizeof(d));
}

/* IRQNoFlags () {irq}: an ISA IRQ, edge-triggered, active-high. */
void aml_res_irq_noflags(struct aml *a, unsigned int irq)
{
	uint8_t d[3] = { RES_IRQ_NOFLAGS };

	if (!is_in_template(a))
		return;
	if (irq > 15) {
		aml_set_err(a, -EINVAL);
		return;
	}
	put_le(d + 1, 1u << irq, 2);
	aml_bytes(a, d, sizeof(d));
}

/* Interrupt (consumer/producer, edge/level, polarity, sharing) {gsi} */
void aml_res_interrupt(struct aml *a, const struct aml_res_irq *f,
		       uint32_t gsi)
{
	uint8_t d[9] = { RES_EXT_IRQ, 6, 0 };

	if (!is_in_template(a))
		return;
	d[3] = (f->producer ? 0 : 0x01) | (f->edge ? 0x02 : 0) |
	       (f->active_low ? 0x04 : 0) | (f->shared ? 0x08 : 0);
	d[4] = 1;               /* interrupt table length */
	put_le(d + 5, gsi, 4);
	aml_bytes(a, d, sizeof(d));
}

/*
 * Common head of the Address Space descriptors: resource type, general
 * flags and type-specific flags for a memory range.
 */
static void addr_head(uint8_t *d, const struct aml_res_mem *m)
{
	d[3] = 0;               /* resource type: memory range */
	d[4] = (m->producer ? 0 : 0x01) | (m->min_fixed ? 0x04 : 0) |
	       (m->max_fixed ? 0x08 : 0);       /* _DEC (bit 1) positive */
	d[5] = (m->read_write ? 0x01 : 0) | (m->cache << 1); /* _MTP memory */
}

void aml_res_dword_memory(struct aml *a, const struct aml_res_mem *m)
{
	uint8_t d[3 + RES_DWORD_ADDR_LEN] = { RES_DWORD_ADDR,
					      RES_DWORD_ADDR_LEN, 0 };
	const uint64_t v[5] = { m->granularity, m->min, m->max,
				m->translation, m->length };
	unsigned int i;

	if (!is_in_template(a))
		return;
	addr_head(d, m);
	for (i = 0; i < 5; i++) {
		if (v[i] > UINT32_MAX) {
			aml_set_err(a, -EINVAL);
			return;
		}
		put_le(d + 6 + 4 * i, v[i], 4);
	}
	aml_bytes(a, d, sizeof(d));
}

void aml_res_qword_memory(struct aml *a, const struct aml_res_mem *m)
{
	uint8_t d[3 + RES_QWORD_ADDR_LEN] = { RES_QWORD_ADDR,
					      RES_QWORD_ADDR_LEN, 0 };
	const uint64_t v[5] = { m->granularity, m->min, m->max,
				m->translation, m->length };
	unsigned int i;

	if (!is_in_template(a))
		return;
	addr_head(d, m);
	for (i = 0; i < 5; i++)
		put_le(d + 6 + 8 * i, v[i], 8);
	aml_bytes(a, d, sizeof(d));
}

/* A Word Address Space descriptor the bridge produces (MinFixed, MaxFixed,
 * PosDecode, granularity and translation 0): type 1 I/O (EntireRange),
 * type 2 bus numbers. */
static void word_range(struct aml *a, uint8_t type, uint16_t min,
		       uint16_t max)
{
	uint8_t d[3 + RES_WORD_ADDR_LEN] = { RES_WORD_ADDR, RES_WORD_ADDR_LEN, 0 };

	if (!is_in_template(a))
		return;
	if (max < min) {
		aml_set_err(a, -EINVAL);
		return;
	}
	d[3] = type;
	d[4] = 0x04 | 0x08;     /* producer, positive decode, MIF, MAF */
	d[5] = type == 1 ? 0x03 : 0;
	put_le(d + 8, min, 2);
	put_le(d + 10, max, 2);
	put_le(d + 14, (uint32_t)max - min + 1, 2);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
	word_range(a, 2, min, max);
}

void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	word_range(a, 1, min, max);
}
