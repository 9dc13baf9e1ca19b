#ifndef DECISION_H
#define DECISION_H

#include "rules.h"

/*
 * The outcome for one comment. Strings are owned by the decision; hits
 * borrow rules from the ruleset, so they go stale when it is freed:
 * keep only the strings past a reload.
 */
struct decision {
	enum action	 action;
	char		*rules;		/* comma-separated live rules that matched */
	char		*shadow;	/* comma-separated shadow rules that matched */
	char		*reason;	/* deciding rule's reason, or "" */
	struct hit	*hits;		/* every matching rule, in rule order */
	size_t		 nhits;
	size_t		 errors;	/* rules that failed to run (match limit) */
};

void	decide(struct matcher *, const struct ruleset *, const struct entry *,
	    enum action, struct decision *);
void	decision_free(struct decision *);

#endif
