/*
 * What flows over the connection: batches read with XREADGROUP (first
 * this consumer's own pending entries, id 0 paged by the last id seen,
 * then new ones with >), entries claimed from dead consumers with
 * XAUTOCLAIM, and each batch's decisions written with one call of the
 * decide script (decide.lua).
 *
 * While comments come in full batches, the next batch is asked for, and
 * written to the socket, before this one is decided (read_ahead): Redis
 * reads the next batch while the daemon decides this one, and runs this
 * one's script while the daemon decides the next, so neither waits for
 * the other. That read has no BLOCK, since a blocked read would hold the
 * write queued behind it; when it finds nothing, the blocking read goes
 * out behind the last write. Replies come back in order, and a read with
 * > never returns an entry already delivered.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "batch.h"
#include "clock.h"
#include "decide_proto.h"
#include "redis_internal.h"
#include "script.h"
#include "redis_xinfo.h"
#include "xmalloc.h"

#define WRITE_RETRY_MS	1000

static void	read_cb(redisAsyncContext *, void *, void *);
static void	precheck_cb(redisAsyncContext *, void *, void *);
static void	claim_cb(redisAsyncContext *, void *, void *);
static void	info_cb(redisAsyncContext *, void *, void *);
static void	write_cb(redisAsyncContext *, void *, void *);
static void	wait_cb(redisAsyncContext *, void *, void *);
static struct batch *parse_entries(struct redis_io *, const redisReply *);
static void	send_precheck(struct redis_io *, struct batch *);
static int	is_string(const redisReply *);
static void	decide_and_write(struct redis_io *, struct batch *);
static void	send_write(struct redis_io *, struct batch *);
static void	reply_view(const redisReply *, struct decide_reply *);
static void	send_read(struct redis_io *, int);
static void	send_wait(struct redis_io *);

/* After setup: this consumer's pending entries first, then new ones. */
void
stream_start(struct redis_io *rio)
{
	rio->pending_phase = 1;
	rio->reread = 0;
	/* Until the first read says: a daemon starting often has a backlog. */
	rio->full = 1;
	strcpy(rio->cursor, "0");
	stream_read(rio);
}

/* The connection is gone: no read, claim or write is in flight. */
void
stream_reset(struct redis_io *rio)
{
	rio->group_lag = rio->group_pending = -1;
	rio->client_id = 0;	/* the next connection has an id of its own */
	rio->reading = rio->blocking = 0;
	rio->writes = rio->claiming = 0;
	rio->full = 0;
	evtimer_del(rio->retry_ev);
}

/* The next batch, blocking for new comments up to block_ms. */
void
stream_read(struct redis_io *rio)
{
	send_read(rio, 1);
}

