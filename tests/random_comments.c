/*
 * Random comments for the prefilter's differential test (see
 * random_comments.h). The mix is chosen so that most comments hold some
 * of the rules' literals, many hold all of one rule's and so come to
 * PCRE2, and lengths run from a word to a few KiB (median near 300 bytes,
 * one in a hundred past 10 KiB).
 */

#include <stdlib.h>
#include <string.h>

#include "literals.h"
#include "random_comments.h"
#include "xmalloc.h"

static const char *const ordinary[] = {
	"the", "a", "and", "of", "to", "in", "is", "it", "you", "that",
	"he", "was", "for", "on", "are", "with", "they", "be", "at", "one",
	"have", "this", "from", "or", "had", "by", "word", "but", "what",
	"some", "we", "can", "out", "other", "were", "all", "there", "when",
	"council", "police", "story", "free", "money", "mail", "send", "home",
	"today", "2024", "3.50", "10:45", "$5", "v1.2.3", "@home", "US$",
	"https://example.org/a?b=c", "info@example.com", "+44 20 7946 0000",
	"и", "в", "не", "что", "он", "на", "я", "с", "как", "это", "суд",
	"новости", "город", "люди", "і", "та", "що", "це", "місто", "люди",
	"новини", "дякую", "🙂", "—", "«", "»", "...",
};

static const char *const tricky[] = {
	"\xe2\x84\xaa",		/* Kelvin sign: caselessly k */
	"\xc5\xbf",		/* long s: caselessly s */
	"\xe2\x80\x8b",		/* zero-width space */
	"\xc2\xad",		/* soft hyphen */
	"\xef\xbd\x86\xef\xbd\x92\xef\xbd\x85\xef\xbd\x85",	/* fullwidth free */
	"\xce\xa3\xcf\x82",	/* sigma, final sigma */
	"\xff", "\xc3", "\xe2\x82",	/* invalid UTF-8 */
	"f u c k", "v.i.a.g.r.a", "fr33", "m0ney", "VIAGRA", "cAsInO",
};

static const char *const separators[] = {
	" ", " ", " ", " ", " ", " ", " ", " ", " ", " ", " ", " ", " ", " ",
	"", "", ", ", ". ", "\n", "!!! ", "-", "/", "\t",
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static void	add_word(struct random_comments *, const char *, size_t);
static void	put(struct random_comments *, const char *, size_t);

static void
add_word(struct random_comments *rc, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (rc->nwords % 256 == 0)
		rc->words = xreallocarray(rc->words, rc->nwords + 256,
		    sizeof *rc->words);
	rc->words[rc->nwords++] = xstrndup(s, len);
}

static void
put(struct random_comments *rc, const char *s, size_t n)
{
	if (rc->len + n + 1 > rc->cap) {
		rc->cap = (rc->len + n + 1) * 2;
		rc->buf = xreallocarray(rc->buf, rc->cap, 1);
	}
	memcpy(rc->buf + rc->len, s, n);
	rc->len += n;
	rc->buf[rc->len] = '\0';
}

uint64_t
random_comments_u64(struct random_comments *rc)
{
	rc->state ^= rc->state >> 12;
	rc->state ^= rc->state << 25;
	rc->state ^= rc->state >> 27;
	return rc->state * 2685821657736338717ull;
}

/* The words of rs: its patterns' literals, its examples and their words. */
void
random_comments_init(struct random_comments *rc, const struct ruleset *rs,
    uint64_t seed)
{
	const struct rule	*r;
	struct literals		 lits;
	const char		*p, *e;
	size_t			 i, j, k;

	memset(rc, 0, sizeof *rc);
	rc->state = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->pattern != NULL &&
		    literals_required(r->pattern, r->caseless, &lits) == 0) {
			for (j = 0; j < lits.nset; j++)
				for (k = 0; k < lits.set[j].n; k++)
					add_word(rc, lits.set[j].s[k],
					    lits.set[j].len[k]);
			literals_free(&lits);
		}
		for (j = 0; j < r->nexamples; j++) {
			p = r->examples[j].text;
			e = p + r->examples[j].len;
			add_word(rc, p, r->examples[j].len);
			while (p < e) {
				k = strcspn(p, " \n");
				add_word(rc, p, k < (size_t)(e - p) ? k :
				    (size_t)(e - p));
				p += k + 1;
			}
		}
	}
}

void
random_comments_free(struct random_comments *rc)
{
	size_t	i;

	for (i = 0; i < rc->nwords; i++)
		free(rc->words[i]);
	free(rc->words);
	free(rc->buf);
	memset(rc, 0, sizeof *rc);
}

/* The next comment, valid until the next call; its length in *len. */
const char *
random_comments_next(struct random_comments *rc, size_t *len)
{
	const char	*w;
	size_t		 n, i, j, start;
	uint64_t	 x = random_comments_u64(rc) % 100;

	n = x < 45 ? 1 + x % 20 : x < 85 ? 20 + random_comments_u64(rc) % 180 :
	    x < 99 ? 200 + random_comments_u64(rc) % 400 :
	    2000 + random_comments_u64(rc) % 1000;
	rc->len = 0;
	put(rc, "", 0);
	for (i = 0; i < n; i++) {
		x = random_comments_u64(rc) % 100;
		if (x < 45 && rc->nwords > 0)
			w = rc->words[random_comments_u64(rc) % rc->nwords];
		else if (x < 92)
			w = ordinary[random_comments_u64(rc) % NELEM(ordinary)];
		else
			w = tricky[random_comments_u64(rc) % NELEM(tricky)];
		start = rc->len;
		put(rc, w, strlen(w));
		if (random_comments_u64(rc) % 10 == 0)
			for (j = start; j < rc->len; j++)
				if (rc->buf[j] >= 'a' && rc->buf[j] <= 'z')
					rc->buf[j] = (char)(rc->buf[j] - 32);
		w = separators[random_comments_u64(rc) % NELEM(separators)];
		put(rc, w, strlen(w));
	}
	*len = rc->len;
	return rc->buf;
}
