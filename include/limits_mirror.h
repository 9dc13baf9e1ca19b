#ifndef LIMITS_MIRROR_H
#define LIMITS_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "ladder.h"
#include "namemap.h"

/*
 * A rate-limit window: the newest max + 1 event times of one key, each
 * with the identity of its value for a limit that counts distinct values
 * (each value once, at its newest time).
 */
struct window {
	int64_t		*t;
	char		**id;		/* or NULL */
	size_t		 n;
};

int	mirror_window_over(struct namemap *, const char *, int64_t,
	    const char *, uint64_t, uint64_t);
void	mirror_window_clear(void *);
const struct ladder_step *mirror_ladder(struct namemap *,
	    const struct ladder *, const char *, const char *, int64_t,
	    enum action, uint64_t *);

#endif
