/*
 * AML emitter core: the growable byte buffer, PkgLength frames, and the
 * data encodings (integers, strings, names, EISA ids, buffers).
 *
 * A frame records where a PkgLength construct's body starts. Nothing is
 * reserved for the length while the body is emitted; aml_close() measures
 * the body, picks the smallest PkgLength form that can hold it (the value
 * counts its own 1..4 bytes) and moves the body up to make room. A Buffer's
 * BufferSize integer is inserted the same way, so its size need not be known
 * in advance either. Bodies are small (a DSDT is kilobytes), so the memmove
 * per close costs nothing worth avoiding.
 *
 * Encodings follow ACPI 6.4, chapter 20 (AML Specification).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/aml_internal.h"

#define AML_ZERO_OP      0x00
#define AML_ONE_OP       0x01
#define AML_BYTE_PREFIX  0x0a
#define AML_WORD_PREFIX  0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_BUFFER_OP    0x11
#define AML_DUAL_NAME    0x2e
#define AML_MULTI_NAME   0x2f
#define AML_EXT_PREFIX   0x5b
#define AML_ROOT_CHAR    0x5c
#define AML_PARENT_CHAR  0x5e
#define AML_LOCAL0       0x60
#define AML_ARG0         0x68
#define AML_END_TAG      0x79
#define AML_ONES_OP      0xff

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_release(struct aml *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

int aml_finish(struct aml *a)
{
	if (!a->err && a->depth)
		a->err = -EINVAL;
	return a->err;
}

void aml_set_err(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

/* Make room for @n more bytes: 0, or -errno (also recorded in a->err). */
static int aml_reserve(struct aml *a, size_t n)
{
	size_t cap = a->cap ? a->cap : 256;
	uint8_t *nb;

	if (a->err)
		return a->err;
	if (a->len + n <= a->cap)
		return 0;
	if (n > AML_PKGLEN_MAX || a->len > SIZE_MAX / 4) {
		aml_set_err(a, -E2BIG);
		return -E2BIG;
	}
	while (cap < a->len + n)
		cap *= 2;
	nb = realloc(a->buf, cap);
	if (!nb) {
		aml_set_err(a, -ENOMEM);
		return -ENOMEM;
	}
	a->buf = nb;
	a->cap = cap;
	return 0;
}

void aml_bytes(struct aml *a, const void *data, size_t len)
{
	if (aml_reserve(a, len))
		return;
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

void aml_open(struct aml *a, enum aml_frame_kind kind)
{
	struct aml_frame *f;

	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		aml_set_err(a, -E2BIG);
		return;
	}
	f = &a->frame[a->depth++];
	f->kind = kind;
	f->start = a->len;
	f->field_bits = 0;
	f->zero_checksum = false;
}

struct aml_frame *aml_top(struct aml *a, enum aml_frame_kind kind)
{
	if (a->err)
		return NULL;
	if (!a->depth || a->frame[a->depth - 1].kind != kind) {
		aml_set_err(a, -EINVAL);
		return NULL;
	}
	return &a->frame[a->depth - 1];
}

unsigned int aml_pkglen_encode(uint8_t out[4], uint32_t len)
{
	unsigned int n, i;

	if (len <= 0x3f) {
		out[0] = len;
		return 1;
	}
	if (len <= 0xfff)
		n = 2;
	else if (len <= 0xfffff)
		n = 3;
	else if (len <= AML_PKGLEN_MAX)
		n = 4;
	else
		return 0;
	/* Lead byte: bits 7-6 count the bytes that follow, 3-0 low nibble. */
	out[0] = ((n - 1) << 6) | (len & 0x0f);
	for (i = 1; i < n; i++)
		out[i] = (len >> (4 + 8 * (i - 1))) & 0xff;
	return n;
}

/* Smallest integer encoding of @v into @out; returns its length. */
static size_t aml_int_encode(uint8_t out[9], uint64_t v)
{
	size_t n, i;

	if (v == 0 || v == 1 || v == UINT64_MAX) {
		out[0] = v == 0 ? AML_ZERO_OP : v == 1 ? AML_ONE_OP : AML_ONES_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (i = 0; i < n; i++)
		out[1 + i] = (v >> (8 * i)) & 0xff;
	return 1 + n;
}

/* EndTag, with the checksum byte making the template's descriptors and
 * EndTag sum to 0 -- or 0, which tells OSPM to skip the check. */
static void aml_end_tag(struct aml *a, const struct aml_frame *f)
{
	uint8_t sum = AML_END_TAG;
	size_t i;

	for (i = f->start; i < a->len; i++)
		sum += a->buf[i];
	aml_byte(a, AML_END_TAG);
	aml_byte(a, f->zero_checksum ? 0 : (uint8_t)-sum);
}

/* Insert @n bytes of @pre at offset @at, moving what follows up. */
static void aml_insert(struct aml *a, size_t at, const uint8_t *pre, size_t n)
{
	if (aml_reserve(a, n))
		return;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, pre, n);
	a->len += n;
}

