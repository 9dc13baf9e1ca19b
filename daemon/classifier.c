/*
 * The classifier's copy in this daemon: with the heartbeat, the changes
 * learned since the generation held (bayes_sync.lua), or the whole model
 * when the log no longer has them. Classifying then costs no Redis call;
 * a daemon is at most a second or so behind what was learned.
 */

#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "bayes.h"
#include "classifier.h"
#include "redis_internal.h"
#include "script.h"
#include "verdict_proto.h"

#define SYNC_ENTRIES	1000	/* log entries a call */

static void	sync_cb(redisAsyncContext *, void *, void *);

/* The connection is gone: no copy call is in flight. */
void
classifier_reset(struct redis_io *rio)
{
	rio->bbusy = 0;
}

void
classifier_poll(struct redis_io *rio)
{
	const char	*argv[9];
	char		*k[3], layout[16], held[24], most[16];
	size_t		 i;

	if (rio->ev.model == NULL || rio->ev.model(rio->arg) == NULL ||
	    rio->bbusy || rio->state != CONN_UP || !rio_usable(rio))
		return;
	k[0] = verdict_key(rio->cfg.verdicts.prefix, "b:words");
	k[1] = verdict_key(rio->cfg.verdicts.prefix, "b");
	k[2] = verdict_key(rio->cfg.verdicts.prefix, "b:log");
	snprintf(layout, sizeof layout, "%u", bayes_sync_lua_layout);
	snprintf(held, sizeof held, "%llu", (unsigned long long)rio->bgen);
	snprintf(most, sizeof most, "%d", SYNC_ENTRIES);
	argv[0] = "EVAL";
	argv[1] = bayes_sync_lua;
	argv[2] = "3";
	argv[3] = k[0];
	argv[4] = k[1];
	argv[5] = k[2];
	argv[6] = layout;
	argv[7] = held;
	argv[8] = most;
	if (rio_queue(rio, sync_cb, NULL, 9, argv, NULL, "the classifier's "
	    "copy") == 0)
		rio->bbusy = 1;
	for (i = 0; i < 3; i++)
		free(k[i]);
}

static uint64_t
hash_of(const char *p)
{
	uint64_t	h = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		h = h << 8 | (unsigned char)p[i];
	return h;
}

/* The words hash as HGETALL gives it: s.. and h.. fields, 9 bytes each. */
static void
apply_full(struct bayes_model *m, const redisReply *kv)
{
	const redisReply	*k, *v;
	int64_t			 n;
	size_t			 i;

	bayes_reset(m);
	for (i = 0; i + 1 < kv->elements; i += 2) {
		k = kv->element[i];
		v = kv->element[i + 1];
		if (k->type != REDIS_REPLY_STRING || k->len != 9 ||
		    v->type != REDIS_REPLY_STRING)
			continue;
		n = strtoll(v->str, NULL, 10);
		if (k->str[0] == 's')
			bayes_add(m, hash_of(k->str + 1), n, 0);
		else if (k->str[0] == 'h')
			bayes_add(m, hash_of(k->str + 1), 0, n);
	}
}

/* One log entry, [id, [c, CLASS, d, DELTA, w, WORDS]]; its generation. */
static uint64_t
apply_change(struct bayes_model *m, const redisReply *e)
{
	const redisReply	*f;
	const char		*cls = NULL, *w = NULL;
	size_t			 i, wl = 0;
	int64_t			 d = 0;
	int			 spam;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING ||
	    strncmp(e->element[0]->str, "0-", 2) != 0 ||
	    e->element[1]->type != REDIS_REPLY_ARRAY)
		return 0;
	f = e->element[1];
	for (i = 0; i + 1 < f->elements; i += 2) {
		if (f->element[i]->type != REDIS_REPLY_STRING ||
		    f->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (strcmp(f->element[i]->str, "c") == 0)
			cls = f->element[i + 1]->str;
		else if (strcmp(f->element[i]->str, "d") == 0)
			d = strtoll(f->element[i + 1]->str, NULL, 10);
		else if (strcmp(f->element[i]->str, "w") == 0) {
			w = f->element[i + 1]->str;
			wl = f->element[i + 1]->len;
		}
	}
	if (cls == NULL || w == NULL || (d != 1 && d != -1))
		return 0;
	spam = strcmp(cls, "spam") == 0;
	for (i = 0; i + 8 <= wl; i += 8)
		bayes_add(m, hash_of(w + i), spam ? d : 0, spam ? 0 : d);
	bayes_learned_add(m, spam ? d : 0, spam ? 0 : d);
	return strtoull(e->element[0]->str + 2, NULL, 10);
}

static int64_t
int_of(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
}

int
classifier_apply(struct bayes_model *m, const redisReply *reply,
    uint64_t *held)
{
	const redisReply	*kind;
	uint64_t		 gen, g;
	size_t			 i;

	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER ||
	    reply->element[1]->type != REDIS_REPLY_STRING)
		return -1;
	gen = (uint64_t)reply->element[0]->integer;
	kind = reply->element[1];
	if (strcmp(kind->str, "none") == 0)
		return 0;
	if (reply->elements != 5 || reply->element[2]->type !=
	    REDIS_REPLY_ARRAY)
		return -1;
	if (strcmp(kind->str, "full") == 0) {
		apply_full(m, reply->element[2]);
		bayes_learned_add(m, int_of(reply->element[3]),
		    int_of(reply->element[4]));
		*held = gen;
		return 0;
	}
	for (i = 0; i < reply->element[2]->elements; i++) {
		/* Not a change this daemon can read: copy it whole next. */
		if ((g = apply_change(m, reply->element[2]->element[i])) == 0) {
			*held = 0;
			return -1;
		}
		*held = g;
	}
	return *held < gen;
}

static void
sync_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io		*rio = ac->data;
	redisReply		*reply = r;
	struct bayes_model	*m;
	int			 more;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	rio->bbusy = 0;
	if ((m = rio->ev.model(rio->arg)) == NULL)
		return;
	if ((more = classifier_apply(m, reply, &rio->bgen)) < 0) {
		/* Tried again each second; said once until it works again. */
		if (!rio->bfailed)
			log_warnx(rio->log, "copying the classifier failed: %s",
			    reply->type == REDIS_REPLY_ERROR ? reply->str :
			    "an unexpected reply; copying it whole next");
		rio->bfailed = 1;
		return;
	}
	if (rio->bfailed)
		log_info(rio->log, "the classifier is copied again");
	rio->bfailed = 0;
	if (more)
		/* More changes than a call returns: go on at once. */
		classifier_poll(rio);
}

struct bayes_model *
classifier_fetch(struct redisContext *rc, const char *prefix)
{
	struct bayes_model	*m;
	redisReply		*r;
	char			*k[3];
	uint64_t		 held = 0;
	size_t			 i;
	int			 more = 1;

	k[0] = verdict_key(prefix, "b:words");
	k[1] = verdict_key(prefix, "b");
	k[2] = verdict_key(prefix, "b:log");
	m = bayes_new();
	while (more > 0) {
		r = redisCommand(rc, "EVAL %s 3 %s %s %s %u %llu %d",
		    bayes_sync_lua, k[0], k[1], k[2], bayes_sync_lua_layout,
		    (unsigned long long)held, SYNC_ENTRIES);
		more = r != NULL ? classifier_apply(m, r, &held) : -1;
		freeReplyObject(r);
	}
	for (i = 0; i < 3; i++)
		free(k[i]);
	if (more < 0) {
		bayes_free(m);
		return NULL;
	}
	return m;
}