static void
send_read(struct redis_io *rio, int block_ok)
{
	struct redis_io_config	*c = &rio->cfg;
	char			 count[16], block[16];
	const char		*argv[12];
	int			 argc = 0;

	if (!rio_usable(rio) || rio->state != CONN_UP || rio->stopping ||
	    rio->reading)
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
	argv[argc++] = c->stream.group;
	argv[argc++] = c->stream.consumer;
	argv[argc++] = "COUNT";
	argv[argc++] = count;
	if (!rio->pending_phase && block_ok) {
		argv[argc++] = "BLOCK";
		argv[argc++] = block;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = c->stream.input_stream;
	argv[argc++] = rio->pending_phase ? rio->cursor : ">";
	if (rio_queue(rio, read_cb, NULL, argc, argv, NULL, "a read") != 0)
		return;
	rio->reading = 1;
	rio->blocking = !rio->pending_phase && block_ok;
}

/*
 * After a full batch of new comments, the next read goes out now, not
 * when the loop next writes: redisBufferWrite only writes what hiredis
 * holds (a failure is left for the loop's write event, which drops the
 * connection outside any reply callback).
 */
static void
read_ahead(struct redis_io *rio)
{
	int	done;

	if (rio->pending_phase || rio->reread || !rio->full)
		return;
	send_read(rio, 0);
	if (rio->reading)
		(void)redisBufferWrite(&rio->ac->c, &done);
}

static int
is_string(const redisReply *r)
{
	return r != NULL && (r->type == REDIS_REPLY_STRING ||
	    r->type == REDIS_REPLY_STATUS);
}

/*
 * A list of stream entries, [[id, [f, v, ...]], ...], as XREADGROUP and
 * XAUTOCLAIM return them -> batch. An entry without fields (deleted while
 * pending) or of an unexpected shape still gets an entry, malformed, so
 * that it is flagged and acknowledged.
 */
static struct batch *
parse_entries(struct redis_io *rio, const redisReply *entries)
{
	struct entry_limits	*lim = &rio->cfg.limits;
	const redisReply	*e, *f;
	struct batch		*b;
	struct bytes		*kv, sid;
	size_t			 i, j, n;

	b = batch_new(entries->elements);
	for (i = 0; i < entries->elements; i++) {
		e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
		    !is_string(e->element[0]) ||
		    e->element[0]->len > STREAM_ID_MAX) {
			/* No id to acknowledge it by: nothing else to do. */
			log_errorx(rio->log, "skipping an entry without a "
			    "stream id in a reply from Redis");
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
			    "unparseable entry in a reply from Redis");
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
decide_and_write(struct redis_io *rio, struct batch *b)
{
	if (b->n == 0) {
		batch_free(b);
		return;
	}
	rio->ev.on_batch(b, rio->arg);
	send_write(rio, b);
}

static void
read_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	struct batch	*b;

	if (!rio_answered(rio, reply))
		return;
	rio->reading = rio->blocking = 0;
	if (reply->type == REDIS_REPLY_ERROR) {
		if (strncmp(reply->str, "NOGROUP", 7) == 0) {
			/* Someone deleted the stream or the group: recreate. */
			log_warnx(rio->log, "%s; recreating the consumer "
			    "group", reply->str);
			rio_create_group(rio);
			return;
		}
		rio_lost(rio, "XREADGROUP failed: %s", reply->str);
		return;
	}
	if (reply->type == REDIS_REPLY_NIL) {
		/* Nothing new (BLOCK timed out, or a read ahead found none). */
		rio->full = 0;
		stream_read(rio);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1 ||
	    reply->element[0]->type != REDIS_REPLY_ARRAY ||
	    reply->element[0]->elements != 2 ||
	    reply->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
		rio_lost(rio, "unexpected XREADGROUP reply");
		return;
	}
	b = parse_entries(rio, reply->element[0]->element[1]);
	if (!rio->pending_phase || b->n > 0)
		rio->full = b->n >= rio->cfg.batch_size;
	if (rio->pending_phase) {
		if (b->n == 0) {
			rio->pending_phase = 0;
			log_debug(rio->log, "%s: pending entries done, "
			    "reading new ones", __func__);
		} else {
			snprintf(rio->cursor, sizeof rio->cursor, "%s",
			    b->items[b->n - 1].entry.stream_id);
			send_precheck(rio, b);
			return;
		}
	}
	read_ahead(rio);
	decide_and_write(rio, b);
	stream_read(rio);
}

/*
 * Entries re-read from this consumer's pending list, or claimed from a
 * dead one, may be the ones that crashed it: their delivery counts are
 * asked first (one XPENDING over the page's range of our pending list),
 * and those past max_deliveries are not decided at all. It counts as the
 * read (or claim) still in flight, so that nothing else is read meanwhile.
 */
static void
send_precheck(struct redis_io *rio, struct batch *b)
{
	struct redis_io_config	*c = &rio->cfg;
	char			 count[24];
	const char		*argv[7];

	/* Claimed ids interleave with our own in flight: room for those. */
	snprintf(count, sizeof count, "%zu", b->n + (b->claimed ? 2 *
	    (size_t)c->batch_size : 0));
	argv[0] = "XPENDING";
	argv[1] = c->stream.input_stream;
	argv[2] = c->stream.group;
	argv[3] = b->items[0].entry.stream_id;
	argv[4] = b->items[b->n - 1].entry.stream_id;
	argv[5] = count;
	argv[6] = c->stream.consumer;
	if (rio_queue(rio, precheck_cb, b, 7, argv, NULL, "XPENDING") != 0) {
		batch_free(b);
		return;
	}
	if (b->claimed)
		rio->claiming = 1;
	else
		rio->reading = 1;
}

static void
precheck_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io		*rio = ac->data;
	redisReply		*reply = r;
	struct batch		*b = priv;
	const redisReply	*p;
	size_t			 i, j;
	long long		 max = rio->cfg.stream.max_deliveries;
	int			 claimed = b->claimed;	/* b is gone after */

	if (!rio_answered(rio, reply)) {
		batch_free(b);
		return;
	}
	if (claimed)
		rio->claiming = 0;
	else
		rio->reading = 0;
	for (i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements;
	    i++) {
		p = reply->element[i];
		if (p->type != REDIS_REPLY_ARRAY || p->elements != 4 ||
		    !is_string(p->element[0]) ||
		    p->element[3]->type != REDIS_REPLY_INTEGER ||
		    p->element[3]->integer <= max)
			continue;
		for (j = 0; j < b->n; j++)
			if (strcmp(b->items[j].entry.stream_id,
			    p->element[0]->str) == 0)
				b->items[j].poison = 1;
	}
	decide_and_write(rio, b);
	if (!claimed)
		stream_read(rio);
}

