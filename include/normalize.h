#ifndef NORMALIZE_H
#define NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "textview.h"

/*
 * Normalised views of a text, for rules that evasions must not walk
 * around: the stages of the normalize rule key, applied in this order.
 */
#define NORM_NFKC		0x001	/* compatibility forms: fullwidth, math */
#define NORM_CASEFOLD		0x002	/* full Unicode case folding */
#define NORM_INVISIBLE		0x004	/* default-ignorable characters gone */
#define NORM_DIACRITICS		0x008	/* combining diacritical marks gone */
#define NORM_CONFUSABLES	0x010	/* look-alike letters in Latin words */
#define NORM_LEET		0x020	/* 0 -> o, 1 -> i, @ -> a ... in words */
#define NORM_REPEATS		0x040	/* a letter 3 or more times: once */
#define NORM_SPACING		0x080	/* "f u c k", "f.u.c.k" joined */
#define NORM_ALL		0x0ff
/* Not rules' stages: only letters, digits and marks kept (duplicate keys); */
#define NORM_ALNUM		0x100
/* every run of white space one space (word lists); */
#define NORM_SPACES		0x200
/*
 * with confusables, Latin look-alikes fold toward Cyrillic or Greek, in a
 * word that has letters of that script: for rules written in it.
 */
#define NORM_TO_CYRILLIC	0x400
#define NORM_TO_GREEK		0x800

/* The scripts a rule is written in (normalize_scripts). */
#define NORM_SCRIPT_LATIN	0x1
#define NORM_SCRIPT_CYRILLIC	0x2
#define NORM_SCRIPT_GREEK	0x4

#define NORM_CHAR_STAGES	(NORM_NFKC | NORM_CASEFOLD | NORM_INVISIBLE | \
				 NORM_DIACRITICS)

struct normalizer;
struct lexicon;

struct normalizer *normalizer_new(void);
void		 normalizer_free(struct normalizer *);
void		 normalizer_lexicon(struct normalizer *, const struct lexicon *);
void		 normalize_view(struct normalizer *, const char *, size_t,
		    unsigned, struct textview *);
int		 normalize_stage_parse(const char *, unsigned *);
unsigned	 normalize_scripts(const char *, size_t, int);
unsigned	 normalize_direction(unsigned);
const char	*normalize_stage_name(unsigned);
char		*normalize_stages_describe(unsigned);

#endif
