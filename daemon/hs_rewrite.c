/*
 * A rule's PCRE2 pattern rewritten for the automaton (automaton.c): a
 * Vectorscan pattern in byte mode that matches wherever PCRE2 (UTF, UCP,
 * MATCH_INVALID_UTF, the rule's caseless) matches, and may match more.
 * PCRE2 still decides every rule the automaton reports, so a rewrite may
 * widen but must never narrow: a narrowing would hide a match.
 *
 * Byte mode keeps compiles cheap (UTF-8 mode's Unicode classes cost ten
 * times as much) and makes invalid UTF-8 harmless. What stands for one
 * code point becomes a class of bytes: its ASCII members, found by asking
 * PCRE2 itself (so POSIX classes, properties and caseless ranges are
 * right by construction), plus, where it can match beyond ASCII, the lead
 * bytes of those code points and the continuation bytes, repeated up to
 * the longest encoding. A repeat {n,m} of such a class becomes {n,L*m}
 * bytes, unbounded past HS_REWRITE_BOUND. Caseless letters become the
 * alternation of their case forms (k and s also the Kelvin sign and the
 * long s, which PCRE2 matches for them). Look-arounds, \B, \G and \K
 * go; atomic groups and possessive or lazy repeats become plain ones; a
 * back reference becomes a copy of its group, or anything; \b stays only
 * where an ASCII word character stands next to it (beside a letter beyond
 * ASCII a byte scan sees no word byte). What cannot be rewritten safely
 * (conditionals, (*ACCEPT)) is refused, and its rule takes another path.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <unicase.h>
#include <unistr.h>

#include "hs_rewrite.h"
#include "xmalloc.h"

#define TEXT_BOUND	8		/* repeats of a group, likewise */
#define TEXT_BOUND_SHORT 32		/* ... of a group this short or shorter */
#define TEXT_SHORT	200
#define OUT_MAX		(256u * 1024)	/* a rewrite longer than this is refused */
#define DEPTH_MAX	200		/* nested groups */
#define RANGE_FOLD_MAX	4096		/* code points of a caseless range */
#define ANY		"[\\x00-\\xff]*"

/* A code point and one that PCRE2 takes as the same letter caselessly. */
struct fold_pair {
	uint32_t	key;
	uint32_t	cp;
};

struct bset {
	uint64_t	w[4];
};

/* \d, \s, \h, \v beyond ASCII: their lead bytes (as PCRE2 has them). */
#define ESCAPES	"dshv"

struct hs_rewriter {
	struct fold_pair	*folds;	/* by key: every cp whose key is not itself */
	size_t			 nfolds;
	pcre2_match_data	*md;
	uint32_t		 ascii[128][4];	/* PCRE2's case forms of ASCII */
	unsigned char		 nascii[128];
	struct bset		 esc[4];	/* as ESCAPES */
	int			 escL[4];
};

static size_t	case_forms(const struct hs_rewriter *, uint32_t, uint32_t *,
		    size_t);
static size_t	pcre2_forms(struct hs_rewriter *, uint32_t, uint32_t *,
		    size_t);
static void	escape_leads(struct hs_rewriter *, size_t);
static void	bs_code_point(struct bset *, uint32_t, int *);
static void	bs_range(struct bset *, unsigned, unsigned);

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

enum item_kind {
	I_NONE,		/* nothing at all: (?i), a comment, a verb */
	I_EMPTY,	/* a dropped assertion: takes a quantifier, matches "" */
	I_BOUND,	/* \b, kept or not once its neighbours are known */
	I_ANCHOR,	/* ^ or $ */
	I_CLASS,	/* one code point, as a byte class */
	I_TEXT		/* anything else, as Vectorscan text */
};

struct item {
	enum item_kind	kind;
	struct bset	set;	/* I_CLASS */
	int		L;	/* I_CLASS: bytes a code point takes at most */
	struct buf	out;	/* I_TEXT, I_ANCHOR */
	int		fw;	/* every match starts with an ASCII word byte */
	int		lw;	/* ... ends with one */
};

struct flags {
	int	i, s, m, x, xx, n;
};

struct group {
	char	*out;	/* NULL until it closes */
	int	 caseless;
	int	 clean;	/* no option changed inside it */
	char	*name;
};

struct parser {
	struct hs_rewriter	*rw;
	const char		*p;
	size_t			 i;
	size_t			 len;
	const char		*why;	/* set: refused */
	struct group		*groups;
	size_t			 ngroups;
	int			 noref;	/* (?| or (?n): no copies of groups */
	int			 quote;	/* inside \Q...\E */
	int			 depth;
	int			 changed; /* an option changed (for groups) */
};

static void	parse_alt(struct parser *, struct flags, struct item *);
static void	item_free(struct item *);

static int
cmp_fold(const void *a, const void *b)
{
	const struct fold_pair	*x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->cp < y->cp ? -1 : x->cp > y->cp;
}

static uint32_t
fold_key(uint32_t cp)
{
	return uc_tolower(uc_toupper(cp));
}

/*
 * The case table: every code point (below 0x20000, where all cased
 * letters are) whose key differs from itself, so that the forms of a
 * letter are found by its key.
 */
