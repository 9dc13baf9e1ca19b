/*
 * Asking the sentinels from the event loop: one hiredis async context at
 * a time, to each sentinel in turn (the one that answered last first),
 * each given timeout_ms to answer SENTINEL GET-MASTER-ADDR-BY-NAME.
 *
 * A hiredis context cannot be freed from inside its own callbacks, so
 * every step (the next sentinel, the answer) is taken from a timer: the
 * callbacks only record what happened and arm it.
 */

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "async_open.h"
#include "sentinel.h"
#include "xmalloc.h"

struct sentinel_ask {
	struct event_base	*base;
	struct sentinels	*s;
	redisAsyncContext	*ac;	/* the sentinel being asked */
	struct event		*step_ev;	/* move on, outside hiredis */
	struct event		*timeout_ev;
	sentinel_cb		*cb;
	void			*arg;
	size_t			 asked;	/* sentinels tried this round */
	size_t			 at;	/* the one being asked */
	int			 busy;
	char			*host;	/* the answer, once there is one */
	int			 port;
	char			*said;	/* what each one said, for the log */
};

static void	ask(struct sentinel_ask *);
static void	step_cb(evutil_socket_t, short, void *);
static void	timeout_cb(evutil_socket_t, short, void *);
static void	connect_cb(const redisAsyncContext *, int);
static void	disconnect_cb(const redisAsyncContext *, int);
static void	master_cb(redisAsyncContext *, void *, void *);
static void	auth_cb(redisAsyncContext *, void *, void *);

struct sentinel_ask *
sentinel_ask_new(struct event_base *base, struct sentinels *s)
{
	struct sentinel_ask	*a = xcalloc(1, sizeof *a);

	a->base = base;
	a->s = s;
	a->step_ev = evtimer_new(base, step_cb, a);
	a->timeout_ev = evtimer_new(base, timeout_cb, a);
	return a;
}

static void
drop(struct sentinel_ask *a)
{
	redisAsyncContext	*ac = a->ac;

	/* Its callbacks, run by the free, see a->ac != ac and do nothing. */
	a->ac = NULL;
	if (ac != NULL)
		redisAsyncFree(ac);
	evtimer_del(a->timeout_ev);
}

void
sentinel_ask_free(struct sentinel_ask *a)
{
	if (a == NULL)
		return;
	drop(a);
	event_free(a->step_ev);
	event_free(a->timeout_ev);
	free(a->host);
	free(a->said);
	free(a);
}

void
sentinel_ask_start(struct sentinel_ask *a, sentinel_cb *cb, void *arg)
{
	if (a->busy)
		return;
	a->busy = 1;
	a->cb = cb;
	a->arg = arg;
	a->asked = 0;
	free(a->said);
	a->said = NULL;
	ask(a);
}

/* What sentinel a->at said (why), for the log if none answers. */
static void
note(struct sentinel_ask *a, const char *why)
{
	sentinel_said(a->s, a->at, why, &a->said);
}

/* Done with this sentinel: the next step is taken from the loop. */
static void
move_on(struct sentinel_ask *a)
{
	struct timeval	now = { 0, 0 };

	evtimer_add(a->step_ev, &now);
}

static void
ask(struct sentinel_ask *a)
{
	struct timeval	 tv = { a->s->timeout_ms / 1000,
	    (a->s->timeout_ms % 1000) * 1000 };
	char		*why;

	a->at = (a->s->first + a->asked) % a->s->n;
	a->ac = async_open(&a->s->at[a->at], a->base, a, connect_cb,
	    disconnect_cb, &why);
	if (a->ac == NULL) {
		note(a, why);
		free(why);
		move_on(a);
		return;
	}
	if ((a->s->password != NULL && redisAsyncCommand(a->ac, auth_cb, NULL,
	    "AUTH %s", a->s->password) != REDIS_OK) ||
	    redisAsyncCommand(a->ac, master_cb, NULL,
	    "SENTINEL GET-MASTER-ADDR-BY-NAME %s", a->s->master) != REDIS_OK) {
		note(a, a->ac->errstr);
		drop(a);
		move_on(a);
		return;
	}
	evtimer_add(a->timeout_ev, &tv);
}

static void
step_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sentinel_ask	*a = arg;
	char			*host, *none;

	(void)fd;
	(void)events;
	drop(a);
	if (a->host != NULL) {
		a->s->first = a->at;
		a->busy = 0;
		host = a->host;
		a->host = NULL;
		a->cb(host, a->port, NULL, a->arg);
		free(host);
		return;
	}
	if (++a->asked < a->s->n) {
		ask(a);
		return;
	}
	a->busy = 0;
	none = sentinel_none(a->s, a->said);
	a->cb(NULL, 0, none, a->arg);
	free(none);
}

static void
timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sentinel_ask	*a = arg;

	(void)fd;
	(void)events;
	note(a, "no answer in time");
	drop(a);
	move_on(a);
}

static void
connect_cb(const redisAsyncContext *ac, int status)
{
	struct sentinel_ask	*a = ac->data;

	if (a == NULL || a->ac != ac || status == REDIS_OK)
		return;
	/* hiredis frees the context after this callback. */
	a->ac = NULL;
	evtimer_del(a->timeout_ev);
	note(a, ac->errstr);
	move_on(a);
}

static void
disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct sentinel_ask	*a = ac->data;

	(void)status;
	if (a == NULL || a->ac != ac)
		return;
	a->ac = NULL;
	evtimer_del(a->timeout_ev);
	note(a, "connection closed");
	move_on(a);
}

static void
auth_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct sentinel_ask	*a = ac->data;
	redisReply		*reply = r;

	(void)priv;
	if (reply == NULL || a == NULL || a->ac != ac ||
	    reply->type != REDIS_REPLY_ERROR)
		return;
	/* The master question behind it is answered NOAUTH: say this. */
	note(a, reply->str);
}

static void
master_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct sentinel_ask	*a = ac->data;
	char			*why;

	(void)priv;
	if (r == NULL || a == NULL || a->ac != ac)
		return;
	evtimer_del(a->timeout_ev);
	if (sentinel_master_reply(a->s, r, &a->host, &a->port, &why) != 0) {
		note(a, why);
		free(why);
	}
	move_on(a);
}
