/*
 * Once a second on the control connection: this daemon's record for
 * moderatorctl (presence.h), refreshed with an expiry so that a dead
 * instance drops out, and a look at the reload counter. Five small
 * pipelined commands a second, none on the decision path.
 */

#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "clock.h"
#include "presence.h"
#include "redis_internal.h"
#include "xmalloc.h"

static void	beat_cb(redisAsyncContext *, void *, void *);
static void	reload_cb(redisAsyncContext *, void *, void *);

void
heartbeat_send(struct redis_io *rio)
{
	struct presence_record	 r;
	const char		*argv[2 + 2 * PRESENCE_FIELDS];
	char			 num[PRESENCE_FIELDS][64], ttl[24], now[24];
	char			 old[24];
	char			*inst, *all, *reload;
	uint64_t		 now_ms = clock_realtime_ms();
	size_t			 n;
	const char		*group = rio->cfg.stream.group;
	const char		*consumer = rio->cfg.stream.consumer;

	memset(&r, 0, sizeof r);
	rio->ev.on_presence(&r, rio->arg);
	inst = presence_key(PRESENCE_INSTANCE, group, consumer);
	all = presence_key(PRESENCE_INSTANCES, group, NULL);
	reload = presence_key(PRESENCE_RELOAD, group, NULL);
	snprintf(ttl, sizeof ttl, "%u", PRESENCE_TTL_MS);
	snprintf(now, sizeof now, "%llu", (unsigned long long)now_ms);
	snprintf(old, sizeof old, "(%llu", (unsigned long long)(now_ms -
	    4 * PRESENCE_TTL_MS));

	rio->last_beat_us = clock_monotonic_us();
	rio->beating = 1;
	argv[0] = "HSET";
	argv[1] = inst;
	presence_fields(&r, now_ms, argv + 2, num, &n);
	if (rio_queue(rio, beat_cb, NULL, 2 + 2 * (int)n, argv, NULL,
	    "the heartbeat") != 0)
		goto out;
	argv[0] = "PEXPIRE";
	argv[2] = ttl;
	if (rio_queue(rio, beat_cb, NULL, 3, argv, NULL, "the heartbeat") !=
	    0)
		goto out;
	argv[0] = "ZADD";
	argv[1] = all;
	argv[2] = now;
	argv[3] = consumer;
	if (rio_queue(rio, beat_cb, NULL, 4, argv, NULL, "the heartbeat") !=
	    0)
		goto out;
	/* Instances gone for a while leave the set. */
	argv[0] = "ZREMRANGEBYSCORE";
	argv[2] = "-inf";
	argv[3] = old;
	if (rio_queue(rio, beat_cb, NULL, 4, argv, NULL, "the heartbeat") !=
	    0)
		goto out;
	argv[0] = "GET";
	argv[1] = reload;
	(void)rio_queue(rio, reload_cb, NULL, 2, argv, NULL,
	    "the heartbeat");
out:
	free(inst);
	free(all);
	free(reload);
}

static void
beat_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	if (!rio_answered(rio, reply))
		return;
	/* Said once (an ACL that forbids the keys would say it every second). */
	if (reply->type == REDIS_REPLY_ERROR && !rio->beat_failed) {
		rio->beat_failed = 1;
		log_warnx(rio->log, "the heartbeat failed: %s; moderatorctl "
		    "status and reload will not see this instance",
		    reply->str);
	}
}

/*
 * The reload counter: the first value seen is where this daemon starts;
 * any change after it (moderatorctl reload) asks for a reload.
 */
static void
reload_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	const char	*gen;

	if (!rio_answered(rio, reply))
		return;
	rio->beating = 0;
	if (reply->type == REDIS_REPLY_STRING)
		gen = reply->str;
	else if (reply->type == REDIS_REPLY_NIL)
		gen = "0";
	else
		return;
	if (rio->reload_seen != NULL && strcmp(rio->reload_seen, gen) == 0)
		return;
	if (rio->reload_seen != NULL && !rio->stopping)
		rio->ev.on_reload(gen, rio->arg);
	free(rio->reload_seen);
	rio->reload_seen = xstrdup(gen);
}
