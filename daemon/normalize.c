/*
 * Normalised views of a text, with an offset map back to the original.
 *
 * The text is cut into segments: one character and the combining marks
 * after it (an invalid byte is a segment of its own). The character
 * stages (nfkc, casefold, invisible, diacritics) run on each segment
 * with libunistring; every character they make comes from the whole
 * segment, so spans always cover whole original characters. Plain ASCII
 * skips the library, and other characters on their own are looked up in
 * a cache of what the library made of them before. The word stages
 * (normalize_word.c) then work on the characters, and the result is
 * written out as UTF-8 with each byte's span.
 *
 * NFKC per segment is NFKC of the text but for compositions of two
 * starters (Hangul jamo typed one by one, some Indic vowel signs), which
 * stay apart: rare in comments, and a rule sees them as written.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "normalize.h"
#include "normalize_internal.h"
#include "xmalloc.h"

#define CACHE_SIZE	4096		/* power of two */
#define SEGMENT_MAX	32		/* marks beyond start a new segment */
#define SCRATCH		(SEGMENT_MAX * 18 + 16)	/* NFKC grows 18 times at most */

struct cache_entry {
	uint32_t	key;		/* code point | stages << 21, 0: empty */
	uint8_t		n;
	uint8_t		cls[CACHE_OUT_MAX];
	uint32_t	cp[CACHE_OUT_MAX];
};

struct normalizer {
	struct norm_units	 units;
	uint32_t		 seg[SEGMENT_MAX];
	uint32_t		 a[SCRATCH];
	uint32_t		 b[SCRATCH];
	uint8_t			 ascii_class[128];
	struct cache_entry	 cache[CACHE_SIZE];
	const struct lexicon	*lexicon;	/* borrowed: spacing's words */
};

static const char *const stage_names[] = { "nfkc", "casefold", "invisible",
    "diacritics", "confusables", "leet", "repeats", "spacing", NULL };

static void	reserve(struct norm_units *, size_t);
static size_t	ascii_run(struct normalizer *, const uint8_t *, size_t *, size_t,
		    int, uint8_t, uint8_t *);
static void	emit(struct norm_units *, uint32_t, uint8_t, uint32_t, uint32_t);
static size_t	transform(struct normalizer *, const uint32_t *, size_t,
		    unsigned, const uint32_t **);
static void	segment(struct normalizer *, const uint32_t *, size_t, unsigned,
		    uint32_t, uint32_t);
static void	one_char(struct normalizer *, uint32_t, unsigned, uint32_t,
		    uint32_t);
static void	write_view(const struct norm_units *, unsigned,
		    struct textview *);

struct normalizer *
normalizer_new(void)
{
	struct normalizer	*nz;
	uint32_t		 c;

	nz = xcalloc(1, sizeof *nz);
	for (c = 0; c < 128; c++)
		nz->ascii_class[c] = norm_classify(c);
	return nz;
}

/*
 * The words spaced-out runs are split into (NULL: none, a run is one
 * word), borrowed until the next call: a ruleset's.
 */
void
normalizer_lexicon(struct normalizer *nz, const struct lexicon *lx)
{
	nz->lexicon = lx;
}

void
normalizer_free(struct normalizer *nz)
{
	if (nz == NULL)
		return;
	free(nz->units.cp);
	free(nz->units.cls);
	free(nz->units.start);
	free(nz->units.end);
	free(nz);
}

