/*
 * The Redis side: one hiredis async connection on the daemon's event base
 * (wired as hiredis examples/example-libevent.c).
 *
 * At start the consumer group is created if missing, then this consumer's
 * own pending entries are re-read (id 0, paging by the last id seen) and
 * only then new ones (>). Each batch is decided as soon as it is read and
 * written with one EVALSHA of the decide script, which for each entry
 * checks it is still pending for us, XADDs the decision and XACKs. The
 * read of the next batch goes out on the same connection right behind the
 * write, so Redis runs the script while the daemon waits for comments, and
 * replies come back in order: a read never returns an entry whose write
 * is still unanswered.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "address.h"
#include "batch.h"
#include "daemon.h"
#include "redis_io.h"
#include "script.h"
#include "xmalloc.h"

#define STREAM_ID_MAX	64
#define WRITE_RETRY_MS	1000
#define DESC_ARGS	7	/* per rate-limit rule, see decide.lua */
#define ENTRY_ARGS	9	/* per entry at most, before its checks */
#define NO_ORDER	"1000000000"	/* no deciding rule: any rule wins ties */

struct redis_io {
	struct daemon		*dm;
	redisAsyncContext	*ac;
	struct redis_address	 addr;
	char			*sha;
	struct event		*retry_ev;
	int			 setup;		/* setup replies awaited */
	int			 reading;	/* an XREADGROUP is in flight */
	int			 writes;	/* decide scripts in flight */
	int			 pending_phase;	/* re-reading our own entries */
	int			 reread;	/* a write failed: re-read pending */
	int			 stopping;
	char			 cursor[STREAM_ID_MAX + 1];
};

static void	connect_cb(const redisAsyncContext *, int);
static void	disconnect_cb(const redisAsyncContext *, int);
static void	setup_cb(redisAsyncContext *, void *, void *);
static void	script_cb(redisAsyncContext *, void *, void *);
static void	read_cb(redisAsyncContext *, void *, void *);
static void	write_cb(redisAsyncContext *, void *, void *);
static void	retry_cb(evutil_socket_t, short, void *);
static void	send_read(struct redis_io *);
static void	send_write(struct redis_io *, struct batch *);
static void	send_setup(struct redis_io *);
static struct batch *parse_batch(struct redis_io *, redisReply *);
static void	fail(struct redis_io *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

struct redis_io *
redis_io_new(struct daemon *dm)
{
	struct redis_io	*rio;

	rio = xcalloc(1, sizeof *rio);
	rio->dm = dm;
	rio->retry_ev = evtimer_new(dm->base, retry_cb, rio);
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
	if (rio->retry_ev != NULL)
		event_free(rio->retry_ev);
	address_free(&rio->addr);
	free(rio->sha);
	free(rio);
}

static void
fail(struct redis_io *rio, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	daemon_fatal_redis(rio->dm, msg ? msg : fmt);
	free(msg);
}

/* Connects; the setup commands are queued behind the connection. */
int
redis_io_start(struct redis_io *rio)
{
	struct config	*c = &rio->dm->cfg;
	char		*cause, *where;

	if (address_parse(c->redis_address, &rio->addr, &cause) != 0) {
		log_errorx(&rio->dm->log, "redis address: %s", cause);
		free(cause);
		return -1;
	}
	if (rio->addr.path != NULL)
		rio->ac = redisAsyncConnectUnix(rio->addr.path);
	else
		rio->ac = redisAsyncConnect(rio->addr.host, rio->addr.port);
	where = address_describe(&rio->addr);
	if (rio->ac == NULL || rio->ac->err) {
		log_errorx(&rio->dm->log, "cannot connect to Redis at %s: %s",
		    where, rio->ac ? rio->ac->errstr : "out of memory");
		if (rio->ac != NULL)
			redisAsyncFree(rio->ac);
		rio->ac = NULL;
		free(where);
		return -1;
	}
	log_info(&rio->dm->log, "connecting to Redis at %s", where);
	free(where);
	rio->ac->data = rio;
	redisLibeventAttach(rio->ac, rio->dm->base);
	redisAsyncSetConnectCallback(rio->ac, connect_cb);
	redisAsyncSetDisconnectCallback(rio->ac, disconnect_cb);
	send_setup(rio);
	return 0;
}

/*
 * AUTH, SELECT, SCRIPT LOAD and XGROUP CREATE, pipelined. The group is
 * created at id 0 so that comments pushed before the first start are
 * decided too.
 */
static void
send_setup(struct redis_io *rio)
{
	struct config	*c = &rio->dm->cfg;
	const char	*pw = rio->addr.password ? rio->addr.password :
			    c->redis_password;
	int		 db = rio->addr.db >= 0 ? rio->addr.db : c->redis_db;

	if (pw != NULL && *pw != '\0') {
		if (rio->addr.user != NULL)
			redisAsyncCommand(rio->ac, setup_cb, (void *)"AUTH",
			    "AUTH %s %s", rio->addr.user, pw);
		else
			redisAsyncCommand(rio->ac, setup_cb, (void *)"AUTH",
			    "AUTH %s", pw);
		rio->setup++;
	}
	if (db != 0) {
		redisAsyncCommand(rio->ac, setup_cb, (void *)"SELECT",
		    "SELECT %d", db);
		rio->setup++;
	}
	redisAsyncCommand(rio->ac, script_cb, NULL, "SCRIPT LOAD %s",
	    decide_lua);
	rio->setup++;
	redisAsyncCommand(rio->ac, setup_cb, (void *)"XGROUP",
	    "XGROUP CREATE %s %s 0 MKSTREAM", c->input_stream, c->group);
	rio->setup++;
}

static void
connect_cb(const redisAsyncContext *ac, int status)
{
	struct redis_io	*rio = ac->data;

	if (rio == NULL || rio->ac == NULL)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback. */
		rio->ac = NULL;
		fail(rio, "cannot connect to Redis: %s", ac->errstr);
	}
}

