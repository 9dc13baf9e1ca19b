/*
 * The classifier's model and its arithmetic. Choices, and why:
 *
 * - Words, not byte n-grams or word pairs: comments are short, and the
 *   view they come from has already undone leet, look-alikes and
 *   invisible characters, so a word is what a moderator would read.
 *   Each is a 64-bit hash (FNV-1a, then a mix so that near words spread):
 *   at a million distinct words the chance of any collision is 1 in 10^7.
 * - A comment counts a word once (SpamAssassin's and SpamBayes' way):
 *   "buy buy buy" is not three times the evidence.
 * - Robinson's f(w) = (s x + n p) / (s + n), with x = 0.5 and s = 0.45
 *   (SpamBayes' choice): a word seen in few comments stays near 0.5 until
 *   it has been seen more. On the SpamAssassin public corpus (bench/
 *   classify_eval.c) s = 0.45 caught 82 % of spam at 0.95 against 81 %
 *   with s = 1, and SpamAssassin's own s = 0.16, x = 0.538 with a 0.346
 *   minimum strength 73 %, for the same 0.1 % of ham said spam or less.
 * - Only words with |f - 0.5| >= 0.1, the 150 strongest, combined by
 *   Fisher's chi-square both ways, (1 + S - H) / 2: a comment with strong
 *   evidence both ways comes out near 0.5, unsure, rather than at an
 *   extreme (Graham's product would say 0 or 1 and be wrong with
 *   confidence).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "xmalloc.h"

#define ROBINSON_S	0.45
#define ROBINSON_X	0.5
#define MIN_STRENGTH	0.1
/* A power of two past 2 * BAYES_TOKENS_MAX: a set that never fills. */
#define SEEN_SLOTS	4096

struct slot {
	uint64_t	hash;	/* 0: empty */
	uint32_t	spam;
	uint32_t	ham;
};

struct bayes_model {
	struct slot	*slots;
	size_t		 cap;	/* a power of two */
	size_t		 used;
	uint64_t	 nspam;
	uint64_t	 nham;
};

struct bayes_model *
bayes_new(void)
{
	struct bayes_model	*m = xcalloc(1, sizeof *m);

	m->cap = 1024;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	return m;
}

