#ifndef CTL_COUNTER_H
#define CTL_COUNTER_H

/*
 * Kept apart from ctl.h: <search.h> declares a struct entry of its own,
 * which the daemon's entry.h would clash with.
 */

#include <stddef.h>
#include <stdint.h>

struct ctl_count {
	char		*name;
	uint64_t	 n;
};

/* How often each name was seen; start as { NULL, 0 }. */
struct counter {
	void		*root;
	size_t		 n;
};

void	count_add(struct counter *, const char *, size_t);
/* Each name of a comma-separated list (NULL: none). */
void	count_list(struct counter *, const char *);
/* The counts, most first; the counter is left empty. */
struct ctl_count *count_array(struct counter *, size_t *);
void	ctl_counts_sort(struct ctl_count *, size_t);

#endif
