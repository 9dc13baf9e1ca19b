#ifndef JSONL_H
#define JSONL_H

#include <stddef.h>

#include "entry.h"

/*
 * One line of JSON lines as a comment's fields: an object whose values
 * are strings, numbers or booleans (taken as their text; null leaves the
 * field out). Reused from line to line.
 */
struct jsonl {
	struct bytes	*kv;		/* name, value, name, value, ... */
	size_t		 n;		/* pairs */
	size_t		 cap;
	char		**owned;
	size_t		 nowned;
};

void	jsonl_init(struct jsonl *);
void	jsonl_free(struct jsonl *);
int	jsonl_parse(struct jsonl *, const char *, size_t, char **);

#endif
