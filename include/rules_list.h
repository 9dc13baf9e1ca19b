#ifndef RULES_LIST_H
#define RULES_LIST_H

#include "diag.h"
#include "wordlist.h"
#include "yamlfile.h"

struct normalizer;

/* Longer words lists are word lists (wordlist.h), not one regex. */
#define RULES_LIST_REGEX_MAX	1000
#define RULES_LIST_MAX		1000000		/* entries in a list */
#define RULES_LIST_ENTRY_MAX	1024		/* bytes in an entry */
#define RULES_LIST_FILE_MAX	(64u << 20)	/* bytes in a words_file */

struct wordlist	*rules_list_words(struct diag *, struct yfile *, yaml_node_t *,
		    unsigned, struct normalizer *);
struct sha256_ctx;
struct wordlist	*rules_list_file(struct diag *, struct yfile *, yaml_node_t *,
		    struct sha256_ctx *,
		    const char *, unsigned, struct normalizer *);

#endif