/*
 * XAUTOCLAIM: entries other consumers read and left unacknowledged for
 * claim_idle (they crashed) become ours and are decided here. One page
 * per call; the cursor goes on from tick to tick until a round is done.
 */
void
stream_claim(struct redis_io *rio)
{
	struct redis_io_config	*c = &rio->cfg;
	char			 idle[24], count[16];
	const char		*argv[9];

	snprintf(idle, sizeof idle, "%llu", (unsigned long long)c->claim_idle_ms);
	snprintf(count, sizeof count, "%u", c->batch_size);
	if (rio->claim_cursor[0] == '\0')
		strcpy(rio->claim_cursor, "0-0");
	argv[0] = "XAUTOCLAIM";
	argv[1] = c->stream.input_stream;
	argv[2] = c->stream.group;
	argv[3] = c->stream.consumer;
	argv[4] = idle;
	argv[5] = rio->claim_cursor;
	argv[6] = "COUNT";
	argv[7] = count;
	if (rio_queue(rio, claim_cb, NULL, 8, argv, NULL, "a claim") != 0)
		return;
	rio->claiming = 1;
}

static void
claim_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	struct batch	*b;

	if (!rio_answered(rio, reply))
		return;
	rio->claiming = 0;
	if (reply->type == REDIS_REPLY_ERROR) {
		/* NOGROUP and the like: the next read deals with it. */
		log_warnx(rio->log, "XAUTOCLAIM failed: %s", reply->str);
		rio->last_claim_us = clock_monotonic_us();
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
	    !is_string(reply->element[0]) ||
	    reply->element[0]->len > STREAM_ID_MAX ||
	    reply->element[1]->type != REDIS_REPLY_ARRAY) {
		rio_lost(rio, "unexpected XAUTOCLAIM reply");
		return;
	}
	snprintf(rio->claim_cursor, sizeof rio->claim_cursor, "%s",
	    reply->element[0]->str);
	/* A round is done when the cursor is back at 0-0. */
	if (strcmp(rio->claim_cursor, "0-0") == 0)
		rio->last_claim_us = clock_monotonic_us();
	if (reply->elements > 2 && reply->element[2]->type ==
	    REDIS_REPLY_ARRAY && reply->element[2]->elements > 0)
		log_warnx(rio->log, "%zu pending entries were deleted from "
		    "the stream before anyone decided them",
		    reply->element[2]->elements);
	b = parse_entries(rio, reply->element[1]);
	b->claimed = 1;
	if (b->n > 0) {
		log_info(rio->log, "claimed %zu entries left unacknowledged "
		    "by other consumers for more than %llu ms", b->n,
		    (unsigned long long)rio->cfg.claim_idle_ms);
		send_precheck(rio, b);
		return;
	}
	batch_free(b);
}

/*
 * One call of the decide script for the whole batch (arguments made by
 * decide_proto.c); b moves to write_cb.
 */
static void
send_write(struct redis_io *rio, struct batch *b)
{
	struct decide_argv	*a = &rio->argv;

	decide_proto_encode(a, &rio->cfg.stream, b->eval ? "EVAL" : "EVALSHA",
	    b->eval ? decide_lua : rio->sha, b);
	if (rio_queue(rio, write_cb, b, (int)a->n, a->v, a->len,
	    "the decisions") != 0) {
		batch_free(b);
		return;
	}
	rio->writes++;
	send_wait(rio);
}

/*
 * redis: wait_replicas: WAIT behind each batch's script, so that its
 * decisions are on that many replicas before the next batch's are
 * written (replication stays asynchronous: a failover inside the wait
 * can still lose them). Its price is measured in docs/BENCHMARKS.md.
 */
