#ifndef ACTION_H
#define ACTION_H

#include <stddef.h>
#include <stdint.h>

/* What a rule does to a comment, in rising severity. */
enum action {
	ACTION_APPROVE = 0,
	ACTION_FLAG,
	ACTION_REJECT
};

#define ACTION_COUNT	3

const char	*action_name(enum action);
int		 action_parse(const char *, enum action *);
uint64_t	 action_precedence(enum action, size_t);

#endif
