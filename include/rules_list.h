#ifndef RULES_LIST_H
#define RULES_LIST_H

#include "diag.h"
#include "wordlist.h"
#include "yfile.h"

struct lexicon;
struct normalizer;

/* Longer words lists are word lists (wordlist.h), not one regex. */
#define RULES_LIST_REGEX_MAX	1000
#define RULES_LIST_MAX		1000000		/* entries in a list */
#define RULES_LIST_ENTRY_MAX	1024		/* bytes in an entry */
#define RULES_LIST_FILE_MAX	(64u << 20)	/* bytes in a words_file */

/*
 * What the entries of a list tell the loader as they are read: the
 * scripts they are written in (NORM_SCRIPT_*, or-ed in), and, when
 * lexicon is not NULL, their words for spacing's lexicon.
 */
struct rules_list_seen {
	unsigned	 scripts;
	struct lexicon	*lexicon;
};

struct wordlist	*rules_list_words(struct diag *, struct yfile *, yaml_node_t *,
		    unsigned, struct normalizer *, struct rules_list_seen *);
struct sha256_ctx;
struct wordlist	*rules_list_file(struct diag *, struct yfile *, yaml_node_t *,
		    struct sha256_ctx *,
		    const char *, unsigned, struct normalizer *,
		    struct rules_list_seen *);

#endif
