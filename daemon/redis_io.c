/*
 * The connection to Redis: one hiredis async context on the daemon's
 * event base (async_open.c), its setup, and its repair.
 *
 * Setup, pipelined on every (re)connect: AUTH, SELECT, SCRIPT LOAD of the
 * decide script, XGROUP CREATE ... 0 MKSTREAM. Then redis_stream.c
 * re-reads this consumer's pending entries and goes on with new ones.
 *
 * With sentinels, each connect first asks them where the master is
 * (sentinel_ask.c), and the setup checks ROLE: a replica is dropped and
 * the sentinels asked again, as is a connection answered READONLY.
 *
 * hiredis 0.14 neither reconnects nor times out, so both are ours. A lost
 * connection (closed, refused, an error reply that means Redis is not
 * usable, LOADING after a restart) is dropped and made again from a timer,
 * backing off from 100 ms to 5 s with jitter. A watchdog ticks every
 * 200 ms: a command unanswered for command_timeout (beyond BLOCK for a
 * read) means a stalled connection (CLIENT PAUSE, a dead peer), and it is
 * dropped too. State changes are logged once, retries only at debug.
 * Nothing is lost by a drop: entries read and not acknowledged stay
 * pending and are re-read first after the reconnect.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "async_open.h"
#include "clock.h"
#include "presence.h"
#include "redis_internal.h"
#include "script.h"
#include "sentinel.h"
#include "xmalloc.h"

#define TICK_MS			200
#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		5000
#define CLAIM_EVERY_MIN_MS	1000
#define CLAIM_EVERY_MAX_MS	30000
#define GROUP_INFO_EVERY_US	(5u * 1000 * 1000)

static void	connect_redis(struct redis_io *);
static void	connect_at(struct redis_io *);
static void	master_named(const char *, int, const char *, void *);
static void	role_cb(redisAsyncContext *, void *, void *);
static void	connect_cb(const redisAsyncContext *, int);
static void	disconnect_cb(const redisAsyncContext *, int);
static void	send_setup(struct redis_io *);
static void	setup_cb(redisAsyncContext *, void *, void *);
static void	client_id_cb(redisAsyncContext *, void *, void *);
static void	script_cb(redisAsyncContext *, void *, void *);
static void	setup_done(struct redis_io *);
static void	went_down(struct redis_io *, const char *);
static void	schedule_reconnect(struct redis_io *);
static void	reconnect_cb(evutil_socket_t, short, void *);
static void	drop_cb(evutil_socket_t, short, void *);
static void	tick_cb(evutil_socket_t, short, void *);
static void	retry_cb(evutil_socket_t, short, void *);
static int	outstanding(const struct redis_io *);
static int	transient(const char *);
static void	inflight_reset(struct redis_io *);
static int	setup_send(struct redis_io *, redisCallbackFn *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

/*
 * A Redis side on base, configured by cfg (copied; its strings borrowed),
 * logging to lg and reporting to ev with arg. Nothing happens before
 * redis_io_start.
 */
struct redis_io *
redis_io_new(struct event_base *base, const struct redis_io_config *cfg,
    struct logger *lg, const struct redis_io_events *ev, void *arg)
{
	struct redis_io		*rio;
	struct timeval		 tick = { 0, TICK_MS * 1000 };

	rio = xcalloc(1, sizeof *rio);
	rio->base = base;
	rio->cfg = *cfg;
	rio->cfg.stream.layout = decide_lua_layout;
	rio->log = lg;
	rio->ev = *ev;
	rio->arg = arg;
	decide_argv_init(&rio->argv);
	rio->state = CONN_DOWN;
	rio->group_lag = rio->group_pending = -1;
	rio->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, rio);
	rio->reconnect_ev = evtimer_new(base, reconnect_cb, rio);
	rio->drop_ev = evtimer_new(base, drop_cb, rio);
	rio->retry_ev = evtimer_new(base, retry_cb, rio);
	event_add(rio->tick_ev, &tick);
	return rio;
}

