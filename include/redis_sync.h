#ifndef REDIS_SYNC_H
#define REDIS_SYNC_H

#include "config.h"

struct redisContext;

/*
 * Connects to the config's Redis (3 s timeouts), AUTH and SELECT as it
 * says; NULL after a message on stderr that starts with prog.
 */
struct redisContext *redis_sync_connect(const struct config *, const char *);

#endif
