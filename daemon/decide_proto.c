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
#include "neardup.h"
#include "ratelimit.h"
#include "xmalloc.h"

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
void
argv_add(struct decide_argv *a, const char *s, size_t len)
{
	reserve(a, 1);
	a->v[a->n] = s;
	a->len[a->n] = len;
	a->off[a->n++] = SIZE_MAX;
}

void
argv_str(struct decide_argv *a, const char *s)
{
	argv_add(a, s, strlen(s));
}

/* An argument made here: p then s, copied into buf. */
void
argv_made(struct decide_argv *a, const char *p, size_t plen, const char *s,
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

void
argv_u64(struct decide_argv *a, uint64_t v)
{
	char	num[24];
	int	n;

	n = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	argv_made(a, "", 0, num, (size_t)n);
}

/* A window a check of the batch counts in. */
struct window_ref {
	const struct batch_check *c;
	const char		*name;	/* its field; a long one's, its key's */
	char			*made;	/* a band's field, owned */
	size_t			 slot;	/* its place among the checks' windows */
};

static int
window_cmp(const void *x, const void *y)
{
	const struct window_ref	*a = x, *b = y;

	if (a->c->limit != b->c->limit)
		return a->c->limit < b->c->limit ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The millisecond part of a stream id. */
static uint64_t
id_ms(const char *sid)
{
	return strtoull(sid, NULL, 10);
}

/* The windows a check counts in: a near_text check's are its bands. */
static size_t
check_windows(const struct batch_check *c)
{
	return c->sig != NULL ? NEARDUP_BANDS : 1;
}

/*
 * The arguments of an item's checks: each its window's number; for a
 * near_text check, then its bands' windows packed and its signature;
 * then a distinct value's identity.
 */
static size_t
check_args(const struct batch_item *it)
{
	size_t	j, n = 0;

	for (j = 0; j < it->nchecks; j++)
		n += 1 + 2 * (it->checks[j].sig != NULL) +
		    (it->checks[j].id != NULL);
	return n;
}

/*
 * The batch's windows, each once, grouped by limit: refs sorted (*nrefs of
 * them), for each window of each check (by its slot) the number of its
 * window, from 1, and in *nw how many windows there are.
 */
static struct window_ref *
windows_of(const struct batch *b, size_t nslots, size_t *number,
    size_t *nrefs, size_t *nw)
{
	const struct batch_check	*c;
	struct window_ref		*refs, *r;
	size_t				 i, j, k = 0, w = 0, band;

	refs = xreallocarray(NULL, nslots + 1, sizeof *refs);
	for (i = 0; i < b->n; i++)
		for (j = 0; j < b->items[i].nchecks; j++) {
			c = &b->items[i].checks[j];
			for (band = 0; band < check_windows(c); band++, k++) {
				r = &refs[k];
				r->c = c;
				r->slot = k;
				r->made = NULL;
				if (c->sig != NULL)
					r->made = ratelimit_band_field(c->key,
					    band, neardup_band(c->sig, band));
				r->name = r->made != NULL ? r->made :
				    ratelimit_field(c->key);
			}
		}
	qsort(refs, nslots, sizeof *refs, window_cmp);
	for (k = 0; k < nslots; k++) {
		if (k == 0 || window_cmp(&refs[k - 1], &refs[k]) != 0)
			w++;
		number[refs[k].slot] = w;
	}
	*nrefs = nslots;
	*nw = w;
	return refs;
}

/* A near_text check's windows: little-endian 32-bit numbers. */
static void
add_bands(struct decide_argv *a, const size_t *number)
{
	unsigned char	 v[4 * NEARDUP_BANDS];
	size_t		 i, j;

	for (i = 0; i < NEARDUP_BANDS; i++)
		for (j = 0; j < 4; j++)
			v[4 * i + j] = (number[i] >> 8 * j) & 0xff;
	argv_made(a, "", 0, (const char *)v, sizeof v);
}

/* A signature as the script reads it: little-endian 16-bit values. */
static void
add_sig(struct decide_argv *a, const struct neardup_sig *sig)
{
	unsigned char	 v[2 * NEARDUP_K];
	size_t		 i;

	for (i = 0; i < NEARDUP_K; i++) {
		v[2 * i] = sig->v[i] & 0xff;
		v[2 * i + 1] = sig->v[i] >> 8;
	}
	argv_made(a, "", 0, (const char *)v, sizeof v);
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
	const struct batch_check	*c;
	struct window_ref		*refs;
	const char			*key;
	char				*hashes;
	size_t				*number, *nwindows;
	uint64_t			*first, ms;
	size_t				 i, j, k, w, nslots = 0, nchecked = 0;
	size_t				 nargs = 0, nw, nrefs;

	a->n = a->buflen = 0;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->items[i].nchecks; j++)
			nslots += check_windows(&b->items[i].checks[j]);
		nchecked += b->items[i].nchecks > 0;
		nargs += check_args(&b->items[i]);
	}
	number = xreallocarray(NULL, nslots + 1, sizeof *number);
	nwindows = xcalloc(b->nlimits + 1, sizeof *nwindows);
	first = xcalloc(b->nlimits + 1, sizeof *first);
	for (i = 0; i < b->nlimits; i++)
		first[i] = UINT64_MAX;
	refs = windows_of(b, nslots, number, &nrefs, &nw);

	argv_str(a, cmd);
	argv_str(a, body);
	argv_u64(a, 3 + (uint64_t)nw);
	argv_str(a, p->input_stream);
	argv_str(a, p->output_stream);
	argv_str(a, p->dead_letter_stream);
	/* Each window once: a short one's field, a long one's key. */
	for (k = 0, w = 0; k < nrefs; k++) {
		c = refs[k].c;
		if (number[refs[k].slot] == w)
			continue;
		w = number[refs[k].slot];
		nwindows[c->limit]++;
		if (b->limits[c->limit].short_windows) {
			key = refs[k].name;
			argv_made(a, "", 0, key, strlen(key));
		} else
			argv_made(a, p->rl_prefix, strlen(p->rl_prefix), c->key,
			    strlen(c->key));
	}
	/* The first period each limit's comments need read. */
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		ms = id_ms(it->entry.stream_id);
		for (j = 0; j < it->nchecks; j++) {
			l = &b->limits[it->checks[j].limit];
			if (ms / l->per_ms < first[it->checks[j].limit])
				first[it->checks[j].limit] = ms / l->per_ms;
		}
	}
	argv_u64(a, p->layout);
	argv_u64(a, b->nlimits);
	argv_u64(a, b->n);
	argv_u64(a, nchecked);
	argv_u64(a, nargs);
	argv_str(a, p->group);
	argv_str(a, p->consumer);
	argv_u64(a, p->output_maxlen);
	argv_u64(a, p->rl_slack_ms);
	argv_u64(a, p->max_deliveries);
	argv_str(a, b->ruleset);
	argv_str(a, p->join_prefix != NULL ? p->join_prefix : "");
	argv_u64(a, p->join_ttl_ms);
	argv_str(a, p->join_prefix != NULL && p->strike_prefix != NULL ?
	    p->strike_prefix : "");
	for (i = 0; i < b->nlimits; i++) {
		l = &b->limits[i];
		argv_str(a, l->name);
		argv_str(a, action_name(l->action));
		argv_u64(a, action_precedence(l->action, l->order));
		argv_str(a, l->shadow ? "1" : "0");
		argv_u64(a, l->max);
		argv_u64(a, l->per_ms);
		argv_str(a, l->reason);
		if (l->short_windows) {
			hashes = ratelimit_hashes(p->rl_prefix, l->name,
			    l->per_ms);
			argv_made(a, "", 0, hashes, strlen(hashes));
			free(hashes);
		} else
			argv_str(a, "");
		argv_str(a, l->distinct ? "1" : "0");
		argv_u64(a, nwindows[i]);
		argv_u64(a, first[i] != UINT64_MAX ? first[i] : 0);
		argv_u64(a, l->near);
		argv_str(a, l->ladder != NULL ? l->ladder : "");
	}
	for (i = 0, k = 0; i < b->n; i++) {
		it = &b->items[i];
		id = it->entry.id;
		argv_str(a, it->entry.stream_id);
		if (id != NULL)
			argv_add(a, id->value, id->value_len);
		else
			argv_str(a, "");
		argv_str(a, action_name(it->action));
		argv_str(a, it->rules);
		argv_str(a, it->shadow);
		argv_str(a, it->reason);
		argv_str(a, it->acts != NULL ? it->acts : "");
		argv_u64(a, check_args(it));
		if (it->nchecks == 0)
			continue;
		argv_u64(a, action_precedence(it->action, it->order));
		argv_str(a, it->final ? "1" : "0");
		for (j = 0; j < it->nchecks; j++) {
			c = &it->checks[j];
			argv_u64(a, number[k]);
			if (c->sig != NULL) {
				add_bands(a, number + k);
				add_sig(a, c->sig);
			}
			k += check_windows(c);
			if (c->id != NULL)
				argv_str(a, c->id);
		}
	}
	argv_done(a);
	for (k = 0; k < nrefs; k++)
		free(refs[k].made);
	free(refs);
	free(first);
	free(nwindows);
	free(number);
}

/* Points the arguments made here into buf, now that it has stopped moving. */
void
argv_done(struct decide_argv *a)
{
	size_t	i;

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
		    FATE_DEAD : r->integer == 0 ? FATE_GONE : FATE_UNKNOWN;
	if (r->kind != DECIDE_REPLY_FIELDS || r->field[0].len >= sizeof name)
		return FATE_UNKNOWN;
	memcpy(name, r->field[0].p, r->field[0].len);
	name[r->field[0].len] = '\0';
	if (action_parse(name, &action) != 0)
		return FATE_UNKNOWN;
	it->action = action;
	free(it->rules);
	it->rules = xstrndup(r->field[1].p, r->field[1].len);
	free(it->shadow);
	it->shadow = xstrndup(r->field[2].p, r->field[2].len);
	free(it->reason);
	it->reason = xstrndup(r->field[3].p, r->field[3].len);
	return FATE_WRITTEN;
}