void
redis_io_free(struct redis_io *rio)
{
	redisAsyncContext	*ac;

	if (rio == NULL)
		return;
	if ((ac = rio->ac) != NULL) {
		/* Callbacks run from here see rio->ac == NULL and do nothing. */
		rio->ac = NULL;
		redisAsyncFree(ac);
	}
	inflight_reset(rio);
	sentinel_ask_free(rio->ask);
	event_free(rio->tick_ev);
	event_free(rio->reconnect_ev);
	event_free(rio->drop_ev);
	event_free(rio->retry_ev);
	decide_argv_free(&rio->argv);
	decide_argv_free(&rio->vargv);
	address_free(&rio->addr);
	free(rio->sha);
	free(rio->reload_seen);
	free(rio);
}

/*
 * The connection is gone: each part forgets what it had in flight (its
 * own flags, reset by it), and the setup starts again from nothing.
 */
static void
inflight_reset(struct redis_io *rio)
{
	rio->setup = 0;
	stream_reset(rio);
	heartbeat_reset(rio);
	verdicts_reset(rio);
	classifier_reset(rio);
}

/* Redis cannot be used as configured (bad password, say): exit 1. */
void
rio_fatal(struct redis_io *rio, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rio->ev.on_fatal(msg ? msg : fmt, rio->arg);
	free(msg);
}

static int
outstanding(const struct redis_io *rio)
{
	return rio->setup + rio->reading + rio->writes + rio->claiming +
	    rio->beating + rio->vbusy + rio->bbusy;
}

/* Call before each command: the watchdog times from the first one. */
void
rio_sent(struct redis_io *rio)
{
	if (outstanding(rio) == 0)
		rio->busy_since_us = clock_monotonic_us();
}

/*
 * Every reply callback starts here. 0: leave the reply alone (free what
 * the callback owns and return), because the connection is gone or
 * going, or because Redis said READONLY: after a failover this is a
 * replica, and the connection is made again (with sentinels, to the
 * master they name now). An answer is progress, for the watchdog.
 */
int
rio_answered(struct redis_io *rio, const redisReply *reply)
{
	if (reply == NULL || !rio_usable(rio))
		return 0;
	rio->busy_since_us = clock_monotonic_us();
	if (reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "READONLY", 8) == 0) {
		rio_lost(rio, "%s", reply->str);
		return 0;
	}
	return 1;
}

/* Can a callback go on with its reply? Not after a drop was decided. */
/* Queues a command; if hiredis cannot, the connection is given up. */
int
rio_queue(struct redis_io *rio, redisCallbackFn *cb, void *priv, int argc,
    const char **argv, const size_t *lens, const char *what)
{
	rio_sent(rio);
	if (redisAsyncCommandArgv(rio->ac, cb, priv, argc, argv, lens) ==
	    REDIS_OK)
		return 0;
	rio_lost(rio, "cannot queue %s: %s", what, rio->ac->errstr);
	return -1;
}

int
rio_usable(const struct redis_io *rio)
{
	return rio->ac != NULL && rio->state != CONN_DOWN;
}

