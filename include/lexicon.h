#ifndef LEXICON_H
#define LEXICON_H

#include <stddef.h>
#include <stdint.h>

/*
 * The words a spaced-out run may be split into ("f u c k y o u" reads
 * "fuck you"): the words a ruleset's rules look for, and a few hundred
 * common short words of English, Russian and Ukrainian (pronouns,
 * articles, prepositions), all case-folded. A set of code point strings.
 */
struct lexicon;

struct lexicon	*lexicon_new(void);
void		 lexicon_free(struct lexicon *);
void		 lexicon_add_text(struct lexicon *, const char *, size_t);
int		 lexicon_has(const struct lexicon *, const uint32_t *, size_t);

#endif
