#ifndef BATCH_H
#define BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "decision.h"
#include "entry.h"

struct daemon;

/*
 * A batch's own copy of a rate-limit rule, so that a batch outlives a
 * reload of the rules it was decided with (a NOSCRIPT resend, say).
 */
struct rl_desc {
	char		*name;
	char		*reason;
	int		 action;
	int		 shadow;
	uint64_t	 max;
	uint64_t	 per_ms;
	size_t		 order;
};

struct batch_item {
	struct entry	 entry;
	struct decision	 decision;
	int		 poison;	/* delivered too often: not decided */
};

/*
 * The entries of one XREADGROUP reply and their decisions. A batch is
 * decided as soon as it is read and kept until its decisions are known to
 * be written and acknowledged, so the log only reports durable decisions.
 */
struct batch {
	struct batch_item *items;
	size_t		 n;
	uint64_t	 read_us;	/* monotonic time the reply arrived */
	struct rl_desc	*descs;
	size_t		 ndescs;
	size_t		 nchecks;	/* over all items */
	int		 eval;		/* sent with EVAL after a NOSCRIPT */
	int		 claimed;	/* from XAUTOCLAIM, not XREADGROUP */
};

/* What became of an entry the decide script was given. */
enum item_fate {
	FATE_GONE,	/* no longer pending for us: decided elsewhere */
	FATE_WRITTEN,	/* decided and acknowledged */
	FATE_DEAD	/* delivered too often: dead-lettered and acknowledged */
};

struct batch	*batch_new(size_t);
void		 batch_free(struct batch *);
void		 batch_decide(struct daemon *, struct batch *);
void		 batch_logged(struct daemon *, const struct batch *,
		    const enum item_fate *);
uint64_t	 monotonic_us(void);

#endif
