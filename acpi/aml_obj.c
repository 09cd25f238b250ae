/*
 * AML emitter: named objects (Scope, Device, Method, Name, OperationRegion,
 * Field, Mutex, CreateXField) and the statement blocks (If, Else, While) and
 * Package. Each *_open() emits the opcode, opens a PkgLength frame and, where
 * the grammar puts them before the body, the fixed operands (the name, the
 * method flags, a package's element count). aml_close() ends the construct.
 */
#include <errno.h>
#include <string.h>

#include "acpi/aml_internal.h"

#define AML_SCOPE_OP     0x10
#define AML_PACKAGE_OP   0x12
#define AML_METHOD_OP    0x14
#define AML_NAME_OP      0x08
#define AML_IF_OP        0xa0
#define AML_ELSE_OP      0xa1
#define AML_WHILE_OP     0xa2
#define AML_EXT_PREFIX   0x5b
#define AML_MUTEX_OP     0x01   /* all below follow AML_EXT_PREFIX */
#define AML_ACQUIRE_OP   0x23
#define AML_RELEASE_OP   0x27
#define AML_REGION_OP    0x80
#define AML_FIELD_OP     0x81
#define AML_DEVICE_OP    0x82

static void aml_ext(struct aml *a, uint8_t op)
{
	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, op);
}

void aml_scope_open(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a, AML_FRAME_PLAIN);
	aml_name(a, path);
}

void aml_device_open(struct aml *a, const char *path)
{
	aml_ext(a, AML_DEVICE_OP);
	aml_open(a, AML_FRAME_PLAIN);
	aml_name(a, path);
}

void aml_method_open(struct aml *a, const char *path, unsigned int nargs,
		     bool serialized)
{
	if (nargs > 7) {
		aml_set_err(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_METHOD_OP);
	aml_open(a, AML_FRAME_PLAIN);
	aml_name(a, path);
	/* MethodFlags: bits 0-2 ArgCount, bit 3 Serialized, 4-7 SyncLevel. */
	aml_byte(a, nargs | (serialized ? 0x08 : 0));
}

void aml_if_open(struct aml *a)
{
	aml_byte(a, AML_IF_OP);
	aml_open(a, AML_FRAME_PLAIN);
}

void aml_else_open(struct aml *a)
{
	aml_byte(a, AML_ELSE_OP);
	aml_open(a, AML_FRAME_PLAIN);
}

void aml_while_open(struct aml *a)
{
	aml_byte(a, AML_WHILE_OP);
	aml_open(a, AML_FRAME_PLAIN);
}

void aml_package_open(struct aml *a, unsigned int nelems)
{
	if (nelems > 255) {     /* VarPackage is not needed yet */
		aml_set_err(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a, AML_FRAME_PLAIN);
	aml_byte(a, nelems);
}

void aml_name_decl(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
}

void aml_name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_name_decl(a, name);
	aml_int(a, v);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_name_decl(a, name);
	aml_string(a, s);
}

void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	aml_name_decl(a, name);
	aml_eisaid(a, id);
}

/* Method (NAME) { Return (v) } */
void aml_method_return_int(struct aml *a, const char *name, uint64_t v)
{
	aml_method_open(a, name, 0, false);
	aml_op(a, AML_RETURN);
	aml_int(a, v);
	aml_close(a);
}

void aml_opregion(struct aml *a, const char *name, enum aml_region_space sp,
		  uint64_t offset, uint64_t len)
{
	aml_ext(a, AML_REGION_OP);
	aml_name(a, name);
	aml_byte(a, sp);
	aml_int(a, offset);
	aml_int(a, len);
}

void aml_field_open(struct aml *a, const char *region,
		    enum aml_field_access acc, bool lock,
		    enum aml_field_update upd)
{
	aml_ext(a, AML_FIELD_OP);
	aml_open(a, AML_FRAME_FIELD);
	aml_name(a, region);
	aml_byte(a, acc | (lock ? 0x10 : 0) | (upd << 5));
}

/* NamedField: NameSeg PkgLength(bits). */
void aml_field_unit(struct aml *a, const char *name, unsigned int bits)
{
	struct aml_frame *f = aml_top(a, AML_FRAME_FIELD);
	uint8_t len[4];
	unsigned int n;

	if (!f)
		return;
	n = aml_pkglen_encode(len, bits);
	/* A field unit is one bare NameSeg: no prefix, no path. */
	if (!n || !bits || !*name || strpbrk(name, "\\^.")) {
		aml_set_err(a, -EINVAL);
		return;
	}
	aml_name(a, name);
	aml_bytes(a, len, n);
	f->field_bits += bits;
}

/* Offset(byte_offset): a ReservedField (0x00 PkgLength) skipping ahead. */
void aml_field_offset(struct aml *a, unsigned int byte_offset)
{
	struct aml_frame *f = aml_top(a, AML_FRAME_FIELD);
	uint64_t target = (uint64_t)byte_offset * 8;
	uint8_t len[4];
	unsigned int n;

	if (!f || target == f->field_bits)
		return;
	if (target < f->field_bits || target - f->field_bits > AML_PKGLEN_MAX) {
		aml_set_err(a, -EINVAL);
		return;
	}
	n = aml_pkglen_encode(len, target - f->field_bits);
	aml_byte(a, 0x00);
	aml_bytes(a, len, n);
	f->field_bits = target;
}

void aml_mutex(struct aml *a, const char *name, unsigned int sync_level)
{
	aml_ext(a, AML_MUTEX_OP);
	aml_name(a, name);
	aml_byte(a, sync_level & 0x0f);
}

void aml_acquire(struct aml *a, const char *mutex, uint16_t timeout)
{
	aml_ext(a, AML_ACQUIRE_OP);
	aml_name(a, mutex);
	aml_byte(a, timeout & 0xff);    /* WordData, not a TermArg */
	aml_byte(a, timeout >> 8);
}

void aml_release_mutex(struct aml *a, const char *mutex)
{
	aml_ext(a, AML_RELEASE_OP);
	aml_name(a, mutex);
}

/* CreateXField (buffer, byte_index, name) for an 8/16/32/64-bit field. */
void aml_create_field(struct aml *a, unsigned int bits, const char *buffer,
		      unsigned int byte_index, const char *name)
{
	switch (bits) {
	case 8:
		aml_op(a, AML_CREATE_BYTE_FIELD);
		break;
	case 16:
		aml_op(a, AML_CREATE_WORD_FIELD);
		break;
	case 32:
		aml_op(a, AML_CREATE_DWORD_FIELD);
		break;
	case 64:
		aml_op(a, AML_CREATE_QWORD_FIELD);
		break;
	default:
		aml_set_err(a, -EINVAL);
		return;
	}
	aml_name(a, buffer);
	aml_int(a, byte_index);
	aml_name(a, name);
}
