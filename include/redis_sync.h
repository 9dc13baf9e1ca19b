#ifndef REDIS_SYNC_H
#define REDIS_SYNC_H

#include "config.h"

struct redisContext;
struct redisReply;

/*
 * Connects to the config's Redis (3 s timeouts), AUTH and SELECT as it
 * says; NULL after a message on stderr that starts with prog.
 */
struct redisContext *redis_sync_connect(const struct config *, const char *);
/*
 * The last count entries of a stream, oldest first, read without being
 * consumed: cb(id, fields, arg) each. 0, or -1 after a message.
 */
int	redis_sync_last_entries(struct redisContext *, const char *,
	    const char *, unsigned long,
	    void (*)(const char *, const struct redisReply *, void *), void *);

/*
 * How many comments the classifier has learned, by class (the model
 * hash under the verdict prefix). 0, or -1 with *why the error (static
 * or rc's).
 */
int	redis_sync_learned(struct redisContext *, const char *,
	    unsigned long long *, unsigned long long *, const char **);

#endif
