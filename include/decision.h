#ifndef DECISION_H
#define DECISION_H

#include "entry.h"
#include "neardup.h"
#include "matcher.h"
#include "ruleset.h"

/*
 * A rate-limit rule whose conditions the comment meets: it counts under
 * key, and is over the limit if the window in Redis says so. rule is
 * borrowed from the ruleset.
 */
struct rl_check {
	const struct rule	*rule;
	char			*key;	/* without the configured prefix */
	char			*id;	/* the distinct value's, or NULL */
	struct neardup_sig	*sig;	/* a near_text limit's, or NULL */
};

/*
 * The outcome for one comment before its rate limits are known (the decide
 * script settles those). Strings are owned by the decision; hits and
 * checks borrow rules from the ruleset, so they go stale when it is
 * freed: keep only the strings past a reload.
 */
struct decision {
	enum action	 action;
	char		*rules;		/* comma-separated live rules that matched */
	char		*shadow;	/* comma-separated shadow rules that matched */
	char		*reason;	/* deciding rule's reason, or "" */
	struct hit	*hits;		/* every matching rule, in rule order */
	size_t		 nhits;
	size_t		 errors;	/* rules that failed to run (match limit) */
	size_t		 order;		/* deciding rule's index, or SIZE_MAX */
	int		 final;		/* a final rule decided */
	struct rl_check	*checks;	/* rate limits this comment counts toward */
	size_t		 nchecks;
	const struct rule *slow_rule;	/* a match to report as slow, or NULL */
	uint64_t	 slow_ns;
};

void	decision_make(struct matcher *, const struct ruleset *,
	    const struct entry *, enum action, struct decision *);
void	decision_free(struct decision *);
const struct textview *decision_folded_text(struct matcher *,
	    const struct rule *, const struct entry *);

#endif
