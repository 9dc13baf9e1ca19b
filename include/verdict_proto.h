#ifndef VERDICT_PROTO_H
#define VERDICT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "decide_proto.h"
#include "entry.h"
#include "ruleset.h"

struct ruleset;

/*
 * Moderators' verdicts (SPEC "Moderators' verdicts"): an entry of the
 * verdict stream -> a verdict, a batch of them -> the arguments of one
 * call of the verdict script (daemon/verdict.lua), and the keys their
 * counts live under. Pure: no I/O.
 */

#define VERDICT_ID_MAX	1024	/* a comment id longer is malformed */

struct verdict {
	char	 sid[65];	/* the verdict's stream entry id */
	char	*id;		/* the comment's, or "" */
	char	*verdict;	/* "approve" or "remove", or "" */
	char	*entry;		/* decision_entry, or "" */
	char	*bad;		/* why it is malformed, or "" */
	char	*strikes;	/* escalate keys its fields make: "KEY DECAY ..." */
};

struct verdict_params {
	unsigned	 layout;	/* the version the script reads */
	const char	*stream;	/* the verdict stream */
	const char	*decisions;	/* the decision stream */
	const char	*group;
	const char	*consumer;
	const char	*prefix;	/* the verdict keys' */
	uint64_t	 window_ms;
	uint64_t	 max_deliveries;
};

/* The keys under a prefix ("moderatord:v:"): allocated. */
char	*verdict_key(const char *, const char *);

void	verdict_parse(struct verdict *, const char *, const struct bytes *,
	    size_t);
void	verdict_clear(struct verdict *);
void	verdict_strike_keys(struct verdict *, const struct ruleset *,
	    const char *, const struct bytes *, size_t,
	    const struct entry_limits *);
void	verdict_encode(struct decide_argv *, const struct verdict_params *,
	    const char *, const char *, const struct ruleset *,
	    const struct verdict *, size_t);

/*
 * Lifts rule ARGV[1]'s demotion (KEYS: the counts and demoted hashes):
 * the counts as they stand become the baseline, so that only verdicts
 * given from now on can demote it again. Returns 1 if it was demoted.
 */
extern const char verdict_lift_lua[];

#endif
