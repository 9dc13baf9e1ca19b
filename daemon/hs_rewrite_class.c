/*
 * One code point of a rewrite (hs_rewrite.c): a literal character with
 * its case forms, an escape, a bracket class, as a class of bytes or an
 * alternation of byte strings.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "hs_rewrite.h"
#include "hs_rewrite_internal.h"
#include "pattern.h"
#include "xmalloc.h"

/* What one code point cp matches, caseless or not. */
void
hsr_literal(struct parser *ps, uint32_t cp, int caseless, struct item *it)
{
	uint32_t	forms[32];
	size_t		n = 1, k;
	int		ascii = 1;

	forms[0] = cp;
	if (caseless)
		n = hsr_pcre2_forms(ps->rw, cp, forms, 32);
	for (k = 0; k < n; k++)
		ascii &= forms[k] < 0x80;
	if (ascii) {
		hsr_item_init(it, I_CLASS);
		for (k = 0; k < n; k++)
			hsr_bs_add(&it->set, forms[k]);
		it->L = 1;
		it->fw = it->lw = hsr_bs_word(&it->set);
		return;
	}
	hsr_item_init(it, I_TEXT);
	hsr_put_forms(&it->out, forms, n);
}

/* A class of an escape (\d ...) or of PCRE2 text, its ASCII part asked. */
static int
ask_ascii(struct parser *ps, const char *s, size_t n, struct flags f,
    struct bset *set)
{
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	unsigned	 c;
	int		 err;
	char		 ch;

