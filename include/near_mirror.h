#ifndef NEAR_MIRROR_H
#define NEAR_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "namemap.h"
#include "neardup.h"

/*
 * The decide script's near_text counting (decide.lua, near_over), in
 * memory: what --replay counts brigades with. Band buckets by field name,
 * each the newest RATELIMIT_NEAR_KEEP comments that fell in it (a
 * distinct limit's value once, at its newest); every comment counted
 * keeps its signature and identity, by number.
 */
struct near_record {
	struct neardup_sig	 sig;
	char			*id;		/* the distinct value's, or NULL */
};

struct near_mirror {
	struct namemap		 buckets;	/* struct near_bucket by field */
	struct near_record	*recs;
	size_t			 nrecs;
	size_t			 cap;
};

void	near_mirror_init(struct near_mirror *);
void	near_mirror_free(struct near_mirror *);
int	near_mirror_over(struct near_mirror *, const char *,
	    const struct neardup_sig *, const char *, int64_t, uint64_t,
	    uint64_t, unsigned);

#endif
