/*
 * Rate-limit windows as the decide script keeps them, read for --explain:
 * the live period hashes of a limit, the newest holding a window's field,
 * a short window's times, and a near_text limit's buckets and the
 * signatures they point at.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "window_read.h"
#include "xmalloc.h"

/* A little-endian 64-bit number at p. */
static uint64_t
le64(const char *p)
{
	uint64_t	v = 0;
	size_t		j;

	for (j = 8; j-- > 0;)
		v = v << 8 | (unsigned char)p[j];
	return v;
}

/* Periods newest first. */
static int
period_cmp(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * A short window's entries (of width bytes: a little-endian 64-bit time,
 * then for a distinct limit the value's identity): how many have a time
 * after since.
 */
static long long
times_after(const char *s, size_t len, size_t width, long long since)
{
	long long	n = 0;
	size_t		i;

	for (i = 0; i + width <= len; i += width)
		n += (long long)le64(s + i) > since;
	return n;
}

/*
 * The live periods of rule r at now, from the one before now's, newest
 * first (*nlive of them), as the script reads them; NULL if Redis did not
 * say. hashes is the prefix of r's period hashes.
 */
static long long *
live_periods(redisContext *rc, const struct config *c, const struct rule *r,
    const char *hashes, long long now, size_t *nlive)
{
	redisReply	*reply;
	long long	*live, per = (long long)r->limit->per_ms;
	long long	 slack = (long long)c->rl_slack_ms;
	size_t		 i;

	reply = redisCommand(rc, "ZRANGE %speriods 0 -1 WITHSCORES", hashes);
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(reply);
		return NULL;
	}
	*nlive = 0;
	live = xreallocarray(NULL, reply->elements / 2 + 1, sizeof *live);
	for (i = 0; i + 1 < reply->elements; i += 2)
		if (reply->element[i]->type == REDIS_REPLY_STRING &&
		    reply->element[i + 1]->type == REDIS_REPLY_STRING &&
		    strtoll(reply->element[i + 1]->str, NULL, 10) + per + slack >
		    now && strtoll(reply->element[i]->str, NULL, 10) >=
		    now / per - 1)
			live[(*nlive)++] = strtoll(reply->element[i]->str, NULL,
			    10);
	freeReplyObject(reply);
	qsort(live, *nlive, sizeof *live, period_cmp);
	return live;
}

/*
 * A short window's value: the field in the newest live period that has
 * it. NULL with *err 0 if none has, with *err 1 if Redis failed.
 */
static redisReply *
short_field(redisContext *rc, const char *hashes, const long long *live,
    size_t nlive, const char *field, int *err)
{
	redisReply	*got;
	size_t		 i;

	*err = 0;
	for (i = 0; i < nlive; i++) {
		got = redisCommand(rc, "HGET %s%lld %s", hashes, live[i], field);
		if (got == NULL || got->type == REDIS_REPLY_ERROR) {
			freeReplyObject(got);
			*err = 1;
			return NULL;
		}
		if (got->type == REDIS_REPLY_STRING)
			return got;
		freeReplyObject(got);
	}
	return NULL;
}

/*
 * How many comments the window of key (under rule r) holds in (since,
 * +inf) at time now, read as decide.lua keeps it; -1 if Redis did not say.
 */
long long
window_count(redisContext *rc, const struct config *c, const struct rule *r,
    const char *key, long long now)
{
	redisReply	*reply;
	char		*hashes;
	long long	*live, n = -1, per = (long long)r->limit->per_ms;
	long long	 since = now - per;
	size_t		 nlive;
	int		 err;

	if (!ratelimit_short(r->limit)) {
		reply = redisCommand(rc, "ZCOUNT %s%s (%lld +inf", c->rl_prefix,
		    key, since);
		if (reply != NULL && reply->type == REDIS_REPLY_INTEGER)
			n = reply->integer;
		freeReplyObject(reply);
		return n;
	}
	hashes = ratelimit_hashes(c->rl_prefix, r->name, r->limit->per_ms);
	if ((live = live_periods(rc, c, r, hashes, now, &nlive)) != NULL) {
		reply = short_field(rc, hashes, live, nlive,
		    ratelimit_field(key), &err);
		n = err ? -1 : reply == NULL ? 0 : times_after(reply->str,
		    reply->len, 8 + (r->limit->distinct != NULL ?
		    RATELIMIT_ID_LEN : 0), since);
		freeReplyObject(reply);
	}
	free(live);
	free(hashes);
	return n;
}

/*
 * An escalate rule's strikes under key at now: how many count (in (now -
 * decay, +inf)), and in *last the newest one's time; -1 if Redis did not
 * say.
 */
long long
window_strikes(redisContext *rc, const struct config *c,
    const struct rule *r, const char *key, long long now, long long *last)
{
	redisReply	*reply;
	long long	 n;

	*last = 0;
	if ((n = window_count(rc, c, r, key, now)) <= 0)
		return n;
	reply = redisCommand(rc, "ZRANGE %s%s -1 -1 WITHSCORES", c->rl_prefix,
	    key);
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 2 || reply->element[1]->type !=
	    REDIS_REPLY_STRING)
		n = -1;
	else
		*last = strtoll(reply->element[1]->str, NULL, 10);
	freeReplyObject(reply);
	return n;
}