struct hs_rewriter *
hs_rewriter_new(void)
{
	struct hs_rewriter	*rw;
	size_t			 cap = 4096, k;
	uint32_t		 cp, key;

	rw = xcalloc(1, sizeof *rw);
	rw->folds = xcalloc(cap, sizeof *rw->folds);
	for (cp = 0; cp < 0x20000; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		if ((key = fold_key(cp)) == cp && uc_totitle(cp) == cp)
			continue;
		if (rw->nfolds == cap) {
			cap *= 2;
			rw->folds = xreallocarray(rw->folds, cap,
			    sizeof *rw->folds);
		}
		rw->folds[rw->nfolds].key = key;
		rw->folds[rw->nfolds++].cp = cp;
	}
	qsort(rw->folds, rw->nfolds, sizeof *rw->folds, cmp_fold);
	if ((rw->md = pcre2_match_data_create(1, NULL)) == NULL)
		abort();
	for (cp = 0; cp < 128; cp++)
		rw->nascii[cp] = (unsigned char)pcre2_forms(rw, cp,
		    rw->ascii[cp], 4);
	for (k = 0; k < 4; k++)
		escape_leads(rw, k);
	return rw;
}

/*
 * The lead bytes of the code points PCRE2 (UCP) takes for escape k of
 * ESCAPES, found by asking it of every code point of the BMP; beyond it,
 * every lead byte (where a few digits are). A Cyrillic letter is then no
 * digit, nor a space, to the automaton.
 */
static void
escape_leads(struct hs_rewriter *rw, size_t k)
{
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	uint8_t		 u[6];
	char		 pat[3] = { '\\', ESCAPES[k], '\0' };
	uint32_t	 cp;
	int		 err, n;

	rw->escL[k] = 1;
	bs_range(&rw->esc[k], 0xf0, 0xf4);
	bs_range(&rw->esc[k], 0x80, 0xbf);
	rw->escL[k] = 4;
	re = pcre2_compile((PCRE2_SPTR)pat, 2, PCRE2_UTF | PCRE2_UCP, &err,
	    &off, NULL);
	if (re == NULL) {
		bs_range(&rw->esc[k], 0x80, 0xff);
		return;
	}
	for (cp = 0x80; cp < 0x10000; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		n = u8_uctomb(u, cp, sizeof u);
		if (pcre2_match(re, u, (size_t)n, 0, PCRE2_ANCHORED, rw->md,
		    NULL) >= 1)
			bs_code_point(&rw->esc[k], cp, &rw->escL[k]);
	}
	pcre2_code_free(re);
}

void
hs_rewriter_free(struct hs_rewriter *rw)
{
	if (rw == NULL)
		return;
	free(rw->folds);
	pcre2_match_data_free(rw->md);
	free(rw);
}

/* Every code point PCRE2 may take for cp caselessly, cp first; n of them. */
static size_t
case_forms(const struct hs_rewriter *rw, uint32_t cp, uint32_t *out, size_t max)
{
	uint32_t	cand[4], k = fold_key(cp);
	size_t		n = 0, i, j, lo = 0, hi = rw->nfolds;

	cand[0] = cp;
	cand[1] = k;
	cand[2] = uc_toupper(cp);
	cand[3] = uc_totitle(cp);
	while (lo < hi) {	/* the first pair of key k */
		j = (lo + hi) / 2;
		if (rw->folds[j].key < k)
			lo = j + 1;
		else
			hi = j;
	}
	for (i = 0; n < max && (i < 4 || (lo < rw->nfolds &&
	    rw->folds[lo].key == k)); i++) {
		uint32_t c = i < 4 ? cand[i] : rw->folds[lo++].cp;

		for (j = 0; j < n && out[j] != c; j++)
			;
		if (j == n)
			out[n++] = c;
	}
	return n;
}

/*
 * The code points PCRE2 matches for cp caselessly, cp first: the
 * candidates of case_forms (a superset), each asked of PCRE2, so that a
 * literal is never wider than it must be (libunistring's mappings take
 * i for the Turkish dotted capital; PCRE2 does not).
 */
static size_t
pcre2_forms(struct hs_rewriter *rw, uint32_t cp, uint32_t *out, size_t max)
{
	uint32_t	 cand[32];
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	uint8_t		 u[6];
	char		 pat[24];
	size_t		 n, k, m = 1;
	int		 err, len;

	if (cp < 128 && rw->nascii[cp] > 0) {
		memcpy(out, rw->ascii[cp], rw->nascii[cp] * sizeof *out);
		return rw->nascii[cp];
	}
	n = case_forms(rw, cp, cand, 32);
	out[0] = cp;
	snprintf(pat, sizeof pat, "\\x{%x}", (unsigned)cp);
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF |
	    PCRE2_UCP | PCRE2_CASELESS, &err, &off, NULL);
	for (k = 1; k < n && m < max; k++) {
		if ((len = u8_uctomb(u, cand[k], sizeof u)) <= 0)
			continue;
		/* No PCRE2 (out of memory): every candidate, wider. */
		if (re == NULL || pcre2_match(re, u, (size_t)len, 0,
		    PCRE2_ANCHORED, rw->md, NULL) >= 1)
			out[m++] = cand[k];
	}
	pcre2_code_free(re);
	return m;
}

static void
bs_add(struct bset *s, unsigned c)
{
	s->w[c >> 6] |= 1ull << (c & 63);
}

