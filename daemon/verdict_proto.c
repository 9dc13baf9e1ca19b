/*
 * The verdict script's arguments (layout in daemon/verdict.lua). A
 * verdict that cannot be counted is still sent, with why, so that the
 * script acknowledges it and counts it as malformed in the same step:
 * nothing read from the stream is dropped here.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "ratelimit.h"
#include "ruleset.h"
#include "verdict_proto.h"
#include "xmalloc.h"

const char verdict_lift_lua[] =
    "local c = redis.call('HMGET', KEYS[1], ARGV[1] .. '|a', "
    "ARGV[1] .. '|d')\n"
    "redis.call('HSET', KEYS[1], ARGV[1] .. '|ba', c[1] or 0, "
    "ARGV[1] .. '|bd', c[2] or 0)\n"
    "return redis.call('HDEL', KEYS[2], ARGV[1])\n";

char *
verdict_key(const char *prefix, const char *what)
{
	char	*k;

	xasprintf(&k, "%s%s", prefix, what);
	return k;
}

static char *
dup_field(const struct bytes *v)
{
	return xstrndup(v->p, v->len);
}

/* Verdict v from stream entry sid's n field/value pairs kv. */
void
verdict_parse(struct verdict *v, const char *sid, const struct bytes *kv,
    size_t n)
{
	const struct bytes	*id, *verdict, *entry;

	memset(v, 0, sizeof *v);
	snprintf(v->sid, sizeof v->sid, "%s", sid);
	id = bytes_field(kv, n, "id");
	verdict = bytes_field(kv, n, "verdict");
	entry = bytes_field(kv, n, "decision_entry");
	v->id = id != NULL && id->len <= VERDICT_ID_MAX ? dup_field(id) :
	    xstrdup("");
	v->verdict = verdict != NULL ? dup_field(verdict) : xstrdup("");
	v->entry = entry != NULL && entry->len < sizeof v->sid ?
	    dup_field(entry) : xstrdup("");
	if (id == NULL || id->len == 0)
		v->bad = xstrdup("no id");
	else if (id->len > VERDICT_ID_MAX)
		xasprintf(&v->bad, "an id of %zu bytes, more than %d",
		    id->len, VERDICT_ID_MAX);
	else if (memchr(v->id, '\0', id->len) != NULL)
		v->bad = xstrdup("a NUL byte in the id");
	else if (verdict == NULL)
		v->bad = xstrdup("no verdict");
	else if (strcmp(v->verdict, "approve") != 0 &&
	    strcmp(v->verdict, "remove") != 0)
		v->bad = xstrdup("the verdict is neither approve nor remove");
	else
		v->bad = xstrdup("");
	v->strikes = xstrdup("");
}

/*
 * The strikes of escalate rules a remove verdict gives (and an approve
 * verdict takes back) by the comment's own fields, when the verdict
 * carries them (the comment's author, say): each such rule's key, with
 * the configured prefix, and its decay.
 */
void
verdict_strike_keys(struct verdict *v, const struct ruleset *rs,
    const char *rl_prefix, const struct bytes *kv, size_t n,
    const struct entry_limits *lim)
{
	const struct rule	*r;
	struct entry		 e;
	char			*key, *next;
	size_t			 i;

	if (*v->bad != '\0')
		return;
	entry_init(&e, (struct bytes){ v->sid, strlen(v->sid) }, kv, n, lim);
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->limit == NULL || r->limit->ladder == NULL ||
		    !(r->limit->ladder->from & LADDER_FROM_REMOVE) ||
		    (key = ratelimit_key(r->limit, r->name, &e, NULL)) == NULL)
			continue;
		xasprintf(&next, "%s%s%s%s %llu", v->strikes, *v->strikes ?
		    " " : "", rl_prefix, key,
		    (unsigned long long)r->limit->ladder->decay_ms);
		free(key);
		free(v->strikes);
		v->strikes = next;
	}
	entry_free(&e);
}

void
verdict_clear(struct verdict *v)
{
	free(v->id);
	free(v->verdict);
	free(v->entry);
	free(v->bad);
	free(v->strikes);
	memset(v, 0, sizeof *v);
}

/*
 * a: the call of the verdict script (cmd "EVALSHA" or "EVAL", body its
 * sha or text) for the n verdicts v, with the floors of rules rs.
 */
void
verdict_encode(struct decide_argv *a, const struct verdict_params *p,
    const char *cmd, const char *body, const struct ruleset *rs,
    const struct verdict *v, size_t n)
{
	char	num[32];
	size_t	i, nfloors = 0;

	a->n = a->buflen = 0;
	for (i = 0; i < rs->nrules; i++)
		nfloors += rs->rules[i].min_precision > 0;
	argv_str(a, cmd);
	argv_str(a, body);
	argv_str(a, "5");
	argv_str(a, p->stream);
	argv_made(a, p->prefix, strlen(p->prefix), "counts", 6);
	argv_made(a, p->prefix, strlen(p->prefix), "demoted", 7);
	argv_made(a, p->prefix, strlen(p->prefix), "totals", 6);
	argv_str(a, p->decisions);
	argv_u64(a, p->layout);
	argv_str(a, p->group);
	argv_str(a, p->consumer);
	argv_made(a, p->prefix, strlen(p->prefix), "j:", 2);
	argv_u64(a, p->window_ms);
	argv_u64(a, p->max_deliveries);
	argv_u64(a, nfloors);
	argv_u64(a, n);
	argv_made(a, p->prefix, strlen(p->prefix), "s:", 2);
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (!(r->min_precision > 0))
			continue;
		argv_str(a, r->name);
		snprintf(num, sizeof num, "%.6f", r->min_precision);
		argv_made(a, "", 0, num, strlen(num));
		argv_u64(a, r->min_verdicts);
		argv_str(a, r->def);
	}
	for (i = 0; i < n; i++) {
		argv_str(a, v[i].sid);
		argv_str(a, v[i].id);
		argv_str(a, v[i].verdict);
		argv_str(a, v[i].entry);
		argv_str(a, v[i].bad);
		argv_str(a, v[i].strikes != NULL ? v[i].strikes : "");
	}
	argv_done(a);
}