static void
disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct redis_io	*rio = ac->data;

	if (rio == NULL || rio->ac == NULL)
		return;
	rio->ac = NULL;
	rio->reading = 0;
	rio->writes = 0;
	rio->setup = 0;
	if (rio->stopping && status == REDIS_OK)
		return;
	fail(rio, "lost the connection to Redis: %s; entries not yet "
	    "acknowledged stay pending and are decided after a restart",
	    status == REDIS_OK ? "closed" : ac->errstr);
}

static void
setup_done(struct redis_io *rio)
{
	if (--rio->setup > 0)
		return;
	log_info(&rio->dm->log, "connected: reading %s as %s/%s",
	    rio->dm->cfg.input_stream, rio->dm->cfg.group,
	    rio->dm->cfg.consumer);
	daemon_connected(rio->dm);
	rio->pending_phase = 1;
	strcpy(rio->cursor, "0");
	if (rio->stopping)
		daemon_maybe_exit(rio->dm);
	else
		send_read(rio);
}

static void
setup_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	const char	*what = priv;

	if (reply == NULL || rio->ac == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR &&
	    !(strcmp(what, "XGROUP") == 0 &&
	    strncmp(reply->str, "BUSYGROUP", 9) == 0)) {
		/* Never echo AUTH's arguments: only Redis's own message. */
		fail(rio, "Redis refused %s: %s", what, reply->str);
		return;
	}
	setup_done(rio);
}

static void
script_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	if (reply == NULL || rio->ac == NULL)
		return;
	if (reply->type != REDIS_REPLY_STRING) {
		fail(rio, "Redis refused to load the decide script: %s",
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "unexpected reply");
		return;
	}
	free(rio->sha);
	rio->sha = xstrndup(reply->str, reply->len);
	setup_done(rio);
}

