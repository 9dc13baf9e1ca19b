/*
 * Moderators' verdicts over the decision connection: a batch read from
 * the verdict stream (never with BLOCK: comments own the blocking read),
 * this consumer's pending ones first after every connect, then new ones;
 * each batch counted and acknowledged by one call of the verdict script,
 * after one call of the learn script for what the batch teaches the
 * classifier.
 * Deciding comes first: while the decision connection finds full batches
 * (comments are waiting), verdicts are read at verdict_busy_rate a
 * second at most, and the rest wait in the stream, undelivered; they are
 * read at full speed again as soon as the comments are caught up. A
 * verdict costs about as much as deciding a comment (its text is
 * normalised and learned), and a moderator's is never urgent.
 * Each second the counts and demotions come back for the metrics and the
 * rules' standing (verdicts_poll, with the heartbeat).
 */

#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "bayes_proto.h"
#include "clock.h"
#include "ladder.h"
#include "ratelimit.h"
#include "redis_internal.h"
#include "ruleset.h"
#include "script.h"
#include "xmalloc.h"

#define VERDICT_BATCH	256
#define VERDICT_RETRY_S	5	/* after a failed read or script */

struct vcall {
	struct verdict		*v;
	size_t			 n;
	struct bayes_item	*learn;	/* the verdicts with a text */
	size_t			 nlearn;
};

static void	read_cb(redisAsyncContext *, void *, void *);
static void	script_cb(redisAsyncContext *, void *, void *);
static void	learn_cb(redisAsyncContext *, void *, void *);
static void	shared_cb(redisAsyncContext *, void *, void *);
static void	ignore_cb(redisAsyncContext *, void *, void *);

int
verdicts_on(const struct redis_io *rio)
{
	return rio->cfg.verdicts.stream != NULL &&
	    *rio->cfg.verdicts.stream != '\0';
}

/* The connection is gone: no read or script of verdicts is in flight. */
void
verdicts_reset(struct redis_io *rio)
{
	rio->vbusy = 0;
}

void
verdicts_start(struct redis_io *rio)
{
	rio->vpending = 1;
	rio->vbusy = 0;
	rio->vnext_us = rio->vpace_us = 0;
	strcpy(rio->vcursor, "0");
}

/* Comments are waiting: verdicts are paced. */
static int
paced(const struct redis_io *rio)
{
	return rio->cfg.verdict_busy_rate > 0 && rio->ev.backlogged != NULL &&
	    rio->ev.backlogged(rio->arg);
}

/* The next batch of verdicts, unless one is in flight. */
void
verdicts_read(struct redis_io *rio)
{
	const char	*argv[9];
	char		 count[16];
	unsigned	 n = VERDICT_BATCH;
	uint64_t	 now = clock_monotonic_us();

	if (!verdicts_on(rio) || rio->state != CONN_UP || rio->stopping ||
	    rio->vbusy || !rio_usable(rio) || now < rio->vnext_us)
		return;
	if (paced(rio)) {
		if (now < rio->vpace_us)
			return;
		if (n > rio->cfg.verdict_busy_rate)
			n = rio->cfg.verdict_busy_rate;
	}
	snprintf(count, sizeof count, "%u", n);
	argv[0] = "XREADGROUP";
	argv[1] = "GROUP";
	argv[2] = rio->cfg.stream.group;
	argv[3] = rio->cfg.stream.consumer;
	argv[4] = "COUNT";
	argv[5] = count;
	argv[6] = "STREAMS";
	argv[7] = rio->cfg.verdicts.stream;
	argv[8] = rio->vpending ? rio->vcursor : ">";
	if (rio_queue(rio, read_cb, NULL, 9, argv, NULL, "a verdicts read") ==
	    0)
		rio->vbusy = 1;
}

static void
free_call(struct vcall *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		verdict_clear(&c->v[i]);
	free(c->v);
	for (i = 0; i < c->nlearn; i++)
		free(c->learn[i].words);
	free(c->learn);
	free(c);
}