static int
bs_has(const struct bset *s, unsigned c)
{
	return (s->w[c >> 6] >> (c & 63)) & 1;
}

static void
bs_range(struct bset *s, unsigned a, unsigned b)
{
	unsigned	c;

	for (c = a; c <= b; c++)
		bs_add(s, c);
}

/* Every byte beyond ASCII: any code point there, at most 4 bytes. */
static void
bs_high(struct bset *s, int *L)
{
	bs_range(s, 0x80, 0xff);
	*L = 4;
}

/* The lead byte of cp and its continuations; *L grows to its length. */
static void
bs_code_point(struct bset *s, uint32_t cp, int *L)
{
	uint8_t	b[6];
	int	n;

	if ((n = u8_uctomb(b, cp, sizeof b)) <= 0)
		return;
	bs_add(s, b[0]);
	if (n > 1)
		bs_range(s, 0x80, 0xbf);
	if (n > *L)
		*L = n;
}

/* Is every byte of s an ASCII word character? */
static int
bs_word(const struct bset *s)
{
	unsigned	c;

	for (c = 0; c < 256; c++)
		if (bs_has(s, c) && !(c == '_' || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return 0;
	return 1;
}

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_byte(struct buf *b, unsigned c)
{
	char	t[8];

	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		t[0] = (char)c, t[1] = '\0';
	else
		snprintf(t, sizeof t, "\\x%02x", c);
	puts_(b, t);
}

/* s as a Vectorscan class (or one byte). */
static void
put_set(struct buf *b, const struct bset *s)
{
	unsigned	c, e, n = 0;

	for (c = 0; c < 256; c++)
		n += (unsigned)bs_has(s, c);
	if (n == 1) {
		for (c = 0; !bs_has(s, c); c++)
			;
		put_byte(b, c);
		return;
	}
	puts_(b, "[");
	for (c = 0; c < 256; c++) {
		if (!bs_has(s, c))
			continue;
		for (e = c; e + 1 < 256 && bs_has(s, e + 1); e++)
			;
		if (e == c)
			put_byte(b, c);
		else {
			char	t[16];

			snprintf(t, sizeof t, "\\x%02x-\\x%02x", c, e);
			puts_(b, t);
		}
		c = e;
	}
	puts_(b, "]");
}

/* The repeat {lo,hi} (hi -1: unbounded) in its shortest spelling. */
static void
put_repeat(struct buf *b, long lo, long hi)
{
	char	t[48];

	if (lo == 0 && hi < 0)
		snprintf(t, sizeof t, "*");
	else if (lo == 1 && hi < 0)
		snprintf(t, sizeof t, "+");
	else if (lo == 0 && hi == 1)
		snprintf(t, sizeof t, "?");
	else if (lo == 1 && hi == 1)
		t[0] = '\0';
	else if (hi < 0)
		snprintf(t, sizeof t, "{%ld,}", lo);
	else if (lo == hi)
		snprintf(t, sizeof t, "{%ld}", lo);
	else
		snprintf(t, sizeof t, "{%ld,%ld}", lo, hi);
	puts_(b, t);
}

static void
item_init(struct item *it, enum item_kind kind)
{
	memset(it, 0, sizeof *it);
	it->kind = kind;
}

static void
item_free(struct item *it)
{
	free(it->out.p);
	it->out.p = NULL;
}

/* A class item as text, repeated {lo,hi} code points. */
static void
class_to_text(struct item *it, long lo, long hi)
{
	struct buf	b = { NULL, 0, 0 };
	long		blo = lo, bhi = hi < 0 ? -1 : hi * it->L;

	if (bhi > HS_REWRITE_BOUND)
		bhi = -1;
	if (blo > HS_REWRITE_BOUND)
		blo = HS_REWRITE_BOUND;
	puts_(&b, "");
	put_set(&b, &it->set);
	put_repeat(&b, blo, bhi);
	it->fw = it->lw = bs_word(&it->set) && lo >= 1;
	it->out = b;
	it->kind = I_TEXT;
}

/*
 * The alternation of n code points, those that differ in their last
 * byte only as one class: Cyrillic о and О are \xd0[\x9e\xbe], which
 * compiles faster than (?:\xd0\xbe|\xd0\x9e).
 */
static void
put_forms(struct buf *b, const uint32_t *forms, size_t n)
{
	uint8_t		u[32][6];
	int		len[32];
	unsigned char	done[32];
	struct bset	last;
	size_t		k, j, groups = 0;

	for (k = 0; k < n; k++) {
		len[k] = u8_uctomb(u[k], forms[k], sizeof u[k]);
		done[k] = 0;
	}
	puts_(b, n > 1 ? "(?:" : "");
	for (k = 0; k < n; k++) {
		if (done[k])
			continue;
		memset(&last, 0, sizeof last);
		for (j = k; j < n; j++)
			if (!done[j] && len[j] == len[k] && memcmp(u[j], u[k],
			    (size_t)len[k] - 1) == 0) {
				bs_add(&last, u[j][len[j] - 1]);
				done[j] = 1;
			}
		if (groups++ > 0)
			puts_(b, "|");
		for (j = 0; j + 1 < (size_t)len[k]; j++)
			put_byte(b, u[k][j]);
		put_set(b, &last);
	}
	puts_(b, n > 1 ? ")" : "");
}

/* What one code point cp matches, caseless or not. */
static void
literal(struct parser *ps, uint32_t cp, int caseless, struct item *it)
{
	uint32_t	forms[32];
	size_t		n = 1, k;
	int		ascii = 1;

	forms[0] = cp;
	if (caseless)
		n = pcre2_forms(ps->rw, cp, forms, 32);
	for (k = 0; k < n; k++)
		ascii &= forms[k] < 0x80;
	if (ascii) {
		item_init(it, I_CLASS);
		for (k = 0; k < n; k++)
			bs_add(&it->set, forms[k]);
		it->L = 1;
		it->fw = it->lw = bs_word(&it->set);
		return;
	}
	item_init(it, I_TEXT);
	put_forms(&it->out, forms, n);
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
			bs_add(set, c);
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
static uint32_t
next_cp(struct parser *ps)
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
static long
escaped_char(struct parser *ps)
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
		return (long)next_cp(ps);
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
	return escaped_char(ps);
}

/* The end of a class that opens at i: just past its ']' (or len). */
static size_t
class_end(const char *p, size_t len, size_t i)
{
	const char	*e;

	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	while (i < len && p[i] != ']') {
		if (p[i] == '\\' && i + 1 < len && p[i + 1] == 'Q') {
			e = memmem(p + i, len - i, "\\E", 2);
			i = e != NULL ? (size_t)(e - p) + 2 : len;
		} else if (p[i] == '\\' && i + 1 < len)
			i += 2;
		else if (p[i] == '[' && i + 1 < len && strchr(":.=",
		    p[i + 1]) != NULL) {
			char	d = p[i + 1];

			for (i += 2; i + 1 < len && !(p[i] == d &&
			    p[i + 1] == ']'); i++)
				;
			i += 2;
		} else
			i++;
	}
	return i < len ? i + 1 : len;
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
		n = case_forms(ps->rw, cp, forms, 32);
	for (k = 0; k < n; k++)
		if (forms[k] >= 0x80)
			bs_code_point(set, forms[k], L);
}

/*
 * A bracket class [...] at ps->i. Its ASCII members are asked of PCRE2;
 * beyond ASCII it takes the lead bytes of its members (and their case
 * forms), or every byte where a member is a class of its own (\w, a
 * POSIX class, a property) or the class is negated.
 */
static void
parse_class(struct parser *ps, struct flags f, struct item *it)
{
	size_t		 start = ps->i, end;
	const char	*p = ps->p;
	long		 prev = -1, c;
	int		 wide = 0, L = 1, kelvin, longs;

	end = class_end(p, ps->len, start);
	item_init(it, I_CLASS);
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
				c = (long)next_cp(ps);
			if (c >= 0x80 && !f.i) {
				/* Lead bytes grow with the code point. */
				uint8_t	lo[6], hi[6];

				(void)u8_uctomb(lo, prev > 0x80 ? (ucs4_t)prev :
				    0x80, sizeof lo);
				(void)u8_uctomb(hi, (ucs4_t)c, sizeof hi);
				bs_range(&it->set, lo[0], hi[0]);
				bs_code_point(&it->set, (uint32_t)c, &L);
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
			c = (long)next_cp(ps);
		if (c >= 0x80)
			class_member(ps, (uint32_t)c, f.i, &it->set, &L);
		prev = c;
	}
	ps->quote = 0;
	kelvin = f.i && (bs_has(&it->set, 'k') || bs_has(&it->set, 'K'));
	longs = f.i && (bs_has(&it->set, 's') || bs_has(&it->set, 'S'));
	if (!wide && L == 1 && (kelvin || longs)) {
		/*
		 * An ASCII class but for the Kelvin sign or the long s (a
		 * caseless k or s): one code point exactly, as an
		 * alternation, not a class of any bytes up to three long.
		 */
		struct bset	set = it->set;

		item_init(it, I_TEXT);
		puts_(&it->out, "(?:");
		put_set(&it->out, &set);
		puts_(&it->out, kelvin ? "|\\xe2\\x84\\xaa" : "");
		puts_(&it->out, longs ? "|\\xc5\\xbf" : "");
		puts_(&it->out, ")");
		ps->i = end;
		return;
	}
	if (kelvin)
		bs_code_point(&it->set, 0x212a, &L);
	if (longs)
		bs_code_point(&it->set, 0x17f, &L);
	if (wide)
		bs_high(&it->set, &L);
	it->L = L;
	it->fw = it->lw = L == 1 && bs_word(&it->set);
	ps->i = end;
}

/* A class escape outside brackets (\d, \W, \p{L} ...). */
static void
class_escape(struct parser *ps, struct flags f, char c, size_t at,
    struct item *it)
{
	item_init(it, I_CLASS);
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
		bs_range(&it->set, 0, 0xff);
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
		bs_high(&it->set, &it->L);
	if (c == 'R')
		bs_range(&it->set, 0x0a, 0x0d);	/* \r\n is two of them */
}

/* A back reference to group n (0: unknown): a copy of it, or anything. */
static void
backref(struct parser *ps, size_t n, struct flags f, struct item *it)
{
	struct group	*g;

	item_init(it, I_TEXT);
	if (!ps->noref && n >= 1 && n <= ps->ngroups) {
		g = &ps->groups[n - 1];
		if (g->out != NULL && g->clean && g->caseless == f.i) {
			puts_(&it->out, "(?:");
			puts_(&it->out, g->out);
			puts_(&it->out, ")");
			return;
		}
	}
	puts_(&it->out, ANY);
}

static size_t
group_named(const struct parser *ps, const char *name, size_t n)
{
	size_t	i;

	for (i = 0; i < ps->ngroups; i++)
		if (ps->groups[i].name != NULL &&
		    strlen(ps->groups[i].name) == n &&
		    memcmp(ps->groups[i].name, name, n) == 0)
			return i + 1;
	return 0;
}

/* A name up to one of the closing characters; ps->i past the closer. */
static size_t
read_name(struct parser *ps, const char *closers, const char **name)
{
	size_t	s = ps->i;

	while (ps->i < ps->len && strchr(closers, ps->p[ps->i]) == NULL)
		ps->i++;
	*name = ps->p + s;
	if (ps->i < ps->len)
		ps->i++;
	return ps->i - s - 1;
}

/* An escape outside a class, at the backslash. */
static void
parse_escape(struct parser *ps, struct flags f, struct item *it)
{
	size_t		 at = ps->i, n = 0;
	const char	*name;
	long		 cp;
	char		 c;

	ps->i++;
	if (ps->i >= ps->len) {
		ps->why = "a pattern that ends in a backslash";
		item_init(it, I_NONE);
		return;
	}
	c = ps->p[ps->i];
	switch (c) {
	case 'Q':
		ps->i++;
		ps->quote = 1;
		item_init(it, I_NONE);
		return;
	case 'E':
		ps->i++;
		item_init(it, I_NONE);
		return;
	case 'b':
		ps->i++;
		item_init(it, I_BOUND);
		return;
	case 'B': case 'G': case 'K':
		ps->i++;
		item_init(it, I_EMPTY);
		return;
	case 'A':
		ps->i++;
		item_init(it, I_ANCHOR);
		puts_(&it->out, "^");
		return;
	case 'z': case 'Z':
		ps->i++;
		item_init(it, I_ANCHOR);
		puts_(&it->out, "$");
		return;
	case 'X':
		ps->i++;
		item_init(it, I_TEXT);
		puts_(&it->out, "[\\x00-\\xff]+");
		return;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V': case 'R': case 'C':
	case 'p': case 'P':
		ps->i++;
		class_escape(ps, f, c, at, it);
		return;
	case 'N':
		if (ps->i + 1 >= ps->len || ps->p[ps->i + 1] != '{') {
			ps->i++;
			item_init(it, I_CLASS);
			bs_range(&it->set, 0, 0xff);
			it->set.w[0] &= ~(1ull << '\n');
			it->L = 4;
			return;
		}
		break;
	case 'g':
		ps->i++;
		if (ps->i < ps->len && (ps->p[ps->i] == '<' ||
		    ps->p[ps->i] == '\'')) {
			(void)read_name(ps, ">'", &name);
			item_init(it, I_TEXT);
			puts_(&it->out, ANY);	/* a subroutine call */
			return;
		}
		if (ps->i < ps->len && ps->p[ps->i] == '{') {
			ps->i++;
			n = read_name(ps, "}", &name);
			if (n > 0 && (name[0] >= '0' && name[0] <= '9'))
				backref(ps, strtoul(name, NULL, 10), f, it);
			else if (n > 0 && name[0] != '-' && name[0] != '+')
				backref(ps, group_named(ps, name, n), f, it);
			else
				backref(ps, 0, f, it);
			return;
		}
		if (ps->i < ps->len && (ps->p[ps->i] == '-' ||
		    ps->p[ps->i] == '+'))
			ps->i++;
		while (ps->i < ps->len && ps->p[ps->i] >= '0' &&
		    ps->p[ps->i] <= '9')
			ps->i++;
		backref(ps, 0, f, it);
		return;
	case 'k':
		ps->i++;
		if (ps->i < ps->len && strchr("<'{", ps->p[ps->i]) != NULL) {
			ps->i++;
			n = read_name(ps, ">'}", &name);
			backref(ps, group_named(ps, name, n), f, it);
			return;
		}
		break;
	default:
		if (c >= '1' && c <= '9') {
			n = 0;
			while (ps->i < ps->len && ps->p[ps->i] >= '0' &&
			    ps->p[ps->i] <= '9')
				n = n * 10 + (size_t)(ps->p[ps->i++] - '0');
			/* \10 and up may be octal: then "anything" is wide. */
			backref(ps, n < 10 ? n : 0, f, it);
			return;
		}
		break;
	}
	if ((cp = escaped_char(ps)) < 0) {
		ps->why = "an escape the rewriter does not know";
		item_init(it, I_NONE);
		return;
	}
	literal(ps, (uint32_t)cp, f.i, it);
}

/* Skips what extended mode ignores: white space and # comments. */
static void
skip_extended(struct parser *ps, struct flags f)
{
	if (!f.x || ps->quote)
		return;
	while (ps->i < ps->len) {
		char	c = ps->p[ps->i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			ps->i++;
		else if (c == '#') {
			while (ps->i < ps->len && ps->p[ps->i] != '\n')
				ps->i++;
		} else
			break;
	}
}

/* Option letters at ps->i, up to ')' or ':', applied to *f. */
static int
parse_options(struct parser *ps, struct flags *f)
{
	int	on = 1;
	char	c;

	if (ps->i < ps->len && ps->p[ps->i] == '^') {
		f->i = f->m = f->n = f->s = f->x = f->xx = 0;
		ps->i++;
	}
	for (; ps->i < ps->len; ps->i++) {
		c = ps->p[ps->i];
		if (c == ')' || c == ':')
			return 0;
		switch (c) {
		case '-': on = 0; break;
		case 'i': f->i = on; break;
		case 'm': f->m = on; break;
		case 's': f->s = on; break;
		case 'n': f->n = on; break;
		case 'x':
			if (on && ps->i + 1 < ps->len && ps->p[ps->i + 1] == 'x') {
				f->xx = 1;
				ps->i++;
			} else if (!on)
				f->xx = 0;
			f->x = on;
			break;
		case 'J': case 'U': break;
		default:
			ps->why = "an option the rewriter does not know";
			return -1;
		}
	}
	return -1;
}

/* The body of a group up to its ')', as an item. */
static void
group_body(struct parser *ps, struct flags f, struct item *it)
{
	struct item	inner;

	if (++ps->depth > DEPTH_MAX) {
		ps->why = "groups nested too deep";
		item_init(it, I_NONE);
		return;
	}
	parse_alt(ps, f, &inner);
	ps->depth--;
	if (ps->i >= ps->len || ps->p[ps->i] != ')') {
		if (ps->why == NULL)
			ps->why = "an unclosed group";
	} else
		ps->i++;
	item_init(it, I_TEXT);
	puts_(&it->out, "(?:");
	if (inner.out.p != NULL)
		puts_(&it->out, inner.out.p);
	puts_(&it->out, ")");
	it->fw = inner.fw;
	it->lw = inner.lw;
	item_free(&inner);
}

/* A capturing group (name or NULL), numbered for back references. */
static void
capture(struct parser *ps, struct flags f, const char *name, size_t nlen,
    struct item *it)
{
	struct group	*g;
	size_t		 n;
	int		 was = ps->changed;

	ps->groups = xreallocarray(ps->groups, ps->ngroups + 1,
	    sizeof *ps->groups);
	n = ps->ngroups++;
	g = &ps->groups[n];
	memset(g, 0, sizeof *g);
	g->caseless = f.i;
	g->name = name != NULL ? xstrndup(name, nlen) : NULL;
	ps->changed = 0;
	group_body(ps, f, it);
	g = &ps->groups[n];
	g->clean = !ps->changed;
	ps->changed |= was;
	/* the body without its "(?:" and ")" */
	if (it->out.len >= 4)
		g->out = xstrndup(it->out.p + 3, it->out.len - 4);
}

static int
name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(s, name, n) == 0;
}

/* Is the verb or option name n of (*...) a look-around? */
static int
lookaround_name(const char *s, size_t n)
{
	static const char *const names[] = { "pla", "plb", "nla", "nlb",
	    "napla", "naplb", "positive_lookahead", "positive_lookbehind",
	    "negative_lookahead", "negative_lookbehind",
	    "non_atomic_positive_lookahead", "non_atomic_positive_lookbehind",
	    NULL };
	size_t	i;

	for (i = 0; names[i] != NULL; i++)
		if (name_is(s, n, names[i]))
			return 1;
	return 0;
}

/* A group, an option setting or a verb, at its '('. */
static void
parse_group(struct parser *ps, struct flags *f, struct item *it)
{
	const char	*p = ps->p, *name;
	size_t		 n, s;
	struct flags	 g = *f;
	char		 c;

	ps->i++;
	if (ps->i < ps->len && p[ps->i] == '*') {
		s = ++ps->i;
		while (ps->i < ps->len && p[ps->i] != ':' && p[ps->i] != ')')
			ps->i++;
		n = ps->i - s;
		if (name_is(p + s, n, "ACCEPT")) {
			ps->why = "(*ACCEPT)";
			item_init(it, I_NONE);
			return;
		}
		if (ps->i < ps->len && p[ps->i] == ':' && n > 0 &&
		    p[s] >= 'a' && p[s] <= 'z') {
			ps->i++;
			if (lookaround_name(p + s, n)) {
				group_body(ps, g, it);
				item_free(it);
				item_init(it, I_EMPTY);
			} else if (name_is(p + s, n, "atomic") ||
			    name_is(p + s, n, "sr") || name_is(p + s, n, "asr") ||
			    name_is(p + s, n, "script_run") ||
			    name_is(p + s, n, "atomic_script_run"))
				group_body(ps, g, it);
			else {
				ps->why = "an unknown (*name: group";
				item_init(it, I_NONE);
			}
			return;
		}
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		item_init(it, I_NONE);	/* a verb or a start-of-pattern option */
		return;
	}
	if (ps->i >= ps->len || p[ps->i] != '?') {
		if (f->n)
			group_body(ps, g, it);
		else
			capture(ps, g, NULL, 0, it);
		return;
	}
	ps->i++;
	c = ps->i < ps->len ? p[ps->i] : '\0';
	switch (c) {
	case '#':
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		item_init(it, I_NONE);
		return;
	case ':':
		ps->i++;
		group_body(ps, g, it);
		return;
	case '|':
		ps->i++;
		ps->noref = 1;
		group_body(ps, g, it);
		return;
	case '>':
		ps->i++;
		group_body(ps, g, it);
		return;
	case '=': case '!': case '*':
		ps->i++;
		group_body(ps, g, it);
		item_free(it);
		item_init(it, I_EMPTY);
		return;
	case '(':
		ps->why = "a conditional group";
		item_init(it, I_NONE);
		return;
	case 'C':
		while (ps->i < ps->len && p[ps->i] != ')')
			ps->i++;
		ps->i++;
		item_init(it, I_NONE);
		return;
	case '<':
		if (ps->i + 1 < ps->len && strchr("=!*", p[ps->i + 1]) != NULL) {
			ps->i += 2;
			group_body(ps, g, it);
			item_free(it);
			item_init(it, I_EMPTY);
			return;
		}
		ps->i++;
		n = read_name(ps, ">", &name);
		capture(ps, g, name, n, it);
		return;
	case '\'':
		ps->i++;
		n = read_name(ps, "'", &name);
		capture(ps, g, name, n, it);
		return;
	case 'P':
		ps->i++;
		c = ps->i < ps->len ? p[ps->i] : '\0';
		ps->i++;
		if (c == '<') {
			n = read_name(ps, ">", &name);
			capture(ps, g, name, n, it);
		} else if (c == '=') {
			n = read_name(ps, ")", &name);
			backref(ps, group_named(ps, name, n), *f, it);
		} else {
			(void)read_name(ps, ")", &name);
			item_init(it, I_TEXT);
			puts_(&it->out, ANY);
		}
		return;
	case 'R': case '&': case '+': case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7': case '8': case '9':
		(void)read_name(ps, ")", &name);
		item_init(it, I_TEXT);
		puts_(&it->out, ANY);	/* recursion, a subroutine call */
		return;
	case '-':
		if (ps->i + 1 < ps->len && p[ps->i + 1] >= '0' &&
		    p[ps->i + 1] <= '9') {
			(void)read_name(ps, ")", &name);
			item_init(it, I_TEXT);
			puts_(&it->out, ANY);
			return;
		}
		break;
	default:
		break;
	}
	if (parse_options(ps, &g) != 0) {
		item_init(it, I_NONE);
		return;
	}
	ps->changed = 1;
	if (p[ps->i] == ')') {
		ps->i++;
		*f = g;		/* (?i): the rest of the enclosing group */
		item_init(it, I_NONE);
		return;
	}
	ps->i++;
	group_body(ps, g, it);
}

/* A quantifier at ps->i, if there is one: *lo, *hi (-1 unbounded). */
static int
parse_quantifier(struct parser *ps, long *lo, long *hi)
{
	const char	*p = ps->p;
	size_t		 j;
	char		*e;

	if (ps->quote && ps->i + 1 < ps->len && p[ps->i] == '\\' &&
	    p[ps->i + 1] == 'E') {
		ps->i += 2;	/* \Qab\E+ repeats the b */
		ps->quote = 0;
	}
	if (ps->i >= ps->len || ps->quote)
		return 0;
	switch (p[ps->i]) {
	case '*': *lo = 0; *hi = -1; ps->i++; break;
	case '+': *lo = 1; *hi = -1; ps->i++; break;
	case '?': *lo = 0; *hi = 1; ps->i++; break;
	case '{':
		j = ps->i + 1;
		if (j >= ps->len || p[j] < '0' || p[j] > '9')
			return 0;
		*lo = strtol(p + j, &e, 10);
		j = (size_t)(e - p);
		*hi = *lo;
		if (j < ps->len && p[j] == ',') {
			j++;
			*hi = -1;
			if (j < ps->len && p[j] >= '0' && p[j] <= '9') {
				*hi = strtol(p + j, &e, 10);
				j = (size_t)(e - p);
			}
		}
		if (j >= ps->len || p[j] != '}')
			return 0;
		ps->i = j + 1;
		break;
	default:
		return 0;
	}
	if (ps->i < ps->len && (p[ps->i] == '+' || p[ps->i] == '?'))
		ps->i++;	/* possessive or lazy: a plain repeat */
	return 1;
}

/* One item and its quantifier, if any. */
static void
parse_item(struct parser *ps, struct flags *f, struct item *it)
{
	long	lo, hi;
	char	c = ps->p[ps->i];

	if (ps->quote) {
		literal(ps, next_cp(ps), f->i, it);
	} else if (c == '(')
		parse_group(ps, f, it);
	else if (c == '[')
		parse_class(ps, *f, it);
	else if (c == '\\')
		parse_escape(ps, *f, it);
	else if (c == '.') {
		ps->i++;
		item_init(it, I_CLASS);
		bs_range(&it->set, 0, 0xff);
		if (!f->s)
			it->set.w[0] &= ~(1ull << '\n');
		it->L = 4;
	} else if (c == '^' || c == '$') {
		ps->i++;
		item_init(it, f->m ? I_EMPTY : I_ANCHOR);
		if (!f->m)
			put(&it->out, &c, 1);
	} else
		literal(ps, next_cp(ps), f->i, it);
	if (it->kind == I_NONE)
		return;
	skip_extended(ps, *f);
	if (!parse_quantifier(ps, &lo, &hi)) {
		if (it->kind == I_CLASS)
			class_to_text(it, 1, 1);
		return;
	}
	if (it->kind == I_CLASS)
		class_to_text(it, lo, hi);
	else if (it->kind == I_TEXT) {
		struct buf	b = { NULL, 0, 0 };

		long	bound = it->out.len <= TEXT_SHORT ? TEXT_BOUND_SHORT :
			    TEXT_BOUND;

		if (hi < 0 || hi > bound)
			hi = -1;
		if (lo > bound)
			lo = bound;
		puts_(&b, "(?:");
		puts_(&b, it->out.p);
		puts_(&b, ")");
		put_repeat(&b, lo, hi);
		free(it->out.p);
		it->out = b;
		it->fw = it->fw && lo >= 1;
		it->lw = it->lw && lo >= 1;
	}
	/* A repeated assertion matches what it matched once: ignored. */
}

/* Does a match of items[k] consume something (not an assertion)? */
static int
consumes(const struct item *it)
{
	return it->kind == I_TEXT;
}

/*
 * A branch: items up to '|' or ')' or the end, joined; \b kept only
 * beside an item that surely begins or ends with an ASCII word byte.
 */
static void
parse_seq(struct parser *ps, struct flags *f, struct item *out)
{
	struct item	*items = NULL;
	size_t		 n = 0, k, j;
	int		 keep;

	item_init(out, I_TEXT);
	puts_(&out->out, "");
	for (;;) {
		if (ps->quote && ps->i + 1 < ps->len && ps->p[ps->i] == '\\' &&
		    ps->p[ps->i + 1] == 'E') {
			ps->i += 2;
			ps->quote = 0;
			continue;
		}
		skip_extended(ps, *f);
		if (ps->why != NULL || ps->i >= ps->len || (!ps->quote &&
		    (ps->p[ps->i] == '|' || ps->p[ps->i] == ')')))
			break;
		items = xreallocarray(items, n + 1, sizeof *items);
		parse_item(ps, f, &items[n]);
		if (items[n].kind == I_NONE)
			item_free(&items[n]);
		else
			n++;
		if (out->out.len > OUT_MAX)
			ps->why = "a rewrite too long";
	}
	for (k = 0; k < n; k++) {
		if (items[k].kind == I_BOUND) {
			keep = 0;
			for (j = k; j-- > 0;)
				if (consumes(&items[j])) {
					keep = items[j].lw;
					break;
				}
			for (j = k + 1; !keep && j < n; j++)
				if (consumes(&items[j])) {
					keep = items[j].fw;
					break;
				}
			if (keep)
				puts_(&out->out, "\\b");
		} else if (items[k].kind == I_ANCHOR) {
			/* Vectorscan takes ^ and $ only at the ends. */
			if (ps->depth == 0 && ((items[k].out.p[0] == '^' &&
			    k == 0) || (items[k].out.p[0] == '$' && k == n - 1)))
				puts_(&out->out, items[k].out.p);
		} else if (items[k].out.p != NULL && items[k].kind != I_EMPTY)
			puts_(&out->out, items[k].out.p);
	}
	out->fw = out->lw = 0;
	for (k = 0; k < n && !consumes(&items[k]); k++)
		;
	if (k < n)
		out->fw = items[k].fw;
	for (k = n; k > 0 && !consumes(&items[k - 1]); k--)
		;
	if (k > 0)
		out->lw = items[k - 1].lw;
	for (k = 0; k < n; k++)
		item_free(&items[k]);
	free(items);
	if (out->out.len > OUT_MAX)
		ps->why = "a rewrite too long";
}

/* Branches up to ')' or the end; the options carry across them. */
static void
parse_alt(struct parser *ps, struct flags f, struct item *out)
{
	struct item	branch;
	int		first = 1;

	item_init(out, I_TEXT);
	puts_(&out->out, "");
	out->fw = out->lw = 1;
	for (;;) {
		parse_seq(ps, &f, &branch);
		if (!first)
			puts_(&out->out, "|");
		puts_(&out->out, branch.out.p);
		out->fw &= branch.fw;
		out->lw &= branch.lw;
		item_free(&branch);
		first = 0;
		if (ps->why != NULL || ps->i >= ps->len || ps->p[ps->i] != '|')
			break;
		ps->i++;
	}
}

/*
 * The byte-mode Vectorscan pattern for PCRE2 pattern pat (len bytes),
 * caseless as its rule is: allocated, or NULL with *why saying why it
 * cannot be rewritten.
 */
char *
hs_rewrite(struct hs_rewriter *rw, const char *pat, size_t len, int caseless,
    const char **why)
{
	struct parser	ps;
	struct flags	f;
	struct item	top;
	size_t		k;

	memset(&ps, 0, sizeof ps);
	memset(&f, 0, sizeof f);
	ps.rw = rw;
	ps.p = pat;
	ps.len = len;
	f.i = caseless;
	parse_alt(&ps, f, &top);
	if (ps.why == NULL && ps.i < len)
		ps.why = "an unmatched ')'";
	for (k = 0; k < ps.ngroups; k++) {
		free(ps.groups[k].out);
		free(ps.groups[k].name);
	}
	free(ps.groups);
	if (ps.why != NULL) {
		*why = ps.why;
		item_free(&top);
		return NULL;
	}
	*why = NULL;
	return top.out.p;
}