/* Errors that pass: Redis loading its data, a busy script, a failover. */
static int
transient(const char *err)
{
	static const char *const prefixes[] = { "LOADING", "BUSY ",
	    "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", NULL };
	size_t	i;

	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(err, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Connects; the setup commands are queued behind the connection. */
int
redis_io_start(struct redis_io *rio)
{
	char	*cause, *where;

	if (rio->cfg.sentinels != NULL) {
		if (rio->cfg.role == REDIS_DECISIONS)
			log_info(rio->log, "asking %zu sentinels for master %s",
			    rio->cfg.sentinels->n, rio->cfg.sentinels->master);
		rio->ask = sentinel_ask_new(rio->base, rio->cfg.sentinels);
		rio->down_since_us = clock_monotonic_us();
		connect_redis(rio);
		return 0;
	}
	if (address_parse(rio->cfg.address, &rio->addr, &cause) != 0) {
		log_errorx(rio->log, "redis address: %s", cause);
		free(cause);
		return -1;
	}
	where = address_describe(&rio->addr);
	if (rio->cfg.role == REDIS_DECISIONS)
		log_info(rio->log, "connecting to Redis at %s", where);
	free(where);
	rio->down_since_us = clock_monotonic_us();
	connect_redis(rio);
	return 0;
}

/* With sentinels, where the master is is asked first, every time. */
static void
connect_redis(struct redis_io *rio)
{
	if (rio->ask != NULL)
		sentinel_ask_start(rio->ask, master_named, rio);
	else
		connect_at(rio);
}

/*
 * The sentinels' answer: the master's address, or why none gave it. A
 * change is logged once (by the decision connection; the control one
 * follows it).
 */
static void
master_named(const char *host, int port, const char *why, void *arg)
{
	struct redis_io	*rio = arg;
	char		*was = NULL;

	if (rio->stopping || rio->ac != NULL)
		return;
	if (host == NULL) {
		went_down(rio, why);
		schedule_reconnect(rio);
		return;
	}
	if (rio->addr.host == NULL || strcmp(rio->addr.host, host) != 0 ||
	    rio->addr.port != port) {
		if (rio->addr.host != NULL)
			was = address_describe(&rio->addr);
		address_free(&rio->addr);
		rio->addr.host = xstrdup(host);
		rio->addr.port = port;
		rio->addr.db = -1;
		if (rio->cfg.role == REDIS_DECISIONS && was != NULL)
			log_warnx(rio->log, "master %s is now %s:%d, was %s",
			    rio->cfg.sentinels->master, host, port, was);
		else if (rio->cfg.role == REDIS_DECISIONS)
			log_info(rio->log, "master %s is at %s:%d",
			    rio->cfg.sentinels->master, host, port);
		free(was);
	}
	connect_at(rio);
}

static void
connect_at(struct redis_io *rio)
{
	char	*why, *msg;

	rio->ac = async_open(&rio->addr, rio->base, rio, connect_cb,
	    disconnect_cb, &why);
	if (rio->ac == NULL) {
		xasprintf(&msg, "cannot connect: %s", why);
		went_down(rio, msg);
		free(msg);
		free(why);
		schedule_reconnect(rio);
		return;
	}
	rio->state = CONN_SETUP;
	send_setup(rio);
}

/*
 * AUTH, SELECT, SCRIPT LOAD and XGROUP CREATE, pipelined. The group is
 * created at id 0 so that comments pushed before the first start are
 * decided too.
 */
static void
send_setup(struct redis_io *rio)
{
	struct redis_login	lg;

	address_login(&rio->addr, rio->cfg.password, rio->cfg.db, &lg);
	rio_sent(rio);
	if (lg.password != NULL && (lg.user != NULL ?
	    setup_send(rio, setup_cb, "AUTH", "AUTH %s %s", lg.user,
	    lg.password) : setup_send(rio, setup_cb, "AUTH", "AUTH %s",
	    lg.password)) != 0)
		return;
	if (lg.db != 0 && setup_send(rio, setup_cb, "SELECT", "SELECT %d",
	    lg.db) != 0)
		return;
	if (rio->ask != NULL && setup_send(rio, role_cb, "ROLE", "ROLE") != 0)
		return;
	if (rio->cfg.role == REDIS_DECISIONS && setup_send(rio, script_cb,
	    "SCRIPT LOAD", "SCRIPT LOAD %s", decide_lua) != 0)
		return;
	if (rio->cfg.role == REDIS_DECISIONS && setup_send(rio, client_id_cb,
	    "CLIENT ID", "CLIENT ID") != 0)
		return;
	rio_create_group(rio);
}

/*
 * One setup command, counted until its answer; 0, or -1 when hiredis
 * cannot queue it and the connection is given up (uncounted, it would
 * leave the setup waiting for an answer that never comes).
 */
static int
setup_send(struct redis_io *rio, redisCallbackFn *cb, const char *what,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = redisvAsyncCommand(rio->ac, cb, (void *)what, fmt, ap);
	va_end(ap);
	if (rc != REDIS_OK) {
		rio_lost(rio, "cannot queue %s: %s", what, rio->ac->errstr);
		return -1;
	}
	rio->setup++;
	return 0;
}

/*
 * XGROUP CREATE of this connection's stream, at setup or when the group
 * vanished (NOGROUP); a PING for a control connection without verdicts,
 * so that its setup has an answer to wait for.
 */
void
rio_create_group(struct redis_io *rio)
{
	const char	*stream = rio->cfg.role == REDIS_DECISIONS ?
			    rio->cfg.stream.input_stream :
			    rio->cfg.verdicts.stream;

	rio_sent(rio);
	if (rio->cfg.role == REDIS_CONTROL && !verdicts_on(rio))
		(void)setup_send(rio, setup_cb, "PING", "PING");
	else
		(void)setup_send(rio, setup_cb, "XGROUP",
		    "XGROUP CREATE %s %s 0 MKSTREAM", stream,
		    rio->cfg.stream.group);
}

static void
connect_cb(const redisAsyncContext *ac, int status)
{
	struct redis_io	*rio = ac->data;
	char		*why;

	if (rio == NULL || rio->ac != ac || status == REDIS_OK)
		return;
	/* hiredis frees the context after this callback. */
	rio->ac = NULL;
	inflight_reset(rio);
	xasprintf(&why, "cannot connect: %s", ac->errstr);
	went_down(rio, why);
	free(why);
	schedule_reconnect(rio);
}

static void
disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct redis_io	*rio = ac->data;
	char		*why;

	if (rio == NULL || rio->ac != ac)
		return;
	/* hiredis frees the context after this callback. */
	rio->ac = NULL;
	inflight_reset(rio);
	if (rio->stopping) {
		rio->state = CONN_DOWN;
		return;
	}
	xasprintf(&why, "connection lost: %s", status == REDIS_OK ? "closed" :
	    ac->errstr);
	went_down(rio, why);
	free(why);
	schedule_reconnect(rio);
}

/* Logs a fall from up (or from starting) once; later retries at debug. */
static void
went_down(struct redis_io *rio, const char *why)
{
	enum conn_state	was = rio->state;

	rio->state = CONN_DOWN;
	if (was == CONN_UP && rio->cfg.role == REDIS_CONTROL) {
		rio->down_since_us = clock_monotonic_us();
		log_warnx(rio->log, "control connection: %s; reconnecting "
		    "(verdicts not yet counted stay pending)", why);
	} else if (rio->cfg.role == REDIS_CONTROL)
		/* The decision connection says Redis is not there. */
		log_debug(rio->log, "%s: control connection, attempt %u: %s",
		    __func__, rio->attempts, why);
	else if (was == CONN_UP) {
		rio->down_since_us = clock_monotonic_us();
		log_warnx(rio->log, "Redis: %s; reconnecting (entries not yet "
		    "acknowledged stay pending and are decided after)", why);
		rio->ev.on_lost(why, rio->arg);
	} else if (rio->attempts == 0)
		log_warnx(rio->log, "Redis: %s; retrying", why);
	else
		log_debug(rio->log, "%s: attempt %u: %s", __func__,
		    rio->attempts, why);
}

/*
 * Gives up on the connection from inside a hiredis callback, where it
 * cannot be freed: the drop happens from a timer, at once. Callbacks
 * that run before then see rio_usable() false.
 */
void
rio_lost(struct redis_io *rio, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	struct timeval now = { 0, 0 };

	if (rio->state == CONN_DOWN)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	went_down(rio, msg ? msg : fmt);
	free(msg);
	evtimer_add(rio->drop_ev, &now);
}

static void
drop_cb(evutil_socket_t fd, short events, void *arg)
{
	struct redis_io		*rio = arg;
	redisAsyncContext	*ac = rio->ac;

	rio->ac = NULL;
	if (ac != NULL)
		redisAsyncFree(ac);	/* in-flight batches are freed unwritten */
	inflight_reset(rio);
	schedule_reconnect(rio);
}

static void
schedule_reconnect(struct redis_io *rio)
{
	struct timeval	tv;
	unsigned	ms;

	if (rio->stopping)
		return;
	ms = BACKOFF_FIRST_MS << (rio->attempts < 6 ? rio->attempts : 6);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	/* Half fixed, half random: daemons that lost Redis together spread. */
	ms = ms / 2 + arc4random_uniform(ms / 2 + 1);
	rio->attempts++;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(rio->reconnect_ev, &tv);
}

static void
reconnect_cb(evutil_socket_t fd, short events, void *arg)
{
	struct redis_io	*rio = arg;

	if (!rio->stopping && rio->ac == NULL)
		connect_redis(rio);
}

static void
setup_done(struct redis_io *rio)
{
	if (--rio->setup > 0)
		return;
	if (rio->cfg.role == REDIS_CONTROL) {
		if (rio->state != CONN_UP && rio->ever_up)
			log_info(rio->log, "control connection: up again after "
			    "%.1f s", (double)(clock_monotonic_us() -
			    rio->down_since_us) / 1e6);
		rio->ever_up = 1;
		rio->attempts = 0;
		rio->state = CONN_UP;
		verdicts_start(rio);
		return;
	}
	if (rio->state == CONN_UP) {
		/* The group was made again after a NOGROUP: read on. */
		stream_start(rio);
		return;
	}
	if (!rio->ever_up)
		log_info(rio->log, "connected: reading %s as %s/%s",
		    rio->cfg.stream.input_stream, rio->cfg.stream.group,
		    rio->cfg.stream.consumer);
	else
		log_info(rio->log, "Redis is back after %.1f s (%u attempts); "
		    "re-reading this consumer's pending entries",
		    (double)(clock_monotonic_us() - rio->down_since_us) / 1e6,
		    rio->attempts);
	rio->ever_up = 1;
	rio->attempts = 0;
	rio->state = CONN_UP;
	rio->ev.on_ready(rio->arg);
	if (!rio->stopping)
		stream_start(rio);
}

/* Where the sentinels sent us must be the master, not a replica yet. */
static void
role_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	const char	*role;
	char		*where;

	(void)priv;
	if (!rio_answered(rio, r))
		return;
	if (!sentinel_role_master(r, &role)) {
		/* That sentinel is behind: ask the next one first. */
		rio->cfg.sentinels->first = (rio->cfg.sentinels->first + 1) %
		    rio->cfg.sentinels->n;
		where = address_describe(&rio->addr);
		rio_lost(rio, "%s is a %s, not master %s's master; asking the "
		    "sentinels again", where, role, rio->cfg.sentinels->master);
		free(where);
		return;
	}
	setup_done(rio);
}