/* What verdict v, with text (a field's bytes), teaches the classifier. */
static void
lesson(struct redis_io *rio, struct vcall *c, const struct verdict *v,
    const struct bytes *text)
{
	struct bayes_item	*it;

	if (rio->ev.learn == NULL || text == NULL || *v->bad != '\0')
		return;
	it = &c->learn[c->nlearn++];
	it->id = v->id;
	it->spam = strcmp(v->verdict, "remove") == 0;
	/* A longer comment was flagged unread: its start is what it says. */
	rio->ev.learn(it, text->p, text->len > rio->cfg.limits.max_text ?
	    rio->cfg.limits.max_text : text->len, rio->arg);
}

/*
 * [[id, [f, v, ...]], ...] -> verdicts, and the lessons of those with a
 * text; one without fields is malformed.
 */
static struct vcall *
parse(struct redis_io *rio, const redisReply *entries)
{
	struct vcall		*c = xcalloc(1, sizeof *c);
	const redisReply	*e, *f;
	struct bytes		*kv;
	size_t			 i, j;

	c->v = xcalloc(entries->elements + 1, sizeof *c->v);
	c->learn = xcalloc(entries->elements + 1, sizeof *c->learn);
	for (i = 0; i < entries->elements; i++) {
		e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING ||
		    e->element[0]->len > STREAM_ID_MAX)
			continue;
		f = e->element[1];
		if (f->type != REDIS_REPLY_ARRAY || f->elements % 2 != 0) {
			verdict_parse(&c->v[c->n], e->element[0]->str, NULL, 0);
			free(c->v[c->n].bad);
			c->v[c->n++].bad = xstrdup("deleted from the stream");
			continue;
		}
		kv = xcalloc(f->elements + 1, sizeof *kv);
		for (j = 0; j < f->elements; j++)
			if (f->element[j]->type == REDIS_REPLY_STRING)
				kv[j] = (struct bytes){ f->element[j]->str,
				    f->element[j]->len };
			else
				kv[j] = (struct bytes){ "", 0 };
		verdict_parse(&c->v[c->n], e->element[0]->str, kv,
		    f->elements / 2);
		verdict_strike_keys(&c->v[c->n], rio->ev.rules(rio->arg),
		    rio->cfg.stream.rl_prefix, kv, f->elements / 2,
		    &rio->cfg.limits);
		lesson(rio, c, &c->v[c->n++], bytes_field(kv, f->elements / 2,
		    "text"));
		free(kv);
	}
	return c;
}

static void
read_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io		*rio = ac->data;
	redisReply		*reply = r;
	struct decide_argv	*a = &rio->vargv;
	struct vcall		*c;
	const redisReply	*entries;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	rio->vbusy = 0;
	if (reply->type == REDIS_REPLY_ERROR) {
		/* NOGROUP: the stream or group went; setup makes them again. */
		log_warnx(rio->log, "reading verdicts failed: %s; trying again "
		    "in %d s", reply->str, VERDICT_RETRY_S);
		rio->vnext_us = clock_monotonic_us() + VERDICT_RETRY_S *
		    1000000ull;
		if (strncmp(reply->str, "NOGROUP", 7) == 0)
			rio_create_group(rio);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1 ||
	    reply->element[0]->type != REDIS_REPLY_ARRAY ||
	    reply->element[0]->elements != 2 ||
	    reply->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
		if (reply->type != REDIS_REPLY_NIL)
			log_warnx(rio->log, "unexpected reply reading verdicts");
		return;
	}
	entries = reply->element[0]->element[1];
	if (entries->elements == 0) {
		rio->vpending = 0;
		return;
	}
	/* The pace: the next read while comments wait, after n / rate s. */
	if (rio->cfg.verdict_busy_rate > 0)
		rio->vpace_us = clock_monotonic_us() + entries->elements *
		    1000000ull / rio->cfg.verdict_busy_rate;
	c = parse(rio, entries);
	if (c->n == 0) {
		/* Nothing with an id to go on from: read new ones. */
		rio->vpending = 0;
		free_call(c);
		return;
	}
	if (rio->vpending)
		snprintf(rio->vcursor, sizeof rio->vcursor, "%s",
		    c->v[c->n - 1].sid);
	/*
	 * Learned first, on the same connection: a verdict acknowledged has
	 * been learned, and one whose count is lost with the connection is
	 * learned again as the same (the script learns an id once a class).
	 */
	if (c->nlearn > 0) {
		bayes_learn_encode(a, rio->cfg.verdicts.prefix,
		    rio->cfg.verdicts.window_ms, c->learn, c->nlearn);
		if (rio_queue(rio, learn_cb, NULL, (int)a->n, a->v, a->len,
		    "the classifier's lessons") != 0) {
			free_call(c);
			return;
		}
	}
	verdict_encode(a, &rio->cfg.verdicts, "EVAL", verdict_lua,
	    rio->ev.rules(rio->arg), c->v, c->n);
	if (rio_queue(rio, script_cb, c, (int)a->n, a->v, a->len,
	    "the verdicts") != 0)
		free_call(c);
	else
		rio->vbusy = 1;
}

