#ifndef BAYES_PROTO_H
#define BAYES_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "decide_proto.h"

/*
 * The classifier in Redis (daemon/learn.lua, daemon/bayes_sync.lua): a
 * text -> the words it is learned and scored by, and a batch of comments
 * to learn -> the arguments of one call of the learn script. Keys live
 * under the verdict prefix ("moderatord:v:b", "...b:words", "...b:log",
 * "...b:l:ID"). Pure: no I/O.
 */

#define BAYES_LOG_KEEP	10000	/* changes kept for daemons to copy */

struct normalizer;
struct bayes_token;

/* One comment to learn. */
struct bayes_item {
	const char	*id;		/* "" for none: learned every time */
	int		 spam;		/* else ham */
	int		 sure;		/* the model already says so: skip it */
	char		*words;		/* 8 bytes a word (bayes_text_words) */
	size_t		 len;
};

/*
 * The words of text as the learn script takes them, 8 bytes each: *out
 * allocated, its length returned. nz normalises (BAYES_STAGES).
 */
size_t	bayes_text_words(struct normalizer *, const char *, size_t, char **);
/* ... in two steps: the text's tokens (bayes_tokens of its view), ... */
size_t	bayes_text_tokens(struct normalizer *, const char *, size_t,
	    struct bayes_token **);
/* ... then their words as the learn script takes them. */
size_t	bayes_token_words(const struct bayes_token *, size_t, char **);
void	bayes_learn_encode(struct decide_argv *, const char *, uint64_t,
	    const struct bayes_item *, size_t);

#endif
