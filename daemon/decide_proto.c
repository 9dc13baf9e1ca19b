/*
 * The decide script's arguments and reply (layout in decide.lua). The
 * counts go first, so the script can check that it reads what was meant
 * before it writes anything; precedence goes as numbers made by
 * action_precedence, so the script compares and never ranks.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide_proto.h"
#include "xmalloc.h"

static void	arg(struct decide_argv *, const char *, size_t);
static void	arg_str(struct decide_argv *, const char *);
static void	arg_made(struct decide_argv *, const char *, size_t,
		    const char *, size_t);
static void	arg_u64(struct decide_argv *, uint64_t);
static void	reserve(struct decide_argv *, size_t);

void
decide_argv_init(struct decide_argv *a)
{
	memset(a, 0, sizeof *a);
}

void
decide_argv_free(struct decide_argv *a)
{
	free(a->v);
	free(a->len);
	free(a->off);
	free(a->buf);
	decide_argv_init(a);
}

/* Room for n more arguments. */
static void
reserve(struct decide_argv *a, size_t n)
{
	if (a->n + n <= a->cap)
		return;
	a->cap = (a->n + n) * 2;
	a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	a->len = xreallocarray(a->len, a->cap, sizeof *a->len);
	a->off = xreallocarray(a->off, a->cap, sizeof *a->off);
}

/* A borrowed argument: s must live until the command is queued. */
static void
arg(struct decide_argv *a, const char *s, size_t len)
{
	reserve(a, 1);
	a->v[a->n] = s;
	a->len[a->n] = len;
	a->off[a->n++] = SIZE_MAX;
}

static void
arg_str(struct decide_argv *a, const char *s)
{
	arg(a, s, strlen(s));
}

/* An argument made here: p then s, copied into buf. */
static void
arg_made(struct decide_argv *a, const char *p, size_t plen, const char *s,
    size_t slen)
{
	if (a->buflen + plen + slen > a->bufcap) {
		a->bufcap = (a->buflen + plen + slen) * 2 + 256;
		a->buf = xreallocarray(a->buf, a->bufcap, 1);
	}
	reserve(a, 1);
	memcpy(a->buf + a->buflen, p, plen);
	memcpy(a->buf + a->buflen + plen, s, slen);
	a->v[a->n] = NULL;	/* buf may move: pointed at once it is done */
	a->len[a->n] = plen + slen;
	a->off[a->n++] = a->buflen;
	a->buflen += plen + slen;
}

static void
arg_u64(struct decide_argv *a, uint64_t v)
{
	char	num[24];
	int	n;

	n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	arg_made(a, "", 0, num, (size_t)n);
}

/*
 * Fills a with the call of the decide script for batch b: command cmd
 * ("EVALSHA" or "EVAL") with body (the sha or the script), then KEYS and
 * ARGV as decide.lua reads them. a's strings borrow from p and b.
 */
void
decide_proto_encode(struct decide_argv *a, const struct decide_params *p,
    const char *cmd, const char *body, const struct batch *b)
{
	const struct batch_item		*it;
	const struct batch_limit	*l;
	const struct field		*id;
	size_t				 i, j, nchecks = 0, nchecked = 0;
	size_t				 prefix = strlen(p->rl_prefix);

	a->n = a->buflen = 0;
	for (i = 0; i < b->n; i++) {
		nchecks += b->items[i].nchecks;
		nchecked += b->items[i].nchecks > 0;
	}
	arg_str(a, cmd);
	arg_str(a, body);
	arg_u64(a, 3 + (uint64_t)nchecks);
	arg_str(a, p->input_stream);
	arg_str(a, p->output_stream);
	arg_str(a, p->dead_letter_stream);
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		for (j = 0; j < it->nchecks; j++)
			arg_made(a, p->rl_prefix, prefix, it->checks[j].key,
			    strlen(it->checks[j].key));
	}
	arg_u64(a, p->layout);
	arg_u64(a, b->nlimits);
	arg_u64(a, b->n);
	arg_u64(a, nchecked);
	arg_u64(a, nchecks);
	arg_str(a, p->group);
	arg_str(a, p->consumer);
	arg_u64(a, p->output_maxlen);
	arg_u64(a, p->rl_slack_ms);
	arg_u64(a, p->max_deliveries);
	arg_str(a, b->ruleset);
	for (i = 0; i < b->nlimits; i++) {
		l = &b->limits[i];
		arg_str(a, l->name);
		arg_str(a, action_name(l->action));
		arg_u64(a, action_precedence(l->action, l->order));
		arg_str(a, l->shadow ? "1" : "0");
		arg_u64(a, l->max);
		arg_u64(a, l->per_ms);
		arg_str(a, l->reason);
	}
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		id = it->entry.id;
		arg_str(a, it->entry.stream_id);
		if (id != NULL)
			arg(a, id->value, id->value_len);
		else
			arg_str(a, "");
		arg_str(a, action_name(it->action));
		arg_str(a, it->rules);
		arg_str(a, it->shadow);
		arg_str(a, it->reason);
		arg_u64(a, it->nchecks);
		if (it->nchecks == 0)
			continue;
		arg_u64(a, action_precedence(it->action, it->order));
		arg_str(a, it->final ? "1" : "0");
		for (j = 0; j < it->nchecks; j++)
			arg_u64(a, 1 + (uint64_t)it->checks[j].limit);
	}
	for (i = 0; i < a->n; i++)
		if (a->off[i] != SIZE_MAX)
			a->v[i] = a->buf + a->off[i];
}

/*
 * Settles item it from its element of the script's reply: 1, written as
 * decided here; {decision, rules, shadow, reason}, written as its rate
 * limits changed it (now in the item too); 2, dead-lettered; anything
 * else, not written (no longer pending for this consumer).
 */
enum item_fate
decide_proto_settle(struct batch_item *it, const struct decide_reply *r)
{
	enum action	 action;
	char		 name[16];

	if (r->kind == DECIDE_REPLY_INTEGER)
		return r->integer == 1 ? FATE_WRITTEN : r->integer == 2 ?
		    FATE_DEAD : FATE_GONE;
	if (r->kind != DECIDE_REPLY_FIELDS || r->field[0].len >= sizeof name)
		return FATE_GONE;
	memcpy(name, r->field[0].p, r->field[0].len);
	name[r->field[0].len] = '\0';
	if (action_parse(name, &action) != 0)
		return FATE_GONE;
	it->action = action;
	free(it->rules);
	it->rules = xstrndup(r->field[1].p, r->field[1].len);
	free(it->shadow);
	it->shadow = xstrndup(r->field[2].p, r->field[2].len);
	free(it->reason);
	it->reason = xstrndup(r->field[3].p, r->field[3].len);
	return FATE_WRITTEN;
}