void aml_close(struct aml *a)
{
	uint8_t pre[4 + 9], size[9];
	struct aml_frame *f;
	size_t body, nsize = 0;
	unsigned int k;

	if (a->err)
		return;
	if (!a->depth) {
		aml_set_err(a, -EINVAL);
		return;
	}
	f = &a->frame[a->depth - 1];
	if (f->kind == AML_FRAME_RESTEMPLATE)
		aml_end_tag(a, f);
	body = a->len - f->start;
	if (f->kind == AML_FRAME_BUFFER || f->kind == AML_FRAME_RESTEMPLATE)
		nsize = aml_int_encode(size, body);
	body += nsize;
	/* The PkgLength value includes the PkgLength's own bytes. */
	for (k = 1; k <= 4; k++)
		if (body + k <= AML_PKGLEN_MAX &&
		    aml_pkglen_encode(pre, body + k) == k)
			break;
	if (k > 4) {
		aml_set_err(a, -E2BIG);
		return;
	}
	memcpy(pre + k, size, nsize);
	aml_insert(a, f->start, pre, k + nsize);
	if (!a->err)
		a->depth--;
}

void aml_int(struct aml *a, uint64_t v)
{
	uint8_t out[9];

	aml_bytes(a, out, aml_int_encode(out, v));
}

void aml_string(struct aml *a, const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		if ((unsigned char)*p > 0x7f) {
			aml_set_err(a, -EINVAL);
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static bool aml_is_lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

/* Emit one NameSeg of 1..4 characters from @s, padded with '_'. */
static void aml_name_seg(struct aml *a, const char *s, size_t n)
{
	char seg[4] = { '_', '_', '_', '_' };
	size_t i;

	if (n < 1 || n > 4 || !aml_is_lead_char(s[0])) {
		aml_set_err(a, -EINVAL);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!aml_is_lead_char(s[i]) && !(s[i] >= '0' && s[i] <= '9')) {
			aml_set_err(a, -EINVAL);
			return;
		}
		seg[i] = s[i];
	}
	aml_bytes(a, seg, 4);
}

void aml_name(struct aml *a, const char *path)
{
	unsigned int nseg = 0;
	const char *p, *end;

	if (*path == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		path++;
	} else {
		for (; *path == '^'; path++)
			aml_byte(a, AML_PARENT_CHAR);
	}
	if (!*path) {
		aml_byte(a, 0x00);              /* NullName */
		return;
	}
	for (p = path, nseg = 1; *p; p++)
		nseg += *p == '.';
	if (nseg == 2) {
		aml_byte(a, AML_DUAL_NAME);
	} else if (nseg > 2) {
		if (nseg > 255) {
			aml_set_err(a, -EINVAL);
			return;
		}
		aml_byte(a, AML_MULTI_NAME);
		aml_byte(a, nseg);
	}
	for (p = path; ; p = end + 1) {
		end = strchr(p, '.');
		aml_name_seg(a, p, end ? (size_t)(end - p) : strlen(p));
		if (!end)
			break;
	}
}

uint32_t aml_eisaid_value(const char *id)
{
	uint32_t v = 0;
	unsigned int i;

	if (strlen(id) != 7)
		return 0;
	/* Three letters, 5 bits each ('A' = 1), big-endian in 16 bits... */
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		v = (v << 5) | (uint32_t)(id[i] - 0x40);
	}
	/* ...then four hex digits; the whole is stored big-endian. */
	for (i = 3; i < 7; i++) {
		char c = id[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		v = (v << 4) | d;
	}
	return __builtin_bswap32(v);
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = aml_eisaid_value(id);
	uint8_t out[5] = { AML_DWORD_PREFIX, v, v >> 8, v >> 16, v >> 24 };

	if (!v) {
		aml_set_err(a, -EINVAL);
		return;
	}
	/* Always a DWordConst, as iasl emits EISAID(). */
	aml_bytes(a, out, sizeof(out));
}

void aml_local(struct aml *a, unsigned int n)
{
	if (n > 7)
		aml_set_err(a, -EINVAL);
	else
		aml_byte(a, AML_LOCAL0 + n);
}

void aml_arg(struct aml *a, unsigned int n)
{
	if (n > 6)
		aml_set_err(a, -EINVAL);
	else
		aml_byte(a, AML_ARG0 + n);
}

void aml_null_target(struct aml *a)
{
	aml_byte(a, 0x00);
}

void aml_buffer(struct aml *a, const void *data, size_t len)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_FRAME_BUFFER);
	aml_bytes(a, data, len);
	aml_close(a);
}

void aml_op(struct aml *a, enum aml_opcode op)
{
	if (op > 0xff)
		aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, op & 0xff);
}
