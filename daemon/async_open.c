/*
 * Opening a hiredis async context on the daemon's event base (wired as
 * hiredis examples/example-libevent.c): for Redis itself and for the
 * sentinels alike.
 */

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>

#include "async_open.h"
#include "xmalloc.h"

redisAsyncContext *
async_open(const struct redis_address *a, struct event_base *base,
    void *data, redisConnectCallback *on_connect,
    redisDisconnectCallback *on_disconnect, char **why)
{
	redisAsyncContext	*ac;

	ac = a->path != NULL ? redisAsyncConnectUnix(a->path) :
	    redisAsyncConnect(a->host, a->port);
	if (ac == NULL || ac->err) {
		*why = xstrdup(ac != NULL ? ac->errstr : "out of memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		return NULL;
	}
	ac->data = data;
	redisLibeventAttach(ac, base);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	return ac;
}
