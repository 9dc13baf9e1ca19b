#ifndef REDIS_XINFO_H
#define REDIS_XINFO_H

#include <stdint.h>

struct redisReply;

/*
 * From an XINFO GROUPS reply, group's lag (entries not yet delivered to
 * it) and pending count; -1 for what the reply does not say. Shared by
 * the daemon's metrics and moderatorctl.
 */
void	xinfo_group(const struct redisReply *, const char *, int64_t *,
	    int64_t *);

#endif
