#ifndef LITERALS_H
#define LITERALS_H

#include <stddef.h>

#define LITERALS_SETS	4	/* at most, all required */

/*
 * The literals a pattern cannot match without: sets of strings such that
 * every match of the pattern contains a string of each set. The
 * prefilter looks for all the literals of all rules in one scan; a rule
 * that misses a set cannot match.
 */
struct literals_set {
	char	**s;		/* UTF-8 */
	size_t	 *len;
	size_t	  n;
};

struct literals {
	struct literals_set set[LITERALS_SETS];
	size_t		  nset;
	int		  caseless;	/* look for them ignoring case */
};

int	literals_required(const char *, int, struct literals *);
void	literals_free(struct literals *);
char	*literals_widen(const char *);

#endif
