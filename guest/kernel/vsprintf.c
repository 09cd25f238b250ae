/*
 * vsnprintf: a small printf formatter.
 *
 * The output state (struct out) always counts every character the full
 * result would need but stores only what fits, leaving room for the NUL.
 *
 * Boot runs on an emulated CPU where each instruction counts, and a boot
 * log line is mostly literal text with a few %s, %u and %x, so the common
 * path is kept short:
 *  - literal runs and %s strings are measured a word (8 bytes) at a time,
 *    the way Linux's word-at-a-time string functions do, and copied out
 *    with one memcpy each, never a character at a time;
 *  - a conversion without flags, width or precision skips their parsing
 *    (one comparison: those characters all sort below 'A');
 *  - integers are written backwards into a scratch buffer, decimal by
 *    division by the constant 10 (a multiply), hex by shifts, then copied
 *    out in one piece.
 */
#include "kernel/vsprintf.h"
#include "kernel/string.h"

struct out {
	char *buf;
	size_t size;
	size_t pos;     /* characters produced so far, stored or not */
};

struct spec {
	bool left;          /* '-' */
	bool zero;          /* '0' */
	bool alt;           /* '#': 0x prefix for %x */
	int width;
	int precision;      /* -1: none */
	int len;            /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

/* ------------------------------------------------------------- output */

/* Store what fits of @s[0..n) and count all of it. */
static void put_mem(struct out *o, const char *s, size_t n)
{
	size_t room = o->pos + 1 < o->size ? o->size - 1 - o->pos : 0;

	memcpy(o->buf + o->pos, s, n < room ? n : room);
	o->pos += n;
}

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* @s[0..n), space-padded to the field width on the side @sp says. */
static void put_field(struct out *o, const char *s, size_t n,
		      const struct spec *sp)
{
	int pad = sp->width - (int)n;

	if (!sp->left)
		put_pad(o, ' ', pad);
	put_mem(o, s, n);
	if (sp->left)
		put_pad(o, ' ', pad);
}

/* ------------------------------------------------------------- scanning */

typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD_ONES  0x0101010101010101ull
#define WORD_HIGHS 0x8080808080808080ull

/* Non-zero iff a byte of @w is zero; the lowest set bit is in the first
 * such byte (bits above it may be false hits, from the borrow). */
static inline uint64_t zero_bytes(uint64_t w)
{
	return (w - WORD_ONES) & ~w & WORD_HIGHS;
}

/*
 * Length of the run at @s up to its first NUL or @stop byte. Reads the
 * aligned words that hold the run: an aligned word never crosses a page,
 * so no read goes past the page of the terminator. The bytes of the first
 * word before @s are forced to 0xff, which matches neither.
 */
static inline __attribute__((always_inline))
size_t span_to(const char *s, char stop)
{
	const word_t *w = (const word_t *)((uintptr_t)s & ~7ul);
	uint64_t stops = (unsigned char)stop * WORD_ONES;
	uint64_t v = *w | ((1ull << (((uintptr_t)s & 7) * 8)) - 1);
	uint64_t hit;

	while (!(hit = zero_bytes(v) | zero_bytes(v ^ stops)))
		v = *++w;
	return (const char *)w + (__builtin_ctzll(hit) >> 3) - s;
}

/* ------------------------------------------------------------- numbers */

/* Digits of @v in base 10 or 16, written backwards ending at @end;
 * returns the first. */
static char *format_digits(char *end, unsigned long long v,
			   unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	if (base == 10) {
		do {
			*--end = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		return end;
	}
	do {
		*--end = digits[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

static void put_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, const struct spec *sp)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp);
	char *p = format_digits(end, v, base, upper);
	int pad = sp->width - (int)(end - p) - neg;

	if (pad > 0 && !sp->left && sp->zero) {    /* "-0042" */
		if (neg)
			put(o, '-');
		put_pad(o, '0', pad);
		put_mem(o, p, end - p);
		return;
	}
	if (neg)
		*--p = '-';
	put_field(o, p, end - p, sp);
}

/* ------------------------------------------------------------- parsing */

/* Parse flags, width, precision and length after a '%'; returns the
 * conversion character. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	if (*f >= 'A')                  /* no flags, width or precision */
		goto length;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->precision = 0;
		for (f++; *f >= '0' && *f <= '9'; f++)
			sp->precision = sp->precision * 10 + (*f - '0');
	}
length:
	for (; *f == 'l' || *f == 'h' || *f == 'z'; f++)
		sp->len += *f == 'h' ? -1 : (*f == 'z' ? 2 : 1);
	return f;
}

static long long arg_signed(const struct spec *sp, va_list *ap)
{
	if (sp->len >= 2)
		return va_arg(*ap, long long);
	if (sp->len == 1)
		return va_arg(*ap, long);
	if (sp->len == -1)
		return (short)va_arg(*ap, int);
	if (sp->len <= -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

static unsigned long long arg_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->len >= 2)
		return va_arg(*ap, unsigned long long);
	if (sp->len == 1)
		return va_arg(*ap, unsigned long);
	if (sp->len == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (sp->len <= -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	if (!s)
		s = "(null)";
	put_field(o, s, sp->precision >= 0 ? strnlen(s, sp->precision)
					   : span_to(s, '\0'), sp);
}

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	long long sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(sp, ap);
		put_num(o, sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv,
			sv < 0, 10, false, sp);
		break;
	case 'u':
		put_num(o, arg_unsigned(sp, ap), false, 10, false, sp);
		break;
	case 'x':
	case 'X':
		if (sp->alt) {
			put(o, '0');
			put(o, c);
		}
		put_num(o, arg_unsigned(sp, ap), false, 16, c == 'X', sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		sp->zero = true;
		sp->width = 16;
		put_num(o, (uintptr_t)va_arg(*ap, void *), false, 16, false, sp);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		put_field(o, &ch, 1, sp);
		break;
	case 's':
		put_string(o, va_arg(*ap, const char *), sp);
		break;
	default:                /* '%' and anything unknown: print it */
		put(o, c);
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	struct spec sp;
	va_list aq;
	size_t n;

	va_copy(aq, ap);
	for (;;) {
		n = span_to(fmt, '%');
		if (n) {
			put_mem(&o, fmt, n);
			fmt += n;
		}
		if (!*fmt)
			break;
		fmt = parse_spec(fmt + 1, &sp, &aq);
		if (!*fmt)
			break;
		convert(&o, *fmt++, &sp, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
