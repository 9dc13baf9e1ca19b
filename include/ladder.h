#ifndef LADDER_H
#define LADDER_H

#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "diag.h"
#include "yfile.h"

/*
 * escalate: a repeat-offender ladder. Its rule is a rate-limit rule whose
 * window holds strikes (the key's comments decided or judged as
 * strikes_from says) instead of comments; decide.lua counts them and
 * applies the step reached, verdict.lua adds and takes back the strikes
 * of moderators' verdicts.
 */
#define LADDER_FROM_REJECT	0x1
#define LADDER_FROM_FLAG	0x2
#define LADDER_FROM_REMOVE	0x4	/* a moderator's remove verdict */
#define LADDER_STEPS_MAX	16
#define LADDER_STRIKES_MAX	1000
/* Strikes a key keeps: enough for any step, and for approvals to undo. */
#define LADDER_KEEP		(2 * LADDER_STRIKES_MAX)
#define LADDER_DECAY_MAX_MS	(366ull * 24 * 3600 * 1000)

struct ladder_step {
	uint64_t	strikes;
	enum action	action;
	uint64_t	for_ms;		/* 0: while the strikes last */
};

struct ladder {
	unsigned		 from;		/* LADDER_FROM_* */
	uint64_t		 decay_ms;
	char			*decay;		/* as written: "7d" */
	struct ladder_step	*steps;		/* by strikes, ascending */
	size_t			 nsteps;
};

struct rate_limit;

int		 ladder_parse(struct diag *, struct yfile *, yaml_node_t *,
		    struct rate_limit *);
void		 ladder_clear(struct ladder *);
void		 ladder_free(struct ladder *);
int		 ladder_from_spec(const char *, struct ladder *);
enum action	 ladder_top_action(const struct ladder *);
char		*ladder_spec(const struct ladder *, size_t);
const struct ladder_step *ladder_step_at(const struct ladder *, uint64_t,
		    int64_t, int64_t);

#endif
