#ifndef HS_REWRITE_H
#define HS_REWRITE_H

#include <stddef.h>

/*
 * Bumped whenever a rewrite changes: it is part of the key of every
 * cached database (hs_cache.c), so that a database built from an older
 * rewrite is never loaded.
 */
#define HS_REWRITE_VERSION	1

/* A repeat whose byte bound would pass this becomes unbounded. */
#define HS_REWRITE_BOUND	64

struct hs_rewriter;

struct hs_rewriter *hs_rewriter_new(void);
void		 hs_rewriter_free(struct hs_rewriter *);
char		*hs_rewrite(struct hs_rewriter *, const char *, size_t, int,
		    const char **);

#endif