	re = pcre2_compile((PCRE2_SPTR)s, n, PCRE2_UTF | PCRE2_UCP |
	    (f.i ? PCRE2_CASELESS : 0) | (f.xx ? PCRE2_EXTENDED_MORE : 0) |
	    (f.s ? PCRE2_DOTALL : 0), &err, &off, NULL);
	if (re == NULL) {
		ps->why = "a class PCRE2 does not compile alone";
		return -1;
	}
	for (c = 0; c < 128; c++) {
		ch = (char)c;
		if (pcre2_match(re, (PCRE2_SPTR)&ch, 1, 0, PCRE2_ANCHORED,
		    ps->rw->md, NULL) >= 1)
			hsr_bs_add(set, c);
	}
	pcre2_code_free(re);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* The next character of the pattern as a code point (valid UTF-8). */
uint32_t
hsr_next_cp(struct parser *ps)
{
	ucs4_t	uc;
	int	n;

	n = u8_mbtoucr(&uc, (const uint8_t *)ps->p + ps->i, ps->len - ps->i);
	if (n <= 0) {
		ps->i++;
		ps->why = "invalid UTF-8 in the pattern";
		return 0xfffd;
	}
	ps->i += (size_t)n;
	return uc;
}

/*
 * An escape that stands for one character, at ps->i just past the
 * backslash: its code point, or -1 if it is not one.
 */
long
hsr_escaped_char(struct parser *ps)
{
	const char	*p = ps->p;
	size_t		 len = ps->len;
	long		 v = 0;
	int		 h, k;
	char		 c = p[ps->i];

	switch (c) {
	case 'a': ps->i++; return 7;
	case 'e': ps->i++; return 0x1b;
	case 'f': ps->i++; return 0x0c;
	case 'n': ps->i++; return 0x0a;
	case 'r': ps->i++; return 0x0d;
	case 't': ps->i++; return 0x09;
	case 'c':
		if (ps->i + 1 >= len)
			return -1;
		ps->i += 2;
		return (p[ps->i - 1] >= 'a' && p[ps->i - 1] <= 'z' ?
		    p[ps->i - 1] - 32 : p[ps->i - 1]) ^ 0x40;
	case 'x':
		ps->i++;
		if (ps->i < len && p[ps->i] == '{') {
			for (ps->i++; ps->i < len && (h = hexval(p[ps->i])) >= 0;
			    ps->i++)
				v = v * 16 + h;
			if (ps->i < len && p[ps->i] == '}')
				ps->i++;
			return v > 0x10ffff ? 0xfffd : v;
		}
		for (k = 0; k < 2 && ps->i < len && (h = hexval(p[ps->i])) >= 0;
		    k++, ps->i++)
			v = v * 16 + h;
		return v;
	case 'o':
		ps->i++;
		if (ps->i < len && p[ps->i] == '{') {
			for (ps->i++; ps->i < len && p[ps->i] >= '0' &&
			    p[ps->i] <= '7'; ps->i++)
				v = v * 8 + (p[ps->i] - '0');
			if (ps->i < len && p[ps->i] == '}')
				ps->i++;
		}
		return v > 0x10ffff ? 0xfffd : v;
	case '0':
		for (k = 0; k < 3 && ps->i < len && p[ps->i] >= '0' &&
		    p[ps->i] <= '7'; k++, ps->i++)
			v = v * 8 + (p[ps->i] - '0');
		return v;
	case 'N':
		if (ps->i + 3 < len && p[ps->i + 1] == '{' &&
		    p[ps->i + 2] == 'U' && p[ps->i + 3] == '+') {
			for (ps->i += 4; ps->i < len && (h = hexval(p[ps->i])) >= 0;
			    ps->i++)
				v = v * 16 + h;
			if (ps->i < len && p[ps->i] == '}')
				ps->i++;
			return v > 0x10ffff ? 0xfffd : v;
		}
		return -1;
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			return -1;
		return (long)hsr_next_cp(ps);
	}
}

/*
 * An escape inside a class, just past the backslash: a character (its
 * code point; \1 to \7 are octal there, \b a backspace), -2 for one of
 * ESCAPES (added to set), or -1.
 */
static long
class_escaped_char(struct parser *ps, struct bset *set, int *L)
{
	const char	*e;
	long		 v = 0;
	int		 k;
	char		 c = ps->p[ps->i];

	if (c >= '1' && c <= '7') {
		for (k = 0; k < 3 && ps->i < ps->len && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '7'; k++, ps->i++)
			v = v * 8 + (ps->p[ps->i] - '0');
		return v;
	}
	if (c == 'b') {
		ps->i++;
		return 8;
	}
	if ((e = strchr(ESCAPES, c)) != NULL && c != '\0') {
		ps->i++;
		for (k = 0; k < 4; k++)
			set->w[k] |= ps->rw->esc[e - ESCAPES].w[k];
		if (ps->rw->escL[e - ESCAPES] > *L)
			*L = ps->rw->escL[e - ESCAPES];
		return -2;
	}
	return hsr_escaped_char(ps);
}


/* Adds what cp matches beyond ASCII (with its case forms if caseless). */
static void
class_member(struct parser *ps, uint32_t cp, int caseless, struct bset *set,
    int *L)
{
	uint32_t	forms[32];
	size_t		n = 1, k;

	forms[0] = cp;
	if (caseless)
		n = hsr_case_forms(ps->rw, cp, forms, 32);
	for (k = 0; k < n; k++)
		if (forms[k] >= 0x80)
			hsr_bs_code_point(set, forms[k], L);
}

/*
 * A bracket class [...] at ps->i. Its ASCII members are asked of PCRE2;
 * beyond ASCII it takes the lead bytes of its members (and their case
 * forms), or every byte where a member is a class of its own (\w, a
 * POSIX class, a property) or the class is negated.
 */
void
hsr_parse_class(struct parser *ps, struct flags f, struct item *it)
{
	size_t		 start = ps->i, end;
	const char	*p = ps->p;
	long		 prev = -1, c;
	int		 wide = 0, L = 1, kelvin, longs;

	end = pattern_class_end(p, ps->len, start);
	hsr_item_init(it, I_CLASS);
	if ((end - start == 7 && (memcmp(p + start, "[[:<:]]", 7) == 0 ||
	    memcmp(p + start, "[[:>:]]", 7) == 0))) {
		ps->i = end;
		it->kind = I_EMPTY;	/* a word boundary: dropped */
		return;
	}
	if (ask_ascii(ps, p + start, end - start, f, &it->set) != 0)
		return;
	ps->i = start + 1;
	if (ps->i < end && p[ps->i] == '^') {
		wide = 1;
		ps->i = end;
	}
	while (ps->i < end - 1 && !wide) {
		if (f.xx && (p[ps->i] == ' ' || p[ps->i] == '\t')) {
			ps->i++;
			continue;
		}
		if (p[ps->i] == '[' && ps->i + 1 < end && strchr(":.=",
		    p[ps->i + 1]) != NULL) {
			wide = 1;
			break;
		}
		if (p[ps->i] == '\\' && ps->i + 1 < end) {
			if (p[ps->i + 1] == 'Q') {
				ps->i += 2;
				ps->quote = 1;
				continue;
			}
			if (p[ps->i + 1] == 'E') {
				ps->i += 2;
				ps->quote = 0;
				continue;
			}
		}
		if (!ps->quote && p[ps->i] == '\\') {
			ps->i++;
			if ((c = class_escaped_char(ps, &it->set, &L)) == -2) {
				prev = -1;	/* \d, \s, \h, \v */
				continue;
			}
			if (c < 0) {
				wide = 1;	/* \w, \p{..}, ... */
				break;
			}
		} else if (!ps->quote && p[ps->i] == '-' && prev >= 0 &&
		    ps->i + 1 < end - 1) {
			ps->i++;
			if (p[ps->i] == '\\') {
				ps->i++;
				if ((c = class_escaped_char(ps, &it->set,
				    &L)) < 0) {
					wide = 1;
					break;
				}
			} else
				c = (long)hsr_next_cp(ps);
			if (c >= 0x80 && !f.i) {
				/* Lead bytes grow with the code point. */
				uint8_t	lo[6], hi[6];

				(void)u8_uctomb(lo, prev > 0x80 ? (ucs4_t)prev :
				    0x80, sizeof lo);
				(void)u8_uctomb(hi, (ucs4_t)c, sizeof hi);
				hsr_bs_range(&it->set, lo[0], hi[0]);
				hsr_bs_code_point(&it->set, (uint32_t)c, &L);
			} else if (c >= 0x80 && c - prev <= RANGE_FOLD_MAX) {
				long	k;

				for (k = prev > 0x80 ? prev : 0x80; k <= c; k++)
					class_member(ps, (uint32_t)k, 1,
					    &it->set, &L);
			} else if (c >= 0x80)
				wide = 1;
			prev = -1;
			continue;
		} else
			c = (long)hsr_next_cp(ps);
		if (c >= 0x80)
			class_member(ps, (uint32_t)c, f.i, &it->set, &L);
		prev = c;
	}
	ps->quote = 0;
	kelvin = f.i && (hsr_bs_has(&it->set, 'k') || hsr_bs_has(&it->set, 'K'));
	longs = f.i && (hsr_bs_has(&it->set, 's') || hsr_bs_has(&it->set, 'S'));
	if (!wide && L == 1 && (kelvin || longs)) {
		/*
		 * An ASCII class but for the Kelvin sign or the long s (a
		 * caseless k or s): one code point exactly, as an
		 * alternation, not a class of any bytes up to three long.
		 */
		struct bset	set = it->set;

		hsr_item_init(it, I_TEXT);
		hsr_puts(&it->out, "(?:");
		hsr_put_set(&it->out, &set);
		hsr_puts(&it->out, kelvin ? "|\\xe2\\x84\\xaa" : "");
		hsr_puts(&it->out, longs ? "|\\xc5\\xbf" : "");
		hsr_puts(&it->out, ")");
		ps->i = end;
		return;
	}
	if (kelvin)
		hsr_bs_code_point(&it->set, 0x212a, &L);
	if (longs)
		hsr_bs_code_point(&it->set, 0x17f, &L);
	if (wide)
		hsr_bs_high(&it->set, &L);
	it->L = L;
	it->fw = it->lw = L == 1 && hsr_bs_word(&it->set);
	ps->i = end;
}

/* A class escape outside brackets (\d, \W, \p{L} ...). */
void
hsr_class_escape(struct parser *ps, struct flags f, char c, size_t at,
    struct item *it)
{
	hsr_item_init(it, I_CLASS);
	if (c == 'p' || c == 'P') {
		if (ps->i < ps->len && ps->p[ps->i] == '{') {
			while (ps->i < ps->len && ps->p[ps->i] != '}')
				ps->i++;
			ps->i++;
		} else
			ps->i++;
		if (ps->i > ps->len)
			ps->i = ps->len;
	}
	if (c == 'C') {
		hsr_bs_range(&it->set, 0, 0xff);
		it->L = 1;
		return;
	}
	if (ask_ascii(ps, ps->p + at, ps->i - at, f, &it->set) != 0)
		return;
	if (strchr(ESCAPES, c) != NULL || c == 'R') {
		const char	*e = strchr(ESCAPES, c == 'R' ? 'v' : c);
		int		 k;

		for (k = 0; k < 4; k++)
			it->set.w[k] |= ps->rw->esc[e - ESCAPES].w[k];
		it->L = ps->rw->escL[e - ESCAPES];
	} else
		hsr_bs_high(&it->set, &it->L);
	if (c == 'R')
		hsr_bs_range(&it->set, 0x0a, 0x0d);	/* \r\n is two of them */
}