/*
 * The decision connection's id, for CLIENT UNBLOCK at a stop. An ACL that
 * forbids CLIENT costs only that: a stop then waits out the blocking read.
 */
static void
client_id_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	rio->client_id = reply->type == REDIS_REPLY_INTEGER ?
	    reply->integer : 0;
	if (rio->client_id == 0)
		log_debug(rio->log, "CLIENT ID: %s; a stop waits out the "
		    "blocking read", reply->type == REDIS_REPLY_ERROR ?
		    reply->str : "no id");
	setup_done(rio);
}

static void
setup_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	const char	*what = priv;

	if (!rio_answered(rio, reply))
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		if (strcmp(what, "XGROUP") == 0 &&
		    strncmp(reply->str, "BUSYGROUP", 9) == 0)
			;	/* the group exists: fine */
		else if (transient(reply->str)) {
			rio_lost(rio, "%s", reply->str);
			return;
		} else {
			/* Never echo AUTH's arguments: only Redis's message. */
			rio_fatal(rio, "Redis refused %s: %s", what, reply->str);
			return;
		}
	}
	setup_done(rio);
}

static void
script_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	if (!rio_answered(rio, reply))
		return;
	if (reply->type == REDIS_REPLY_ERROR && transient(reply->str)) {
		rio_lost(rio, "%s", reply->str);
		return;
	}
	if (reply->type != REDIS_REPLY_STRING) {
		rio_fatal(rio, "Redis refused to load the decide script: %s",
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "unexpected reply");
		return;
	}
	free(rio->sha);
	rio->sha = xstrndup(reply->str, reply->len);
	setup_done(rio);
}