static void
learn_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	if (reply->type == REDIS_REPLY_ARRAY) {
		if (rio->lfailed)
			log_info(rio->log, "the classifier learns from "
			    "verdicts again");
		rio->lfailed = 0;
	} else if (!rio->lfailed) {
		/* Counted all the same: the verdict is not lost for this. */
		log_errorx(rio->log, "the learn script failed: %s; verdicts "
		    "are counted but not learned until it works",
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "an unexpected reply");
		rio->lfailed = 1;
	}
}

static const char *
str_of(const redisReply *r)
{
	return r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "";
}

static void
script_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io		*rio = ac->data;
	redisReply		*reply = r;
	struct vcall		*c = priv;
	struct verdict_outcome	*o;
	const redisReply	*made, *e;
	const char		**m;
	size_t			 i, n = 0;

	if (!rio_answered(rio, reply)) {
		/* Not acknowledged: read again from the pending list. */
		free_call(c);
		return;
	}
	rio->vbusy = 0;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != c->n + 1) {
		log_errorx(rio->log, "the verdict script failed: %s; the "
		    "verdicts stay pending, tried again in %d s",
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "an unexpected reply", VERDICT_RETRY_S);
		rio->vnext_us = clock_monotonic_us() + VERDICT_RETRY_S *
		    1000000ull;
		rio->vpending = 1;
		strcpy(rio->vcursor, "0");
		free_call(c);
		return;
	}
	o = xcalloc(c->n + 1, sizeof *o);
	for (i = 0; i < c->n; i++) {
		e = reply->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;	/* no longer pending: another took it */
		o[n].v = &c->v[i];
		o[n].outcome = str_of(e->element[0]);
		o[n++].detail = str_of(e->element[1]);
	}
	made = reply->element[c->n];
	m = xcalloc(made->elements + 1, sizeof *m);
	for (i = 0; made->type == REDIS_REPLY_ARRAY && i < made->elements; i++)
		m[i] = str_of(made->element[i]);
	rio->ev.on_verdicts(o, n, m, made->type == REDIS_REPLY_ARRAY ?
	    made->elements : 0, rio->arg);
	free(m);
	free(o);
	free_call(c);
	/* More may be waiting: read on at once rather than at the tick. */
	verdicts_read(rio);
}

/*
 * script over the counts and demoted hashes (KEYS[1], KEYS[2]), with
 * name as ARGV[1] if not NULL; cb has the answer.
 */
static void
on_hashes(struct redis_io *rio, const char *script, const char *name,
    redisCallbackFn *cb)
{
	const char	*argv[6];
	char		*counts, *demoted;

	counts = verdict_key(rio->cfg.verdicts.prefix, "counts");
	demoted = verdict_key(rio->cfg.verdicts.prefix, "demoted");
	argv[0] = "EVAL";
	argv[1] = script;
	argv[2] = "2";
	argv[3] = counts;
	argv[4] = demoted;
	argv[5] = name;
	(void)rio_queue(rio, cb, NULL, name != NULL ? 6 : 5, argv, NULL,
	    "a verdicts command");
	free(counts);
	free(demoted);
}

/* The counts and demoted hashes, for the metrics and the rules' standing. */
void
verdicts_poll(struct redis_io *rio)
{
	static const char both[] = "return { redis.call('HGETALL', KEYS[1]), "
	    "redis.call('HGETALL', KEYS[2]) }";

	if (verdicts_on(rio))
		on_hashes(rio, both, NULL, shared_cb);
}

/* A flat [k, v, ...] reply -> pairs of bytes (allocated; *n pairs). */
static struct bytes *
pairs(const redisReply *r, size_t *n)
{
	struct bytes	*kv;
	size_t		 i;

	*n = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
	kv = xcalloc(2 * *n + 1, sizeof *kv);
	for (i = 0; i < 2 * *n; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING)
			kv[i] = (struct bytes){ r->element[i]->str,
			    r->element[i]->len };
		else
			kv[i] = (struct bytes){ "", 0 };
	return kv;
}