static void
send_read(struct redis_io *rio)
{
	struct config	*c = &rio->dm->cfg;
	char		 count[16], block[16];
	const char	*argv[12];
	int		 argc = 0;

	if (rio->ac == NULL || rio->stopping || rio->reading)
		return;
	if (rio->reread) {
		/* A write failed: go back over our pending entries, later. */
		struct timeval tv = { WRITE_RETRY_MS / 1000,
		    (WRITE_RETRY_MS % 1000) * 1000 };

		rio->reread = 0;
		rio->pending_phase = 1;
		strcpy(rio->cursor, "0");
		evtimer_add(rio->retry_ev, &tv);
		return;
	}
	snprintf(count, sizeof count, "%u", c->batch_size);
	snprintf(block, sizeof block, "%u", c->block_ms);
	argv[argc++] = "XREADGROUP";
	argv[argc++] = "GROUP";
	argv[argc++] = c->group;
	argv[argc++] = c->consumer;
	argv[argc++] = "COUNT";
	argv[argc++] = count;
	if (!rio->pending_phase) {
		argv[argc++] = "BLOCK";
		argv[argc++] = block;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = c->input_stream;
	argv[argc++] = rio->pending_phase ? rio->cursor : ">";
	if (redisAsyncCommandArgv(rio->ac, read_cb, NULL, argc, argv,
	    NULL) != REDIS_OK) {
		fail(rio, "cannot queue a read: %s", rio->ac->errstr);
		return;
	}
	rio->reading = 1;
}

static void
retry_cb(evutil_socket_t fd, short events, void *arg)
{
	send_read(arg);
}

static int
is_string(const redisReply *r)
{
	return r != NULL && (r->type == REDIS_REPLY_STRING ||
	    r->type == REDIS_REPLY_STATUS);
}

/*
 * XREADGROUP's reply -> batch: [[stream, [[id, [f, v, ...]], ...]]]. An
 * entry without fields (deleted while pending) or of an unexpected shape
 * still gets an entry, malformed, so that it is flagged and acknowledged.
 */
static struct batch *
parse_batch(struct redis_io *rio, redisReply *reply)
{
	struct entry_limits	*lim = &rio->dm->cfg.limits;
	redisReply		*entries, *e, *f;
	struct batch		*b;
	struct bytes		*kv, sid;
	size_t			 i, j, n;

	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1 ||
	    reply->element[0]->type != REDIS_REPLY_ARRAY ||
	    reply->element[0]->elements != 2 ||
	    reply->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
		return NULL;
	entries = reply->element[0]->element[1];
	b = batch_new(entries->elements);
	for (i = 0; i < entries->elements; i++) {
		e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
		    !is_string(e->element[0]) ||
		    e->element[0]->len > STREAM_ID_MAX) {
			/* No id to acknowledge it by: nothing else to do. */
			log_errorx(&rio->dm->log, "skipping an entry without a "
			    "stream id in the XREADGROUP reply");
			continue;
		}
		sid = (struct bytes){ e->element[0]->str, e->element[0]->len };
		f = e->elements == 2 ? e->element[1] : NULL;
		if (f == NULL || f->type == REDIS_REPLY_NIL) {
			entry_init_missing(&b->items[b->n++].entry, sid,
			    "the entry was deleted from the stream before it "
			    "was decided");
			continue;
		}
		if (f->type != REDIS_REPLY_ARRAY || f->elements % 2 != 0) {
			entry_init_missing(&b->items[b->n++].entry, sid,
			    "unparseable entry in the XREADGROUP reply");
			continue;
		}
		n = f->elements / 2;
		kv = xcalloc(2 * n + 1, sizeof *kv);
		for (j = 0; j < 2 * n; j++) {
			if (is_string(f->element[j]))
				kv[j] = (struct bytes){ f->element[j]->str,
				    f->element[j]->len };
			else
				kv[j] = (struct bytes){ "", 0 };
		}
		entry_init(&b->items[b->n++].entry, sid, kv, n, lim);
		free(kv);
	}
	return b;
}