/* A failed write: our pending entries are read again, a little later. */
static void
retry_cb(evutil_socket_t fd, short events, void *arg)
{
	stream_read(arg);
}

/*
 * Every 200 ms: drop a connection whose oldest unanswered command is past
 * its time; on the decision connection, claim entries that dead consumers
 * left behind and now and then ask for the group's lag and pending count
 * (for metrics); on the control one, read verdicts, and each second send
 * the presence record and poll the rules' standing and the classifier.
 */
static void
tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct redis_io		*rio = arg;
	struct redis_io_config	*c = &rio->cfg;
	uint64_t		 now = clock_monotonic_us(), limit, every;

	if (rio->ac != NULL && rio->state != CONN_DOWN && outstanding(rio) > 0) {
		limit = c->command_timeout_ms * 1000;
		if (rio->blocking)
			limit += (uint64_t)c->block_ms * 1000;
		if (now - rio->busy_since_us > limit) {
			went_down(rio, "no answer in time (stalled connection)");
			drop_cb(-1, 0, rio);
			return;
		}
	}
	if (c->role == REDIS_CONTROL) {
		if (rio->state == CONN_UP && !rio->beating && !rio->left &&
		    now - rio->last_beat_us >= PRESENCE_EVERY_MS * 1000u) {
			heartbeat_send(rio);
			verdicts_poll(rio);
			classifier_poll(rio);
		}
		verdicts_read(rio);
		return;
	}
	every = c->claim_idle_ms / 4;
	if (every < CLAIM_EVERY_MIN_MS)
		every = CLAIM_EVERY_MIN_MS;
	if (every > CLAIM_EVERY_MAX_MS)
		every = CLAIM_EVERY_MAX_MS;
	/*
	 * Not before our own pending entries are decided: XAUTOCLAIM drops
	 * entries deleted from the stream from the pending list, ours too,
	 * which would leave one of ours without its decision.
	 */
	if (rio->state == CONN_UP && !rio->stopping && !rio->claiming &&
	    !rio->pending_phase && now - rio->last_claim_us >= every * 1000)
		stream_claim(rio);
	if (rio->state == CONN_UP && !rio->stopping &&
	    now - rio->last_info_us >= GROUP_INFO_EVERY_US)
		stream_group_info(rio);
}