static void
shared_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	struct bytes	*c, *d;
	size_t		 nc, nd;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
		return;
	c = pairs(reply->element[0], &nc);
	d = pairs(reply->element[1], &nd);
	rio->ev.on_shared(c, nc, d, nd, rio->arg);
	free(c);
	free(d);
}

/* Lifts rule name's demotion: its definition changed. */
void
redis_io_lift(struct redis_io *rio, const char *name)
{
	if (verdicts_on(rio) && rio->state == CONN_UP && rio_usable(rio))
		on_hashes(rio, verdict_lift_lua, name, ignore_cb);
}

/*
 * Each escalate rule's ladder, by name, for moderatorctl strikes: "FIELDS
 * SPEC" with its key fields comma-separated and ladder_spec's string.
 */
static void
publish_ladders(struct redis_io *rio, const struct ruleset *rs)
{
	const struct rule	*r;
	const char		**argv;
	char			**vals, *key, *spec, *fields, *next;
	size_t			  i, j, n = 0, nv = 0;

	argv = xcalloc(2 + 2 * rs->nrules, sizeof *argv);
	vals = xcalloc(rs->nrules + 1, sizeof *vals);
	key = verdict_key(rio->cfg.verdicts.prefix, "ladders");
	argv[n++] = "HSET";
	argv[n++] = key;
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->limit == NULL || r->limit->ladder == NULL)
			continue;
		fields = xstrdup("");
		for (j = 0; j < r->limit->nfields; j++) {
			xasprintf(&next, "%s%s%s", fields, j ? "," : "",
			    r->limit->fields[j]);
			free(fields);
			fields = next;
		}
		spec = ladder_spec(r->limit->ladder, r->index);
		xasprintf(&vals[nv], "%s %s", fields, spec);
		free(spec);
		free(fields);
		argv[n++] = r->name;
		argv[n++] = vals[nv++];
	}
	/* Rules gone since the last publication go with the old list. */
	(void)rio_queue(rio, ignore_cb, NULL, 2, (const char *[]){ "DEL", key },
	    NULL, "the ladders' list");
	if (nv > 0)
		(void)rio_queue(rio, ignore_cb, NULL, (int)n, argv, NULL,
		    "the ladders' list");
	for (i = 0; i < nv; i++)
		free(vals[i]);
	free(vals);
	free(argv);
	free(key);
}

/*
 * Each rule's own action, mode and floor, by name, for moderatorctl
 * rules: "ACTION MODE MIN_PRECISION MIN_VERDICTS FILE:LINE"; and the
 * escalate rules' ladders.
 */
void
redis_io_publish_rules(struct redis_io *rio, const struct ruleset *rs)
{
	const char	**argv;
	char		**vals, *key;
	size_t		  i, n = 0;

	if (rio->state != CONN_UP || !rio_usable(rio) || rs->nrules == 0)
		return;
	publish_ladders(rio, rs);
	if (!verdicts_on(rio))
		return;
	key = verdict_key(rio->cfg.verdicts.prefix, "rules");
	argv = xcalloc(2 + 2 * rs->nrules, sizeof *argv);
	vals = xcalloc(rs->nrules, sizeof *vals);
	argv[n++] = "HSET";
	argv[n++] = key;
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		xasprintf(&vals[i], "%s %s %g %llu %s:%zu",
		    action_name(r->action), r->shadow ? "shadow" : "live",
		    r->min_precision > 0 ? r->min_precision : 0,
		    (unsigned long long)r->min_verdicts, r->file, r->line);
		argv[n++] = r->name;
		argv[n++] = vals[i];
	}
	(void)rio_queue(rio, ignore_cb, NULL, (int)n, argv, NULL,
	    "the rules' list");
	for (i = 0; i < rs->nrules; i++)
		free(vals[i]);
	free(vals);
	free(argv);
	free(key);
}

/* An answer that changes nothing here: said if it is an error. */
static void
ignore_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	if (reply->type == REDIS_REPLY_ERROR)
		log_warnx(rio->log, "a verdicts command failed: %s",
		    reply->str);
}
