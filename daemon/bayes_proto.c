/*
 * The learn script's arguments (layout in daemon/learn.lua). Words go
 * as their hashes, little-endian 8 bytes each, so that the model in Redis
 * is the same whichever host learned it.
 */

#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "bayes_proto.h"
#include "normalize.h"
#include "script.h"
#include "xmalloc.h"

size_t
bayes_text_tokens(struct normalizer *nz, const char *text, size_t len,
    struct bayes_token **out)
{
	struct textview	 v;
	size_t		 n;

	textview_init(&v);
	normalize_view(nz, text, len, BAYES_STAGES, &v);
	n = bayes_tokens(v.p, v.len, out);
	textview_free(&v);
	return n;
}

size_t
bayes_token_words(const struct bayes_token *t, size_t n, char **out)
{
	size_t	 i, k;
	char	*w;

	w = xmalloc(8 * n + 1);
	for (i = 0; i < n; i++)
		for (k = 0; k < 8; k++)
			w[8 * i + k] = (char)(t[i].hash >> (8 * k));
	*out = w;
	return 8 * n;
}

size_t
bayes_text_words(struct normalizer *nz, const char *text, size_t len,
    char **out)
{
	struct bayes_token	*t;
	size_t			 n, wl;

	n = bayes_text_tokens(nz, text, len, &t);
	wl = bayes_token_words(t, n, out);
	free(t);
	return wl;
}

/* a: EVAL of the learn script for items[0..n), keys under prefix. */
void
bayes_learn_encode(struct decide_argv *a, const char *prefix,
    uint64_t marker_ms, const struct bayes_item *items, size_t n)
{
	size_t	i, pl = strlen(prefix);

	a->n = a->buflen = 0;
	argv_str(a, "EVAL");
	argv_str(a, learn_lua);
	argv_str(a, "3");
	argv_made(a, prefix, pl, "b:words", 7);
	argv_made(a, prefix, pl, "b", 1);
	argv_made(a, prefix, pl, "b:log", 5);
	argv_u64(a, learn_lua_layout);
	argv_made(a, prefix, pl, "b:l:", 4);
	argv_u64(a, marker_ms);
	argv_u64(a, BAYES_LOG_KEEP);
	argv_u64(a, n);
	for (i = 0; i < n; i++) {
		argv_str(a, items[i].id);
		argv_str(a, items[i].spam ? "spam" : "ham");
		argv_str(a, items[i].sure ? "1" : "0");
		argv_add(a, items[i].words, items[i].len);
	}
	argv_done(a);
}
