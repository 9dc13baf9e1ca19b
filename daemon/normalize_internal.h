#ifndef NORMALIZE_INTERNAL_H
#define NORMALIZE_INTERNAL_H

/*
 * What normalize.c (the character stages) and normalize_word.c (the
 * word stages) share: the text as characters, each with its class and
 * the original span it came from.
 */

#include <stddef.h>
#include <stdint.h>

#define NORM_RAW	0x80000000u	/* | byte: an invalid byte, kept as is */
#define CACHE_OUT_MAX	3

/* Character classes, as bits. */
#define NORM_C_LETTER	0x01
#define NORM_C_LATIN	0x02	/* a letter of the Latin script */
#define NORM_C_DIGIT	0x04	/* any number */
#define NORM_C_MARK	0x08
#define NORM_C_SPACE	0x10	/* white space, line breaks */
#define NORM_C_PUNCT	0x20
#define NORM_C_LEET	0x40	/* in the leet map */
#define NORM_C_LOOKALIKE 0x80	/* another script's letter, Latin look-alike */

/*
 * The characters, as arrays side by side (plain ASCII then fills and
 * copies them in simple loops): code point, class, and original span.
 */
struct norm_units {
	uint32_t	*cp;
	uint8_t		*cls;
	uint32_t	*start;
	uint32_t	*end;
	size_t		 n;
	size_t		 cap;
	uint8_t		 seen;		/* every class met, or-ed */
	int		 ascii;		/* every code point < 0x80 */
};

struct lexicon;

uint8_t	norm_classify(uint32_t);
int	norm_script_of(uint32_t, uint8_t);
uint32_t norm_native(uint32_t, unsigned);
void	norm_words(struct norm_units *, unsigned, const struct lexicon *);

#endif