int
normalize_stage_parse(const char *s, unsigned *bit)
{
	size_t	i;

	for (i = 0; stage_names[i] != NULL; i++) {
		if (strcmp(s, stage_names[i]) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return -1;
}

/* The name of one stage bit. */
const char *
normalize_stage_name(unsigned bit)
{
	size_t	i;

	for (i = 0; stage_names[i] != NULL; i++)
		if (bit == 1u << i)
			return stage_names[i];
	return "?";
}

/* "nfkc,casefold,..." for the stages in mask, in their order. */
char *
normalize_stages_describe(unsigned mask)
{
	char	buf[128];
	size_t	i, len = 0;

	buf[0] = '\0';
	for (i = 0; stage_names[i] != NULL; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
		    len ? "," : "", stage_names[i]);
	}
	return xstrdup(buf);
}

/* Room for n more characters. */
static void
reserve(struct norm_units *nu, size_t n)
{
	if (nu->n + n <= nu->cap)
		return;
	nu->cap = (nu->n + n) * 2;
	nu->cp = xreallocarray(nu->cp, nu->cap, sizeof *nu->cp);
	nu->cls = xreallocarray(nu->cls, nu->cap, sizeof *nu->cls);
	nu->start = xreallocarray(nu->start, nu->cap, sizeof *nu->start);
	nu->end = xreallocarray(nu->end, nu->cap, sizeof *nu->end);
}

static void
emit(struct norm_units *nu, uint32_t cp, uint8_t cls, uint32_t start,
    uint32_t end)
{
	if (nu->n == nu->cap)
		reserve(nu, 1);
	nu->cp[nu->n] = cp;
	nu->cls[nu->n] = cls;
	nu->start[nu->n] = start;
	nu->end[nu->n++] = end;
	nu->seen |= cls;
	nu->ascii &= cp < 0x80;
}

/* Marks of the Combining Diacritical Marks blocks: accents, zalgo. */
static int
is_diacritic(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	    (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	    (cp >= 0xfe20 && cp <= 0xfe2f);
}

/*
 * Takes libunistring's result res of length n into dst (SCRATCH long):
 * the library wrote there if the room sufficed, else it allocated.
 * Returns the length.
 */
static size_t
settle(uint32_t *res, uint32_t *dst, size_t n)
{
	if (res == NULL)
		return 0;	/* only ENOMEM: leave the segment out */
	if (res != dst) {
		if (n > SCRATCH)
			n = SCRATCH;
		memcpy(dst, res, n * sizeof *dst);
		free(res);
	}
	return n;
}

/*
 * The character stages on cps[0..n): the result in *out (a or b of nz),
 * its length returned. Each stage is libunistring's.
 */
static size_t
transform(struct normalizer *nz, const uint32_t *in, size_t n, unsigned mask,
    const uint32_t **out)
{
	uint32_t	*cur = nz->a, *other = nz->b, *t, *res;
	size_t		 len, i, k;
	uninorm_t	 nf = (mask & NORM_NFKC) ? UNINORM_NFKC : NULL;

	memcpy(cur, in, n * sizeof *in);
	if (mask & NORM_NFKC) {
		len = SCRATCH;
		res = u32_normalize(UNINORM_NFKC, cur, n, other, &len);
		n = settle(res, other, len);
		t = cur, cur = other, other = t;
	}
	if (mask & NORM_CASEFOLD) {
		len = SCRATCH;
		res = u32_casefold(cur, n, NULL, nf, other, &len);
		n = settle(res, other, len);
		t = cur, cur = other, other = t;
	}
	if (mask & NORM_INVISIBLE) {
		for (i = k = 0; i < n; i++)
			if (!uc_is_property_default_ignorable_code_point(cur[i]))
				cur[k++] = cur[i];
		n = k;
	}
	if ((mask & NORM_DIACRITICS) && n > 0 &&
	    uc_is_general_category(cur[0], UC_CATEGORY_L) &&
	    uc_script(cur[0]) != uc_script('a')) {
		/*
		 * Another script's letter keeps its own accents (Ukrainian
		 * ї, Russian й, Greek tonos: letters of their alphabets);
		 * only marks piled on it apart (zalgo) go.
		 */
		for (i = k = 1; i < n; i++)
			if (!is_diacritic(cur[i]))
				cur[k++] = cur[i];
		n = k;
	} else if (mask & NORM_DIACRITICS) {
		len = SCRATCH;
		res = u32_normalize(nf ? UNINORM_NFKD : UNINORM_NFD, cur, n,
		    other, &len);
		n = settle(res, other, len);
		t = cur, cur = other, other = t;
		for (i = k = 0; i < n; i++)
			if (!is_diacritic(cur[i]))
				cur[k++] = cur[i];
		len = SCRATCH;
		res = u32_normalize(nf ? UNINORM_NFKC : UNINORM_NFC, cur, k,
		    other, &len);
		n = settle(res, other, len);
		t = cur, cur = other, other = t;
	}
	*out = cur;
	return n;
}

/* A segment of several characters: no cache, straight to the library. */
static void
segment(struct normalizer *nz, const uint32_t *cps, size_t n, unsigned mask,
    uint32_t start, uint32_t end)
{
	const uint32_t	*out;
	size_t		 k, i;

	k = transform(nz, cps, n, mask & NORM_CHAR_STAGES, &out);
	for (i = 0; i < k; i++)
		emit(&nz->units, out[i], norm_classify(out[i]), start, end);
}

/* One character without marks: what the library made of it before. */
static void
one_char(struct normalizer *nz, uint32_t cp, unsigned mask, uint32_t start,
    uint32_t end)
{
	struct cache_entry	*ce;
	const uint32_t		*out;
	uint32_t		 key;
	size_t			 k, i;

	mask &= NORM_CHAR_STAGES;
	key = cp | (uint32_t)mask << 21;
	ce = &nz->cache[(cp ^ (cp >> 12) ^ mask * 0x9e5u) & (CACHE_SIZE - 1)];
	if (ce->key != key || key == 0) {
		k = transform(nz, &cp, 1, mask, &out);
		if (k > CACHE_OUT_MAX) {
			for (i = 0; i < k; i++)
				emit(&nz->units, out[i], norm_classify(out[i]),
				    start, end);
			return;
		}
		ce->key = key;
		ce->n = (uint8_t)k;
		for (i = 0; i < k; i++) {
			ce->cp[i] = out[i];
			ce->cls[i] = norm_classify(out[i]);
		}
	}
	for (i = 0; i < ce->n; i++)
		emit(&nz->units, ce->cp[i], ce->cls[i], start, end);
}

/*
 * Plain ASCII from s[*i] on, as long as no combining mark may follow:
 * the tight loop most comments spend their time in. Local copies of the
 * array pointers, so that the stores are not thought to change them.
 */
static size_t
ascii_run(struct normalizer *nz, const uint8_t *s, size_t *ip, size_t len,
    int chars, uint8_t lower, uint8_t *seen)
{
	struct norm_units	*nu = &nz->units;
	uint32_t		*cp = nu->cp, *start = nu->start, *end = nu->end;
	uint8_t			*cls = nu->cls, c, sn = *seen;
	const uint8_t		*class = nz->ascii_class;
	size_t			 i = *ip, j = nu->n;

	for (; i < len && (c = s[i]) < 0x80 && (i + 1 == len ||
	    s[i + 1] < 0x80 || !chars); i++, j++) {
		cp[j] = c | ((c >= 'A' && c <= 'Z') ? lower : 0);
		cls[j] = class[c];
		sn |= class[c];
		start[j] = (uint32_t)i;
		end[j] = (uint32_t)i + 1;
	}
	*ip = i;
	*seen = sn;
	return j;
}

/* Is the character at s (len bytes) a combining mark? */
static int
mark_at(const uint8_t *s, size_t len, uint32_t *cp, int *k)
{
	ucs4_t	uc;

	if ((*k = u8_mbtoucr(&uc, s, len)) <= 0)
		return 0;
	*cp = uc;
	return uc_is_general_category(uc, UC_CATEGORY_M);
}

/*
 * Builds the view of s (len bytes) under the stages in mask into v,
 * whose buffers are reused: nothing is allocated once they have grown.
 */
void
normalize_view(struct normalizer *nz, const char *str, size_t len,
    unsigned mask, struct textview *v)
{
	const uint8_t	*s = (const uint8_t *)str;
	struct norm_units *nu = &nz->units;
	size_t		 i = 0, n, j;
	uint32_t	 cp, mcp, segend;
	ucs4_t		 uc;
	int		 k, mk, chars = (mask & NORM_CHAR_STAGES) != 0;
	uint8_t		 c, lower = (mask & NORM_CASEFOLD) ? 0x20 : 0, seen = 0;

	nu->n = 0;
	nu->seen = 0;
	nu->ascii = 1;
	while (i < len) {
		/* Plain ASCII, as long as no combining mark follows. */
		reserve(nu, len - i);
		j = ascii_run(nz, s, &i, len, chars, lower, &seen);
		nu->n = j;
		if (i == len)
			break;
		c = s[i];
		if (c < 0x80 && !mark_at(s + i + 1, len - i - 1, &mcp, &mk)) {
			if ((mask & NORM_CASEFOLD) && c >= 'A' && c <= 'Z')
				c |= 0x20;
			emit(nu, c, nz->ascii_class[c], (uint32_t)i,
			    (uint32_t)i + 1);
			i++;
			continue;
		}
		if ((k = u8_mbtoucr(&uc, s + i, len - i)) <= 0) {
			emit(nu, NORM_RAW | c, 0, (uint32_t)i, (uint32_t)i + 1);
			i++;
			continue;
		}
		cp = uc;
		segend = (uint32_t)(i + (size_t)k);
		if (!chars || segend == len || !mark_at(s + segend,
		    len - segend, &mcp, &mk)) {
			one_char(nz, cp, mask, (uint32_t)i, segend);
			i = segend;
			continue;
		}
		n = 0;
		nz->seg[n++] = cp;
		while (n < SEGMENT_MAX && segend < len && mark_at(s + segend,
		    len - segend, &mcp, &mk)) {
			nz->seg[n++] = mcp;
			segend += (uint32_t)mk;
		}
		segment(nz, nz->seg, n, mask, (uint32_t)i, segend);
		i = segend;
	}
	nu->seen |= seen;
	norm_words(nu, mask, nz->lexicon);
	write_view(nu, mask, v);
}

/* The characters as UTF-8, each byte with its character's span. */
static void
write_view(const struct norm_units *nu, unsigned mask, struct textview *v)
{
	const uint32_t	*cp;
	const uint8_t	*cls;
	uint32_t	*start, *end;
	size_t		 i, len = 0;
	uint8_t		 buf[6], keep = 0;
	char		*p;
	int		 k, j;

	if (mask & NORM_ALNUM)
		keep = NORM_C_LETTER | NORM_C_DIGIT | NORM_C_MARK;
	textview_reserve(v, nu->n * 4);
	if (nu->n == 0) {
		v->p[0] = '\0';
		v->len = 0;
		return;
	}
	if (nu->ascii && keep == 0) {
		/* One byte a character: the spans are the characters'. */
		p = v->p;
		cp = nu->cp;
		for (i = 0; i < nu->n; i++)
			p[i] = (char)cp[i];
		memcpy(v->start, nu->start, nu->n * sizeof *v->start);
		memcpy(v->end, nu->end, nu->n * sizeof *v->end);
		v->p[nu->n] = '\0';
		v->len = nu->n;
		return;
	}
	p = v->p;
	cp = nu->cp;
	cls = nu->cls;
	start = v->start;
	end = v->end;
	for (i = 0; i < nu->n; i++) {
		if (keep != 0 && !(cls[i] & keep))
			continue;
		if (cp[i] < 0x80 || (cp[i] & NORM_RAW)) {
			p[len] = (char)(uint8_t)cp[i];
			start[len] = nu->start[i];
			end[len++] = nu->end[i];
			continue;
		}
		if ((k = u8_uctomb(buf, cp[i], sizeof buf)) <= 0) {
			buf[0] = '?';
			k = 1;
		}
		for (j = 0; j < k; j++) {
			p[len] = (char)buf[j];
			start[len] = nu->start[i];
			end[len++] = nu->end[i];
		}
	}
	p[len] = '\0';
	v->len = len;
}
