#ifndef PRESENCE_H
#define PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "action.h"

/*
 * Each running daemon keeps a record of itself in Redis, so that
 * moderatorctl sees every instance on every host, and watches a reload
 * counter that moderatorctl increments:
 *
 *   moderatord:GROUP:instances		sorted set: consumer -> heartbeat (ms)
 *   moderatord:GROUP:instance:CONSUMER	hash (the fields below), expiring
 *   moderatord:GROUP:reload		counter: a change asks for a reload
 *
 * A record older than PRESENCE_TTL_MS is a dead instance.
 */
#define PRESENCE_EVERY_MS	1000u
#define PRESENCE_TTL_MS		15000u

enum presence_key { PRESENCE_INSTANCES, PRESENCE_INSTANCE, PRESENCE_RELOAD };

/* What a daemon says of itself; strings borrowed. */
struct presence_record {
	const char	*host;
	long		 pid;
	const char	*version;
	uint64_t	 started_ms;
	size_t		 rules;
	size_t		 files;
	const char	*ruleset;	/* the hash of the rules in force */
	const char	*reload_gen;	/* the counter's value last acted on */
	const char	*reload_result;	/* "ok", "failed: ...", "" */
	uint64_t	 reload_ms;	/* when, or 0 */
	uint64_t	 decided[ACTION_COUNT];
};

/* The key, allocated; consumer only for PRESENCE_INSTANCE. */
char	*presence_key(enum presence_key, const char *, const char *);
/* Field/value pairs of r (heartbeat now_ms): *n pairs, strings in buf. */
#define PRESENCE_FIELDS	15
void	 presence_fields(const struct presence_record *, uint64_t,
	    const char **, char [PRESENCE_FIELDS][64], size_t *);

#endif