static void
read_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	struct batch	*b;

	if (reply == NULL || rio->ac == NULL)
		return;
	rio->reading = 0;
	if (reply->type == REDIS_REPLY_ERROR) {
		if (strncmp(reply->str, "NOGROUP", 7) == 0) {
			/* Someone deleted the stream or the group: recreate. */
			log_warnx(&rio->dm->log, "%s; recreating the consumer "
			    "group", reply->str);
			rio->setup = 1;
			redisAsyncCommand(rio->ac, setup_cb, (void *)"XGROUP",
			    "XGROUP CREATE %s %s 0 MKSTREAM",
			    rio->dm->cfg.input_stream, rio->dm->cfg.group);
			return;
		}
		fail(rio, "XREADGROUP failed: %s", reply->str);
		return;
	}
	if (reply->type == REDIS_REPLY_NIL) {
		/* BLOCK timed out with nothing new. */
		send_read(rio);
		daemon_maybe_exit(rio->dm);
		return;
	}
	if ((b = parse_batch(rio, reply)) == NULL) {
		fail(rio, "unexpected XREADGROUP reply from Redis");
		return;
	}
	if (rio->pending_phase) {
		if (b->n == 0) {
			rio->pending_phase = 0;
			log_debug(&rio->dm->log, "%s: pending entries done, "
			    "reading new ones", __func__);
		} else
			snprintf(rio->cursor, sizeof rio->cursor, "%s",
			    b->items[b->n - 1].entry.stream_id);
	}
	if (b->n == 0)
		batch_free(b);
	else {
		batch_decide(rio->dm, b);
		send_write(rio, b);
	}
	send_read(rio);
	daemon_maybe_exit(rio->dm);
}

/*
 * A growing argv for redisAsyncCommandArgv, which copies the arguments
 * into its output buffer at once: most are borrowed from the batch, and
 * only the numbers and keys made here are owned (and freed) by args.
 */
struct args {
	const char	**v;
	size_t		 *len;
	size_t		  n;
	char		**owned;
	size_t		  nowned;
};

static void
arg(struct args *a, const char *s, size_t len)
{
	a->v[a->n] = s;
	a->len[a->n++] = len;
}

static void
arg_owned(struct args *a, char *s)
{
	a->owned[a->nowned++] = s;
	arg(a, s, strlen(s));
}

static void
argu(struct args *a, unsigned long long v)
{
	char	*s;

	xasprintf(&s, "%llu", v);
	arg_owned(a, s);
}
#define ARGS(a, s)	arg((a), (s), strlen(s))

/*
 * One call of the decide script for the whole batch (layout in
 * decide.lua); b moves to write_cb.
 */
static void
send_write(struct redis_io *rio, struct batch *b)
{
	struct config		*c = &rio->dm->cfg;
	const struct batch_item	*it;
	const struct decision	*d;
	const struct rl_desc	*rd;
	struct args		 a;
	char			*key;
	size_t			 i, j, total;

	total = 5 + b->nchecks + 5 + DESC_ARGS * b->ndescs +
	    ENTRY_ARGS * b->n + b->nchecks;
	a.v = xcalloc(total, sizeof *a.v);
	a.len = xcalloc(total, sizeof *a.len);
	a.owned = xcalloc(total, sizeof *a.owned);
	a.n = a.nowned = 0;
	ARGS(&a, b->eval ? "EVAL" : "EVALSHA");
	ARGS(&a, b->eval ? decide_lua : rio->sha);
	argu(&a, 2 + (unsigned long long)b->nchecks);
	ARGS(&a, c->input_stream);
	ARGS(&a, c->output_stream);
	for (i = 0; i < b->n; i++) {
		d = &b->items[i].decision;
		for (j = 0; j < d->nchecks; j++) {
			xasprintf(&key, "%s%s", c->rl_prefix, d->checks[j].key);
			arg_owned(&a, key);
		}
	}
	ARGS(&a, c->group);
	ARGS(&a, c->consumer);
	argu(&a, (unsigned long long)c->output_maxlen);
	argu(&a, (unsigned long long)c->rl_slack_ms);
	argu(&a, (unsigned long long)b->ndescs);
	for (i = 0; i < b->ndescs; i++) {
		rd = &b->descs[i];
		ARGS(&a, rd->name);
		argu(&a, (unsigned long long)rd->action);
		argu(&a, (unsigned long long)rd->shadow);
		argu(&a, (unsigned long long)rd->max);
		argu(&a, (unsigned long long)rd->per_ms);
		ARGS(&a, rd->reason);
		argu(&a, (unsigned long long)rd->order);
	}
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		d = &it->decision;
		ARGS(&a, it->entry.stream_id);
		if (it->entry.id != NULL)
			arg(&a, it->entry.id->value, it->entry.id->value_len);
		else
			ARGS(&a, "");
		ARGS(&a, action_name(d->action));
		ARGS(&a, d->rules);
		ARGS(&a, d->shadow);
		ARGS(&a, d->reason);
		argu(&a, (unsigned long long)d->nchecks);
		if (d->nchecks == 0)
			continue;
		if (d->order == SIZE_MAX)
			ARGS(&a, NO_ORDER);
		else
			argu(&a, (unsigned long long)d->order);
		ARGS(&a, d->final ? "1" : "0");
		for (j = 0; j < d->nchecks; j++)
			argu(&a, 1 + (unsigned long long)d->checks[j].desc);
	}
	if (redisAsyncCommandArgv(rio->ac, write_cb, b, (int)a.n, a.v,
	    a.len) != REDIS_OK) {
		batch_free(b);
		fail(rio, "cannot queue the decisions: %s", rio->ac->errstr);
	} else
		rio->writes++;
	for (i = 0; i < a.nowned; i++)
		free(a.owned[i]);
	free(a.owned);
	free(a.v);
	free(a.len);
}

