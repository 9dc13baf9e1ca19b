#ifndef CTL_COUNTER_H
#define CTL_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "namemap.h"

struct ctl_count {
	char		*name;
	uint64_t	 n;
};

/* How often each name was seen; start zeroed. */
struct counter {
	struct namemap	 names;		/* uint64_t by name */
};

void	count_add(struct counter *, const char *, size_t);
/* Each name of a comma-separated list (NULL: none). */
void	count_list(struct counter *, const char *);
/* The counts, most first; the counter is left empty. */
struct ctl_count *count_array(struct counter *, size_t *);
void	ctl_counts_sort(struct ctl_count *, size_t);

#endif