void
bayes_free(struct bayes_model *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

void
bayes_reset(struct bayes_model *m)
{
	memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->used = 0;
	m->nspam = m->nham = 0;
}

/* 0 marks an empty slot: no word hashes to it. */
static uint64_t
nonzero(uint64_t h)
{
	return h != 0 ? h : 1;
}

static struct slot *
find(const struct bayes_model *m, uint64_t h)
{
	size_t	i = (size_t)h & (m->cap - 1);

	while (m->slots[i].hash != 0 && m->slots[i].hash != h)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static void
grow(struct bayes_model *m)
{
	struct slot	*old = m->slots;
	size_t		 i, n = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	for (i = 0; i < n; i++)
		if (old[i].hash != 0)
			*find(m, old[i].hash) = old[i];
	free(old);
}

static uint32_t
moved(uint32_t v, int64_t d)
{
	int64_t	n = (int64_t)v + d;

	return n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

void
bayes_add(struct bayes_model *m, uint64_t h, int64_t dspam, int64_t dham)
{
	struct slot	*s;

	h = nonzero(h);
	if (2 * (m->used + 1) > m->cap)
		grow(m);
	s = find(m, h);
	if (s->hash == 0) {
		/* A word forgotten to 0 keeps its slot: no tombstones. */
		s->hash = h;
		m->used++;
	}
	s->spam = moved(s->spam, dspam);
	s->ham = moved(s->ham, dham);
}

void
bayes_learned_add(struct bayes_model *m, int64_t dspam, int64_t dham)
{
	m->nspam = (int64_t)m->nspam + dspam < 0 ? 0 : m->nspam + dspam;
	m->nham = (int64_t)m->nham + dham < 0 ? 0 : m->nham + dham;
}

void
bayes_learned(const struct bayes_model *m, uint64_t *spam, uint64_t *ham)
{
	*spam = m->nspam;
	*ham = m->nham;
}

size_t
bayes_words(const struct bayes_model *m)
{
	return m->used;
}

void
bayes_counts(const struct bayes_model *m, uint64_t h, uint32_t *spam,
    uint32_t *ham)
{
	const struct slot	*s = find(m, nonzero(h));

	*spam = s->spam;
	*ham = s->ham;
}

uint64_t
bayes_hash(const char *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ull;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	/* FNV's low bits mix poorly, and the table indexes by them. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return nonzero(h);
}

/* Letters and digits of any script: a byte of UTF-8 past ASCII counts. */
static int
word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

size_t
bayes_tokens(const char *text, size_t len, struct bayes_token **out)
{
	struct bayes_token	*t = NULL;
	uint64_t		*seen, h;
	size_t			 i = 0, start, wl, n = 0, cap = 0, j;
	size_t			 scap = SEEN_SLOTS;

	seen = xcalloc(scap, sizeof *seen);
	while (i < len && n < BAYES_TOKENS_MAX) {
		while (i < len && !word_byte((unsigned char)text[i]))
			i++;
		start = i;
		while (i < len && word_byte((unsigned char)text[i]))
			i++;
		wl = i - start;
		if (wl < BAYES_WORD_MIN)
			continue;
		/* A run this long is a hash or a smear: its start is a word. */
		h = wl > BAYES_WORD_MAX ? bayes_hash(text + start, 8) ^
		    0x9e3779b97f4a7c15ull : bayes_hash(text + start, wl);
		h = nonzero(h);
		for (j = (size_t)h & (scap - 1); seen[j] != 0 && seen[j] != h;
		    j = (j + 1) & (scap - 1))
			;
		if (seen[j] == h)
			continue;
		seen[j] = h;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			t = xreallocarray(t, cap, sizeof *t);
		}
		t[n].hash = h;
		t[n].off = (uint32_t)start;
		t[n++].len = (uint32_t)(wl > BAYES_WORD_MAX ? BAYES_WORD_MAX : wl);
	}
	free(seen);
	*out = t;
	return n;
}

static int
by_strength(const void *a, const void *b)
{
	const struct bayes_clue	*x = a, *y = b;
	double			 sx = fabs(x->prob - 0.5), sy = fabs(y->prob - 0.5);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	/* Equal weights in a fixed order: the same text, the same clues. */
	return x->token->hash < y->token->hash ? -1 :
	    x->token->hash > y->token->hash;
}

/*
 * P(chi-square with v degrees of freedom >= x2), v even: the series of
 * the Poisson tail, exact for even v.
 */
static double
chi2q(double x2, size_t v)
{
	double	m = x2 / 2, term = exp(-m), sum = term;
	size_t	i;

	for (i = 1; i < v / 2; i++) {
		term *= m / (double)i;
		sum += term;
	}
	return sum < 1 ? sum : 1;
}

double
bayes_score(const struct bayes_model *m, const struct bayes_token *t,
    size_t n, struct bayes_clue *clues, size_t nclues, size_t *nused)
{
	struct bayes_clue	*c;
	double			 ps, ph, p, f, lnf = 0, ln1f = 0, s, h;
	size_t			 i, k = 0;
	uint32_t		 sp, hm;

	*nused = 0;
	if (n == 0 || m->nspam == 0 || m->nham == 0)
		return 0.5;
	c = xcalloc(n, sizeof *c);
	for (i = 0; i < n; i++) {
		bayes_counts(m, t[i].hash, &sp, &hm);
		if (sp == 0 && hm == 0)
			continue;
		ps = (double)sp / (double)m->nspam;
		ph = (double)hm / (double)m->nham;
		p = ps / (ps + ph);
		f = (ROBINSON_S * ROBINSON_X + (double)(sp + hm) * p) /
		    (ROBINSON_S + (double)(sp + hm));
		if (fabs(f - 0.5) < MIN_STRENGTH)
			continue;
		c[k++] = (struct bayes_clue){ &t[i], f, sp, hm };
	}
	qsort(c, k, sizeof *c, by_strength);
	if (k > BAYES_CLUES_MAX)
		k = BAYES_CLUES_MAX;
	for (i = 0; i < k; i++) {
		lnf += log(c[i].prob);
		ln1f += log(1 - c[i].prob);
	}
	if (clues != NULL)
		memcpy(clues, c, (k < nclues ? k : nclues) * sizeof *c);
	free(c);
	*nused = k;
	if (k == 0)
		return 0.5;
	/* S near 1: the words say spam; H near 1: they say ham. */
	s = 1 - chi2q(-2 * ln1f, 2 * k);
	h = 1 - chi2q(-2 * lnf, 2 * k);
	return (1 + s - h) / 2;
}