/*
 * Reads one element of the script's reply for item it: 1, written as
 * decided here; {decision, rules, shadow, reason}, written as its rate
 * limits changed it (now in the item too); anything else, not written.
 */
static int
settle(struct batch_item *it, const redisReply *r)
{
	struct decision	*d = &it->decision;
	enum action	 action;
	size_t		 i;

	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer == 1 ? 0 : -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 4)
		return -1;
	for (i = 0; i < 4; i++)
		if (r->element[i]->type != REDIS_REPLY_STRING)
			return -1;
	if (action_parse(r->element[0]->str, &action) != 0)
		return -1;
	d->action = action;
	free(d->rules);
	d->rules = xstrndup(r->element[1]->str, r->element[1]->len);
	free(d->shadow);
	d->shadow = xstrndup(r->element[2]->str, r->element[2]->len);
	free(d->reason);
	d->reason = xstrndup(r->element[3]->str, r->element[3]->len);
	return 0;
}

static void
write_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	struct batch	*b = priv;
	int		*written;
	size_t		 i;

	if (reply == NULL || rio->ac == NULL) {
		/* Not written: the entries stay pending and are read again. */
		batch_free(b);
		return;
	}
	rio->writes--;
	if (reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "NOSCRIPT", 8) == 0 && !b->eval) {
		/* Redis lost its script cache (restart, SCRIPT FLUSH). */
		log_warnx(&rio->dm->log, "the decide script was gone from "
		    "Redis; sending it again");
		b->eval = 1;
		send_write(rio, b);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != b->n) {
		log_errorx(&rio->dm->log, "writing %zu decisions failed: %s; "
		    "the entries stay pending and will be decided again", b->n,
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "unexpected reply");
		rio->reread = 1;
		batch_free(b);
		daemon_batch_done(rio->dm);
		return;
	}
	written = xcalloc(b->n, sizeof *written);
	for (i = 0; i < b->n; i++)
		written[i] = settle(&b->items[i], reply->element[i]) == 0;
	batch_logged(rio->dm, b, written);
	free(written);
	batch_free(b);
	daemon_batch_done(rio->dm);
}

/* Stop reading new batches; what is in flight is finished. */
void
redis_io_stop(struct redis_io *rio)
{
	rio->stopping = 1;
	evtimer_del(rio->retry_ev);
}

int
redis_io_idle(const struct redis_io *rio)
{
	return rio->ac == NULL || (rio->setup == 0 && !rio->reading &&
	    rio->writes == 0) || (rio->setup > 0 && rio->stopping);
}
