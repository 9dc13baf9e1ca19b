/*
 * The lexicon of a ruleset (see lexicon.h): an open-addressing set of
 * case-folded code point strings. Texts added are split into runs of
 * letters (and marks) of two or more; single letters that are words on
 * their own ("a", "I", "я", "в") come with the common words only, so a
 * run is never split into stray letters.
 */

#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "lexicon.h"
#include "xmalloc.h"

#define LEXICON_WORD_MAX	64	/* code points: longer runs are not words */

struct lexicon_word {
	uint32_t	*cp;
	size_t		 n;
	uint64_t	 hash;
};

struct lexicon {
	struct lexicon_word	*words;
	size_t			 nwords;
	size_t			*slots;		/* index + 1, 0: empty */
	size_t			 nslots;
};

/* Short common words that join the listed ones in a spaced-out phrase. */
static const char *const common[] = {
	"a", "i", "u", "an", "the", "and", "or", "of", "to", "in", "on", "at",
	"by", "for", "is", "are", "am", "be", "was", "were", "it", "its",
	"you", "your", "yours", "yourself", "yourselves", "ya", "ur", "yo",
	"me", "my", "myself", "we", "us", "our", "he", "him", "his",
	"himself", "she", "her", "herself", "they", "them", "their",
	"themselves", "this", "that", "these", "those", "all", "every", "go",
	"get", "off", "up", "out", "so", "no", "not", "now", "die", "dead",
	"here", "there", "what", "who", "with", "will", "gonna", "should",
	"must", "can", "do", "did", "one", "man", "men", "people", "guys",
	"я", "ты", "вы", "он", "она", "оно", "они", "мы", "тебя", "тебе",
	"тобой", "вас", "вам", "его", "её", "ее", "их", "им", "нас", "нам",
	"и", "в", "на", "с", "к", "у", "о", "а", "не", "да", "нет", "все",
	"всех", "это", "так", "иди", "твою", "твой", "твоя", "ти", "він",
	"вона", "вони", "ми", "ви", "і", "та", "що", "це", "всі", "всіх",
	"йди", "твою",
};

static uint64_t	hash_of(const uint32_t *, size_t);
static void	insert(struct lexicon *, const uint32_t *, size_t);
static void	grow(struct lexicon *);

static uint64_t
hash_of(const uint32_t *cp, size_t n)
{
	uint64_t	h = 1469598103934665603ull;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ cp[i]) * 1099511628211ull;
	return h;
}

static void
grow(struct lexicon *lx)
{
	size_t	i, j;

	free(lx->slots);
	lx->nslots = lx->nslots ? lx->nslots * 2 : 512;
	lx->slots = xcalloc(lx->nslots, sizeof *lx->slots);
	for (i = 0; i < lx->nwords; i++) {
		for (j = lx->words[i].hash & (lx->nslots - 1); lx->slots[j];
		    j = (j + 1) & (lx->nslots - 1))
			;
		lx->slots[j] = i + 1;
	}
}

static void
insert(struct lexicon *lx, const uint32_t *cp, size_t n)
{
	struct lexicon_word	*w;
	size_t			 j;

	if (n == 0 || n > LEXICON_WORD_MAX || lexicon_has(lx, cp, n))
		return;
	if (lx->nwords % 256 == 0)
		lx->words = xreallocarray(lx->words, lx->nwords + 256,
		    sizeof *lx->words);
	w = &lx->words[lx->nwords++];
	w->cp = xreallocarray(NULL, n, sizeof *w->cp);
	memcpy(w->cp, cp, n * sizeof *cp);
	w->n = n;
	w->hash = hash_of(cp, n);
	if (lx->nwords * 2 > lx->nslots) {
		grow(lx);	/* places every word, this one too */
		return;
	}
	for (j = w->hash & (lx->nslots - 1); lx->slots[j];
	    j = (j + 1) & (lx->nslots - 1))
		;
	lx->slots[j] = lx->nwords;
}

struct lexicon *
lexicon_new(void)
{
	struct lexicon	*lx = xcalloc(1, sizeof *lx);
	uint32_t	 buf[LEXICON_WORD_MAX];
	size_t		 i, n;

	grow(lx);
	for (i = 0; i < sizeof common / sizeof common[0]; i++) {
		n = LEXICON_WORD_MAX;
		if (u8_to_u32((const uint8_t *)common[i], strlen(common[i]),
		    buf, &n) == buf)
			insert(lx, buf, n);
	}
	return lx;
}

void
lexicon_free(struct lexicon *lx)
{
	size_t	i;

	if (lx == NULL)
		return;
	for (i = 0; i < lx->nwords; i++)
		free(lx->words[i].cp);
	free(lx->words);
	free(lx->slots);
	free(lx);
}

/* Each run of two or more letters of text (UTF-8), case-folded. */
void
lexicon_add_text(struct lexicon *lx, const char *text, size_t len)
{
	const uint8_t	*p = (const uint8_t *)text, *end = p + len;
	uint32_t	 run[LEXICON_WORD_MAX];
	size_t		 n = 0;
	ucs4_t		 uc;
	int		 k, long_run = 0;

	while (p <= end) {
		k = p < end ? u8_mbtoucr(&uc, p, (size_t)(end - p)) : 0;
		if (k > 0 && (uc_is_general_category(uc, UC_CATEGORY_L) ||
		    (n > 0 && uc_is_general_category(uc, UC_CATEGORY_M)))) {
			if (n == LEXICON_WORD_MAX)
				long_run = 1;
			else
				run[n++] = uc_tolower(uc);
			p += k;
			continue;
		}
		if (n >= 2 && !long_run)
			insert(lx, run, n);
		n = 0;
		long_run = 0;
		p += k > 0 ? k : 1;
	}
}

int
lexicon_has(const struct lexicon *lx, const uint32_t *cp, size_t n)
{
	const struct lexicon_word	*w;
	uint64_t			 h;
	size_t				 j;

	if (lx == NULL || lx->nslots == 0)
		return 0;
	h = hash_of(cp, n);
	for (j = h & (lx->nslots - 1); lx->slots[j];
	    j = (j + 1) & (lx->nslots - 1)) {
		w = &lx->words[lx->slots[j] - 1];
		if (w->hash == h && w->n == n &&
		    memcmp(w->cp, cp, n * sizeof *cp) == 0)
			return 1;
	}
	return 0;
}
