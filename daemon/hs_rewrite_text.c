/*
 * The rewriter's alphabet (hs_rewrite.c): the case forms PCRE2 takes for
 * a code point, the lead bytes of \\d, \\s, \\h and \\v beyond ASCII, sets
 * of bytes, and the Vectorscan text all of them are written as.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "hs_rewrite.h"
#include "hs_rewrite_internal.h"
#include "xmalloc.h"

static void	escape_leads(struct hs_rewriter *, size_t);

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
		rw->nascii[cp] = (unsigned char)hsr_pcre2_forms(rw, cp,
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
	hsr_bs_range(&rw->esc[k], 0xf0, 0xf4);
	hsr_bs_range(&rw->esc[k], 0x80, 0xbf);
	rw->escL[k] = 4;
	re = pcre2_compile((PCRE2_SPTR)pat, 2, PCRE2_UTF | PCRE2_UCP, &err,
	    &off, NULL);
	if (re == NULL) {
		hsr_bs_range(&rw->esc[k], 0x80, 0xff);
		return;
	}
	for (cp = 0x80; cp < 0x10000; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		n = u8_uctomb(u, cp, sizeof u);
		if (pcre2_match(re, u, (size_t)n, 0, PCRE2_ANCHORED, rw->md,
		    NULL) >= 1)
			hsr_bs_code_point(&rw->esc[k], cp, &rw->escL[k]);
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
size_t
hsr_case_forms(const struct hs_rewriter *rw, uint32_t cp, uint32_t *out, size_t max)
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
 * candidates of hsr_case_forms (a superset), each asked of PCRE2, so that a
 * literal is never wider than it must be (libunistring's mappings take
 * i for the Turkish dotted capital; PCRE2 does not).
 */
size_t
hsr_pcre2_forms(struct hs_rewriter *rw, uint32_t cp, uint32_t *out, size_t max)
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
	n = hsr_case_forms(rw, cp, cand, 32);
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

void
hsr_bs_add(struct bset *s, unsigned c)
{
	s->w[c >> 6] |= 1ull << (c & 63);
}

int
hsr_bs_has(const struct bset *s, unsigned c)
{
	return (s->w[c >> 6] >> (c & 63)) & 1;
}

void
hsr_bs_range(struct bset *s, unsigned a, unsigned b)
{
	unsigned	c;

	for (c = a; c <= b; c++)
		hsr_bs_add(s, c);
}

/* Every byte beyond ASCII: any code point there, at most 4 bytes. */
void
hsr_bs_high(struct bset *s, int *L)
{
	hsr_bs_range(s, 0x80, 0xff);
	*L = 4;
}

/* The lead byte of cp and its continuations; *L grows to its length. */
void
hsr_bs_code_point(struct bset *s, uint32_t cp, int *L)
{
	uint8_t	b[6];
	int	n;

	if ((n = u8_uctomb(b, cp, sizeof b)) <= 0)
		return;
	hsr_bs_add(s, b[0]);
	if (n > 1)
		hsr_bs_range(s, 0x80, 0xbf);
	if (n > *L)
		*L = n;
}

/* Is every byte of s an ASCII word character? */
int
hsr_bs_word(const struct bset *s)
{
	unsigned	c;

	for (c = 0; c < 256; c++)
		if (hsr_bs_has(s, c) && !(c == '_' || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return 0;
	return 1;
}

void
hsr_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
hsr_puts(struct buf *b, const char *s)
{
	hsr_put(b, s, strlen(s));
}

static void
put_byte(struct buf *b, unsigned c)
{
	char	t[8];

	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		t[0] = (char)c, t[1] = '\0';
	else
		snprintf(t, sizeof t, "\\x%02x", c);
	hsr_puts(b, t);
}

/* s as a Vectorscan class (or one byte). */
void
hsr_put_set(struct buf *b, const struct bset *s)
{
	unsigned	c, e, n = 0;

	for (c = 0; c < 256; c++)
		n += (unsigned)hsr_bs_has(s, c);
	if (n == 1) {
		for (c = 0; !hsr_bs_has(s, c); c++)
			;
		put_byte(b, c);
		return;
	}
	hsr_puts(b, "[");
	for (c = 0; c < 256; c++) {
		if (!hsr_bs_has(s, c))
			continue;
		for (e = c; e + 1 < 256 && hsr_bs_has(s, e + 1); e++)
			;
		if (e == c)
			put_byte(b, c);
		else {
			char	t[16];

			snprintf(t, sizeof t, "\\x%02x-\\x%02x", c, e);
			hsr_puts(b, t);
		}
		c = e;
	}
	hsr_puts(b, "]");
}

/* The repeat {lo,hi} (hi -1: unbounded) in its shortest spelling. */
void
hsr_put_repeat(struct buf *b, long lo, long hi)
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
	hsr_puts(b, t);
}

/*
 * The alternation of n code points, those that differ in their last
 * byte only as one class: Cyrillic о and О are \xd0[\x9e\xbe], which
 * compiles faster than (?:\xd0\xbe|\xd0\x9e).
 */
void
hsr_put_forms(struct buf *b, const uint32_t *forms, size_t n)
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
	hsr_puts(b, n > 1 ? "(?:" : "");
	for (k = 0; k < n; k++) {
		if (done[k])
			continue;
		memset(&last, 0, sizeof last);
		for (j = k; j < n; j++)
			if (!done[j] && len[j] == len[k] && memcmp(u[j], u[k],
			    (size_t)len[k] - 1) == 0) {
				hsr_bs_add(&last, u[j][len[j] - 1]);
				done[j] = 1;
			}
		if (groups++ > 0)
			hsr_puts(b, "|");
		for (j = 0; j + 1 < (size_t)len[k]; j++)
			put_byte(b, u[k][j]);
		hsr_put_set(b, &last);
	}
	hsr_puts(b, n > 1 ? ")" : "");
}

void
hsr_item_init(struct item *it, enum item_kind kind)
{
	memset(it, 0, sizeof *it);
	it->kind = kind;
}

void
hsr_item_free(struct item *it)
{
	free(it->out.p);
	it->out.p = NULL;
}

/* A class item as text, repeated {lo,hi} code points. */
void
hsr_class_to_text(struct item *it, long lo, long hi)
{
	struct buf	b = { NULL, 0, 0 };
	long		blo = lo, bhi = hi < 0 ? -1 : hi * it->L;

	if (bhi > HS_REWRITE_BOUND)
		bhi = -1;
	if (blo > HS_REWRITE_BOUND)
		blo = HS_REWRITE_BOUND;
	hsr_puts(&b, "");
	hsr_put_set(&b, &it->set);
	hsr_put_repeat(&b, blo, bhi);
	it->fw = it->lw = hsr_bs_word(&it->set) && lo >= 1;
	it->out = b;
	it->kind = I_TEXT;
}
