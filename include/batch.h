#ifndef BATCH_H
#define BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "entry.h"

struct matcher;
struct ruleset;

/*
 * A batch's own copy of a rate-limit rule, so that a batch outlives a
 * reload of the rules it was decided with (a NOSCRIPT resend, say).
 */
struct batch_limit {
	char		*name;
	char		*reason;
	enum action	 action;
	int		 shadow;
	uint64_t	 max;
	uint64_t	 per_ms;
	int		 distinct;	/* counts distinct values (ids) */
	unsigned	 near;		/* near_text: equal values needed, or 0 */
	char		*ladder;	/* escalate: ladder_spec, or NULL */
	int		 short_windows;	/* in period hashes (ratelimit_short) */
	size_t		 order;		/* the rule's place: precedence */
};

/* A rate limit an item counts toward: limit indexes batch->limits. */
struct batch_check {
	size_t		 limit;
	char		*key;		/* without the configured prefix */
	char		*id;		/* the distinct value's, or NULL */
	struct neardup_sig *sig;	/* a near_text limit's, or NULL */
};

/*
 * One entry and what was decided for it. Everything here is owned by the
 * item and outlives the ruleset that decided it: a reload can free the
 * ruleset while the batch is still being written.
 */
struct batch_item {
	struct entry	 entry;
	int		 poison;	/* delivered too often: not decided */

	/* Set by batch_decide; the decide script may settle them again. */
	enum action	 action;
	char		*rules;		/* comma-separated live rules that matched */
	char		*shadow;	/* comma-separated shadow rules that matched */
	char		*reason;	/* deciding rule's reason, or "" */
	char		*acts;		/* a letter a rule named, rules then
					   shadow: its own action (a, f, r) */
	size_t		 order;		/* deciding rule's place, or SIZE_MAX */
	int		 final;		/* a final rule decided */
	size_t		 errors;	/* rules that could not run */
	struct batch_check *checks;
	size_t		 nchecks;
	char		*slow_rule;	/* a match to report as slow, or NULL */
	uint64_t	 slow_ns;
};

/*
 * The entries of one read and their decisions. A batch is decided as soon
 * as it is read and kept until its decisions are known to be written and
 * acknowledged, so the log only reports durable decisions.
 */
struct batch {
	struct batch_item *items;
	size_t		 n;
	uint64_t	 read_us;	/* monotonic time the reply arrived */
	struct batch_limit *limits;
	size_t		 nlimits;
	char		 ruleset[16];	/* the hash of the ruleset that decided */
	int		 eval;		/* sent with EVAL after a NOSCRIPT */
	int		 claimed;	/* from XAUTOCLAIM, not XREADGROUP */
};

struct batch	*batch_new(size_t);
void		 batch_free(struct batch *);
void		 batch_decide(struct matcher *, const struct ruleset *,
		    enum action, struct batch *);

#endif