void
redis_io_group(const struct redis_io *rio, int64_t *lag, int64_t *pending)
{
	*lag = rio->group_lag;
	*pending = rio->group_pending;
}

/* A clean stop's end: this daemon's record for moderatorctl goes. */
int
redis_io_leave(struct redis_io *rio)
{
	return heartbeat_leave(rio);
}

/* Stop reading new batches; what is in flight is finished. */
void
redis_io_stop(struct redis_io *rio)
{
	rio->stopping = 1;
	evtimer_del(rio->retry_ev);
	evtimer_del(rio->reconnect_ev);
}

/*
 * Asks Redis, on this (control) connection, to end the blocking read of
 * connection other, so that a stop need not wait up to block_ms for it:
 * the read ends as if it had timed out. Nothing if either is not up; the
 * reply is not waited for.
 */
void
redis_io_unblock(struct redis_io *rio, const struct redis_io *other)
{
	if (rio->ac == NULL || rio->state != CONN_UP || other->ac == NULL ||
	    other->state != CONN_UP || other->client_id == 0 ||
	    !other->blocking)
		return;
	(void)redisAsyncCommand(rio->ac, NULL, NULL, "CLIENT UNBLOCK %lld",
	    other->client_id);
}

int
redis_io_backlogged(const struct redis_io *rio)
{
	return rio->state == CONN_UP && rio->full;
}

int
redis_io_idle(const struct redis_io *rio)
{
	if (rio->ac == NULL || rio->state != CONN_UP)
		return 1;
	return !rio->reading && rio->writes == 0 && !rio->claiming &&
	    !rio->vbusy;
}