/* Adds ref (16 bytes) to refs unless it is there. */
static void
add_ref(char (**refs)[16], size_t *n, const char *ref)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (memcmp((*refs)[i], ref, 16) == 0)
			return;
	*refs = xreallocarray(*refs, *n + 1, sizeof **refs);
	memcpy((*refs)[(*n)++], ref, 16);
}

/*
 * A near_text record as decide.lua writes it (a signature of NEARDUP_K
 * little-endian 16-bit values, an identity of idlen characters, the
 * comment id) into sig; -1 if it is too short to be one.
 */
static int
record_sig(const redisReply *rec, size_t idlen, struct neardup_sig *sig)
{
	size_t	k;

	if (rec->type != REDIS_REPLY_STRING || rec->len < 2 * NEARDUP_K + idlen)
		return -1;
	for (k = 0; k < NEARDUP_K; k++)
		sig->v[k] = (uint16_t)((unsigned char)rec->str[2 * k] |
		    (unsigned char)rec->str[2 * k + 1] << 8);
	return 0;
}

/*
 * Does identity id (of a distinct limit's record) count anew: neither the
 * comment's own (self) nor one counted before (in *ids, *nids of them)?
 * It is then added.
 */
static int
new_value(char ***ids, size_t *nids, const char *id, size_t len,
    const char *self)
{
	size_t	k;

	if (self != NULL && strlen(self) == len && memcmp(self, id, len) == 0)
		return 0;
	for (k = 0; k < *nids; k++)
		if (strlen((*ids)[k]) == len && memcmp((*ids)[k], id, len) == 0)
			return 0;
	*ids = xreallocarray(*ids, *nids + 1, sizeof **ids);
	(*ids)[(*nids)++] = xstrndup(id, len);
	return 1;
}

/*
 * The comments in the buckets of near_text key (under rule r) in (now -
 * per, +inf) whose signature is alike enough to sig: into *found (*nfound
 * of them, the caller frees them), and how many count (their distinct
 * values other than id, for a distinct limit); -1 if Redis did not say.
 */
long long
window_near(redisContext *rc, const struct config *c, const struct rule *r,
    const char *key, const struct neardup_sig *sig, const char *id,
    long long now, struct near_found **found, size_t *nfound)
{
	const struct rate_limit	*rl = r->limit;
	struct neardup_sig	 other;
	redisReply		*got;
	char			*hashes, *field, (*refs)[16] = NULL, rec[17];
	char			**ids = NULL;
	long long		*live, n = 0, per = (long long)rl->per_ms;
	size_t			 nlive, nrefs = 0, nids = 0, i, j, idlen, at;
	unsigned		 same, need = ratelimit_near_need(rl);
	int			 err = 0;

	*found = NULL;
	*nfound = 0;
	idlen = rl->distinct != NULL ? RATELIMIT_ID_LEN : 0;
	hashes = ratelimit_hashes(c->rl_prefix, r->name, rl->per_ms);
	if ((live = live_periods(rc, c, r, hashes, now, &nlive)) == NULL)
		err = 1;
	for (i = 0; !err && i < NEARDUP_BANDS; i++) {
		field = ratelimit_band_field(key, i, neardup_band(sig, i));
		got = short_field(rc, hashes, live, nlive, field, &err);
		free(field);
		/* Entries of 16 bytes: a time, then what names the record. */
		for (j = 0; got != NULL && j + 16 <= got->len; j += 16)
			if ((long long)le64(got->str + j) > now - per)
				add_ref(&refs, &nrefs, got->str + j);
		freeReplyObject(got);
	}
	for (i = 0; !err && i < nrefs; i++) {
		rec[0] = 'c';
		memcpy(rec + 1, refs[i], 16);
		got = redisCommand(rc, "HGET %s%lld %b", hashes,
		    (long long)le64(refs[i]) / per, rec, (size_t)17);
		if (got == NULL || got->type == REDIS_REPLY_ERROR)
			err = 1;
		else if (record_sig(got, idlen, &other) == 0 &&
		    (same = neardup_same(&other, sig)) >= need) {
			at = 2 * NEARDUP_K + idlen;
			*found = xreallocarray(*found, *nfound + 1,
			    sizeof **found);
			(*found)[*nfound].id = xstrndup(got->str + at,
			    got->len - at);
			(*found)[(*nfound)++].similarity =
			    (double)same / NEARDUP_K;
			n += idlen == 0 || new_value(&ids, &nids, got->str +
			    2 * NEARDUP_K, idlen, id);
		}
		freeReplyObject(got);
	}
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	free(refs);
	free(live);
	free(hashes);
	return err ? -1 : n;
}

void
near_found_free(struct near_found *f, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(f[i].id);
	free(f);
}
