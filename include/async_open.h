#ifndef ASYNC_OPEN_H
#define ASYNC_OPEN_H

#include <hiredis/async.h>

#include "address.h"

struct event_base;

/*
 * A hiredis async context connecting to a, on base, with data and the
 * two callbacks set; NULL and *why (allocated) if hiredis refused at
 * once.
 */
redisAsyncContext *async_open(const struct redis_address *,
		    struct event_base *, void *, redisConnectCallback *,
		    redisDisconnectCallback *, char **);

#endif
