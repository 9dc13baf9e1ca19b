#ifndef WORDLIST_H
#define WORDLIST_H

#include <stddef.h>
#include <stdint.h>

struct hs_database;
struct hs_scratch;
struct pcre2_real_code_8;
struct pcre2_real_match_data_8;

/*
 * A long word list (words_file, or words with more entries than one
 * regex should hold): its entries matched all at once as literals by
 * Vectorscan, on a view of the field where case is folded (for a
 * caseless rule) and white space is one space, with the entries folded
 * alike. A match counts only as a whole word, as with words: not after
 * nor before a word character (\w as PCRE2 has it, which the matcher
 * asks). The match reported is the leftmost, and there the first entry
 * of the list: what the words regex would report.
 */
struct wordlist {
	struct hs_database	*db;
	uint32_t		*lens;	/* each entry's length in bytes */
	size_t			 n;
};

struct wordlist	*wordlist_new(char *const *, const size_t *, size_t, char **);
void		 wordlist_free(struct wordlist *);
int		 wordlist_match(const struct wordlist *, struct hs_scratch *,
		    const char *, size_t, const struct pcre2_real_code_8 *,
		    struct pcre2_real_match_data_8 *, size_t *, size_t *);

#endif