static void
send_wait(struct redis_io *rio)
{
	char		 n[16], ms[24];
	const char	*argv[3] = { "WAIT", n, ms };

	if (rio->cfg.wait_replicas == 0)
		return;
	snprintf(n, sizeof n, "%u", rio->cfg.wait_replicas);
	snprintf(ms, sizeof ms, "%llu",
	    (unsigned long long)rio->cfg.wait_timeout_ms);
	(void)rio_queue(rio, wait_cb, NULL, 3, argv, NULL, "WAIT");
}

/* Said once when replicas fall short, once when they are back. */
static void
wait_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;
	long long	 got;

	(void)priv;
	if (!rio_answered(rio, reply))
		return;
	got = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
	if (got < (long long)rio->cfg.wait_replicas && !rio->wait_short) {
		if (got < 0)
			log_warnx(rio->log, "WAIT failed: %s",
			    reply->type == REDIS_REPLY_ERROR ? reply->str :
			    "an unexpected reply");
		else
			log_warnx(rio->log, "decisions reached %lld of %u "
			    "replicas within %llu ms (redis: wait_replicas); "
			    "deciding goes on", got, rio->cfg.wait_replicas,
			    (unsigned long long)rio->cfg.wait_timeout_ms);
		rio->wait_short = 1;
	} else if (got >= (long long)rio->cfg.wait_replicas &&
	    rio->wait_short) {
		log_info(rio->log, "decisions reach %u replicas again",
		    rio->cfg.wait_replicas);
		rio->wait_short = 0;
	}
}

/* One element of the script's reply, for decide_proto_settle. */
static void
reply_view(const redisReply *r, struct decide_reply *out)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	out->kind = DECIDE_REPLY_OTHER;
	if (r->type == REDIS_REPLY_INTEGER) {
		out->kind = DECIDE_REPLY_INTEGER;
		out->integer = r->integer;
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 4)
		return;
	for (i = 0; i < 4; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			return;
		out->field[i] = (struct bytes){ r->element[i]->str,
		    r->element[i]->len };
	}
	out->kind = DECIDE_REPLY_FIELDS;
}

static void
write_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io		*rio = ac->data;
	redisReply		*reply = r;
	struct batch		*b = priv;
	struct decide_reply	 view;
	enum item_fate		*fate;
	size_t			 i;

	if (!rio_answered(rio, reply)) {
		/* Not written: the entries stay pending and are read again. */
		batch_free(b);
		return;
	}
	rio->writes--;
	if (reply->type == REDIS_REPLY_ERROR &&
	    strncmp(reply->str, "NOSCRIPT", 8) == 0 && !b->eval) {
		/* Redis lost its script cache (restart, SCRIPT FLUSH). */
		log_warnx(rio->log, "the decide script was gone from Redis; "
		    "sending it again");
		b->eval = 1;
		send_write(rio, b);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != b->n) {
		log_errorx(rio->log, "writing %zu decisions failed: %s; the "
		    "entries stay pending and will be decided again", b->n,
		    reply->type == REDIS_REPLY_ERROR ? reply->str :
		    "unexpected reply");
		rio->reread = 1;
		batch_free(b);
		return;
	}
	fate = xcalloc(b->n, sizeof *fate);
	for (i = 0; i < b->n; i++) {
		reply_view(reply->element[i], &view);
		fate[i] = decide_proto_settle(&b->items[i], &view);
	}
	rio->ev.on_written(b, fate, rio->arg);
	free(fate);
	batch_free(b);
}

/*
 * XINFO GROUPS every few seconds, for the lag and pending gauges: one
 * small command off the decision path.
 */
void
stream_group_info(struct redis_io *rio)
{
	const char	*argv[3] = { "XINFO", "GROUPS",
	    rio->cfg.stream.input_stream };

	rio->last_info_us = clock_monotonic_us();
	(void)rio_queue(rio, info_cb, NULL, 3, argv, NULL, "XINFO GROUPS");
}

/* Our group's lag and pending count (each -1 when Redis cannot say). */
static void
info_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct redis_io	*rio = ac->data;
	redisReply	*reply = r;

	if (!rio_answered(rio, reply))
		return;
	xinfo_group(reply, rio->cfg.stream.group, &rio->group_lag,
	    &rio->group_pending);
}
