/*
 * vsnprintf: a small printf formatter.
 *
 * The output state (struct out) always counts every character the full
 * result would need but stores only what fits, leaving room for the NUL.
 * Literal text is copied run by run, not character by character.
 * Integers are converted least-significant digit first into a 24-byte
 * scratch buffer, then padded and copied out.
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

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

/* Copy the literal run at @s (up to '%' or the end) in one piece; returns
 * where it stopped. Boot formats a few lines, mostly literal text. */
static const char *put_literal(struct out *o, const char *s)
{
	const char *e = s;
	size_t n, room;

	while (*e && *e != '%')
		e++;
	n = e - s;
	room = o->pos + 1 < o->size ? o->size - 1 - o->pos : 0;
	memcpy(o->buf + o->pos, s, n < room ? n : room);
	o->pos += n;
	return e;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const char *s, int n, const struct spec *sp)
{
	int pad = sp->width - n;

	if (!sp->left)
		put_pad(o, ' ', pad);
	while (n--)
		put(o, *s++);
	if (sp->left)
		put_pad(o, ' ', pad);
}

static void put_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	pad = sp->width - n - (neg ? 1 : 0);
	if (!sp->left && !sp->zero)
		put_pad(o, ' ', pad);
	if (neg)
		put(o, '-');
	if (!sp->left && sp->zero)
		put_pad(o, '0', pad);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

/* Parse flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
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

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	const char *s;
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
		put_str(o, &ch, 1, sp);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		put_str(o, s, sp->precision >= 0 ? (int)strnlen(s, sp->precision)
						 : (int)strlen(s), sp);
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

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			fmt = put_literal(&o, fmt) - 1;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		if (!*fmt)
			break;
		convert(&o, *fmt, &sp, &aq);
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
