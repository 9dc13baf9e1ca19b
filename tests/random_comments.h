#ifndef RANDOM_COMMENTS_H
#define RANDOM_COMMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/*
 * Random comments made of the words a ruleset looks for: the literals its
 * patterns require (the prefilter's own), the words of its examples and
 * whole examples, mixed with ordinary words in the three languages of the
 * sample threads and with the characters the prefilter treats apart
 * (Kelvin sign, long s, invisible characters, fullwidth letters, invalid
 * UTF-8). Reproducible from the seed alone.
 */
struct random_comments {
	char		**words;	/* the ruleset's, NUL-terminated */
	size_t		  nwords;
	uint64_t	  state;	/* xorshift64* */
	char		 *buf;
	size_t		  len;
	size_t		  cap;
};

void		 random_comments_init(struct random_comments *,
		    const struct ruleset *, uint64_t);
void		 random_comments_free(struct random_comments *);
const char	*random_comments_next(struct random_comments *, size_t *);
uint64_t	 random_comments_u64(struct random_comments *);

#endif
