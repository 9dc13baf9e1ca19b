#ifndef WINDOW_READ_H
#define WINDOW_READ_H

#include <hiredis/hiredis.h>

#include "config.h"
#include "neardup.h"
#include "ruleset.h"

/*
 * Rate-limit windows read from Redis as the decide script keeps them
 * (decide.lua), for --explain: read, never counted in.
 */

/* A near-identical comment found in a near_text limit's buckets. */
struct near_found {
	char	*id;		/* its comment id */
	double	 similarity;
};

long long	window_count(redisContext *, const struct config *,
		    const struct rule *, const char *, long long);
long long	window_near(redisContext *, const struct config *,
		    const struct rule *, const char *,
		    const struct neardup_sig *, const char *, long long,
		    struct near_found **, size_t *);
void		near_found_free(struct near_found *, size_t);
long long	window_strikes(redisContext *, const struct config *,
		    const struct rule *, const char *, long long, long long *);

#endif
