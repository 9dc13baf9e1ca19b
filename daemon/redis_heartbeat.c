/*
 * Once a second on the control connection: this daemon's record for
 * moderatorctl (presence.h), refreshed with an expiry so that a dead
 * instance drops out, and a look at the reload counter. Redis's TIME
 * first, then five small pipelined commands, none on the decision path.
 *
 * Every time written is Redis's, not this host's: moderatorctl ages the
 * records by Redis's clock, and instances prune each other's entries by
 * it, so a host whose clock is off neither vanishes nor prunes the rest.
 */

#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "clock.h"
#include "presence.h"
#include "redis_internal.h"
#include "xmalloc.h"

static void	time_cb(redisAsyncContext *, void *, void *);
static void	leave_cb(redisAsyncContext *, void *, void *);
static void	beat(struct redis_io *, uint64_t);
static void	beat_cb(redisAsyncContext *, void *, void *);
static void	reload_cb(redisAsyncContext *, void *, void *);

/*
 * A clean stop: this daemon's record goes at once, so that moderatorctl
 * status stops listing it now rather than when the record expires. The
 * replies count as writes in flight, which the stop waits for. -1 if
 * nothing could be sent.
 */
int
heartbeat_leave(struct redis_io *rio)
{
	const char	*argv[3];
	char		*inst, *all;
	int		 rc = -1;

	if (rio->ac == NULL || rio->state != CONN_UP)
		return -1;
	rio->left = 1;
	inst = presence_key(PRESENCE_INSTANCE, rio->cfg.stream.group,
	    rio->cfg.stream.consumer);
	all = presence_key(PRESENCE_INSTANCES, rio->cfg.stream.group, NULL);
	argv[0] = "DEL";
	argv[1] = inst;
	if (rio_queue(rio, leave_cb, NULL, 2, argv, NULL, "the leaving") != 0)
		goto out;
	rio->writes++;
	argv[0] = "ZREM";
	argv[1] = all;
	argv[2] = rio->cfg.stream.consumer;
	if (rio_queue(rio, leave_cb, NULL, 3, argv, NULL, "the leaving") != 0)
		goto out;
	rio->writes++;
	rc = 0;
out:
	free(inst);
	free(all);
	return rc;
}

static void
leave_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;

	(void)r;
	(void)priv;
	if (rio != NULL && rio->writes > 0)
		rio->writes--;
}

/* The connection is gone: no beat is in flight. */
void
heartbeat_reset(struct redis_io *rio)
{
	rio->beating = 0;
}

void
heartbeat_send(struct redis_io *rio)
{
	const char	*argv[1] = { "TIME" };

	rio->last_beat_us = clock_monotonic_us();
	if (rio_queue(rio, time_cb, NULL, 1, argv, NULL, "the heartbeat") == 0)
		rio->beating = 1;
}

/* TIME's reply, [seconds, microseconds] -> ms; 0 if it is not that. */
static uint64_t
redis_ms(const redisReply *r)
{
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		return 0;
	return strtoull(r->element[0]->str, NULL, 10) * 1000 +
	    strtoull(r->element[1]->str, NULL, 10) / 1000;
}

static void
time_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	uint64_t	 now;

	(void)priv;
	if (!rio_answered(rio, r))
		return;
	if ((now = redis_ms(r)) == 0) {
		rio->beating = 0;
		return;
	}
	beat(rio, now);
}

/* This host's realtime ms t on Redis's clock, which says now_ms. */
static uint64_t
on_redis_clock(uint64_t t, uint64_t now_ms, uint64_t here_ms)
{
	if (t == 0)
		return 0;
	return here_ms >= now_ms ? t - (here_ms - now_ms) : t + (now_ms -
	    here_ms);
}

static void
beat(struct redis_io *rio, uint64_t now_ms)
{
	struct presence_record	 r;
	const char		*argv[2 + 2 * PRESENCE_FIELDS];
	char			 num[PRESENCE_FIELDS][64], ttl[24], now[24];
	char			 old[24];
	char			*inst, *all, *reload;
	uint64_t		 here = clock_realtime_ms();
	size_t			 n;
	const char		*group = rio->cfg.stream.group;
	const char		*consumer = rio->cfg.stream.consumer;

	memset(&r, 0, sizeof r);
	rio->ev.on_presence(&r, rio->arg);
	r.started_ms = on_redis_clock(r.started_ms, now_ms, here);
	r.reload_ms = on_redis_clock(r.reload_ms, now_ms, here);
	inst = presence_key(PRESENCE_INSTANCE, group, consumer);
	all = presence_key(PRESENCE_INSTANCES, group, NULL);
	reload = presence_key(PRESENCE_RELOAD, group, NULL);
	snprintf(ttl, sizeof ttl, "%u", PRESENCE_TTL_MS);
	snprintf(now, sizeof now, "%llu", (unsigned long long)now_ms);
	snprintf(old, sizeof old, "(%llu", (unsigned long long)(now_ms -
	    4 * PRESENCE_TTL_MS));

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
