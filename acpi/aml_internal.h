/*
 * AML emitter internals: the buffer and its open constructs. The emitter's
 * API, which devices call for their DSDT parts, is in acpi/acpi.h.
 *
 * AML is prefix notation, so the emitter is a stream: an operator is emitted
 * first and its operands are simply the next things emitted. ASL
 *
 *	Store (Local0, MSEL)
 *
 * becomes
 *
 *	aml_op(a, AML_STORE); aml_local(a, 0); aml_name(a, "MSEL");
 *
 * Constructs that carry a PkgLength (Scope, Device, Method, If, Else, While,
 * Package, Buffer, Field, ResourceTemplate) are opened with an aml_*_open()
 * call and finished with aml_close(); the length is computed and inserted,
 * in its smallest 1..4 byte form, when the construct is closed. Opens nest up
 * to AML_MAX_DEPTH.
 *
 * Errors are sticky: the first failure (-ENOMEM, -EINVAL for a malformed name
 * or a misplaced call, -E2BIG for an oversized package) is recorded in
 * a->err, every later call is a no-op, and aml_finish() reports it. Builders
 * therefore emit a whole table and check once at the end.
 */
#ifndef ACPI_AML_INTERNAL_H
#define ACPI_AML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi/acpi.h"

#define AML_MAX_DEPTH 32

/* Largest value a PkgLength can hold (4-byte form, 28 bits). */
#define AML_PKGLEN_MAX 0x0fffffffu

enum aml_frame_kind {
	AML_FRAME_PLAIN,        /* opcode PkgLength body */
	AML_FRAME_BUFFER,       /* BufferOp PkgLength BufferSize bytes */
	AML_FRAME_RESTEMPLATE,  /* a Buffer of resource descriptors + EndTag */
	AML_FRAME_FIELD,        /* FieldOp PkgLength name flags FieldList */
};

/* An open PkgLength construct. */
struct aml_frame {
	enum aml_frame_kind kind;
	size_t start;           /* offset where the PkgLength will be inserted */
	uint64_t field_bits;    /* FIELD: bit offset of the next field unit */
	bool zero_checksum;     /* RESTEMPLATE: EndTag checksum 0 ("valid") */
};

struct aml {
	uint8_t *buf;           /* the bytecode emitted so far */
	size_t len;             /* bytes used in buf */
	size_t cap;             /* bytes allocated in buf */
	struct aml_frame frame[AML_MAX_DEPTH];
	unsigned int depth;     /* open frames */
	int err;                /* first error, 0 if none (sticky) */
};

/* ---- shared between aml*.c only ---- */
void aml_set_err(struct aml *a, int err);
void aml_open(struct aml *a, enum aml_frame_kind kind);
struct aml_frame *aml_top(struct aml *a, enum aml_frame_kind kind);

#endif
