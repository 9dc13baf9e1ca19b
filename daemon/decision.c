/*
 * Matches -> decision. Final rules are tried first, in rule order: the
 * first that matches decides alone. Otherwise every rule runs and the most
 * severe action among the live rules that matched wins (reject > flag >
 * approve); the first rule with that action gives the reason. Shadow rules
 * are reported apart and never change the outcome. A rule that cannot run
 * (a match limit) makes the comment at least flagged: fail safe.
 *
 * Rate-limit rules are only listed here, as checks, for every comment that
 * meets their conditions (whatever decides it, so a flooder cannot reset
 * the window): whether one is over its limit is known in Redis, where the
 * decide script applies the same precedence (decide.lua).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "ratelimit.h"
#include "xmalloc.h"

static void	add_hit(struct decision *, const struct hit *, size_t *);
static void	add_check(struct decision *, struct matcher *,
		    const struct rule *, const struct entry *, size_t *);
static char	*names_csv(const struct decision *, int);

static void
add_hit(struct decision *d, const struct hit *h, size_t *cap)
{
	if (d->nhits == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		d->hits = xreallocarray(d->hits, *cap, sizeof *d->hits);
	}
	d->hits[d->nhits++] = *h;
}

/* A rate limit the comment counts toward, if it has the key's fields. */
static void
add_check(struct decision *d, struct matcher *m, const struct rule *r,
    const struct entry *e, size_t *cap)
{
	const struct textview	*folded = decision_folded_text(m, r, e);
	char			*key, *id = NULL;

	if ((key = ratelimit_key(r->limit, r->name, e, folded)) == NULL)
		return;
	if (r->limit->distinct != NULL &&
	    (id = ratelimit_identity(r->limit, e, folded)) == NULL) {
		free(key);
		return;
	}
	if (d->nchecks == *cap) {
		*cap = *cap ? *cap * 2 : 2;
		d->checks = xreallocarray(d->checks, *cap, sizeof *d->checks);
	}
	d->checks[d->nchecks].rule = r;
	d->checks[d->nchecks].id = id;
	d->checks[d->nchecks].sig = NULL;
	if (r->limit->near) {
		d->checks[d->nchecks].sig = xmalloc(sizeof (struct neardup_sig));
		neardup_signature(folded->p, folded->len,
		    d->checks[d->nchecks].sig);
	}
	d->checks[d->nchecks++].key = key;
}

/*
 * The text of e folded as rate-limit rule r keys it (a view built once per
 * comment), or NULL if r's key has no text in it.
 */
const struct textview *
decision_folded_text(struct matcher *m, const struct rule *r,
    const struct entry *e)
{
	if (r->limit == NULL || r->limit->text_view == SIZE_MAX)
		return NULL;
	return matcher_view(m, r->limit->text_view, "text",
	    RATELIMIT_TEXT_STAGES, e);
}

static char *
names_csv(const struct decision *d, int shadow)
{
	size_t	 i, len = 0;
	char	*s;

	for (i = 0; i < d->nhits; i++)
		if (rule_shadowed(d->hits[i].rule) == shadow)
			len += strlen(d->hits[i].rule->name) + 1;
	s = xmalloc(len + 1);
	len = 0;
	for (i = 0; i < d->nhits; i++) {
		if (rule_shadowed(d->hits[i].rule) != shadow)
			continue;
		if (len != 0)
			s[len++] = ',';
		strcpy(s + len, d->hits[i].rule->name);
		len += strlen(d->hits[i].rule->name);
	}
	s[len] = '\0';
	return s;
}

/*
 * The rules a pass visits, in rule order: every rule, or with a prefilter
 * its candidates merged with the rules it does not cover (two sorted
 * lists).
 */
struct rule_walk {
	size_t		 nrules, i;
	const unsigned	*cand, *always;
	size_t		 ncand, nalways, k, j;
};

static void
walk_begin(struct rule_walk *w, size_t nrules, const unsigned *cand,
    size_t ncand, const unsigned *always, size_t nalways)
{
	memset(w, 0, sizeof *w);
	w->nrules = nrules;
	w->cand = cand;
	w->ncand = ncand;
	w->always = always;
	w->nalways = nalways;
}

/* The next rule's index into *i; 0 when the pass has seen them all. */
static int
walk_next(struct rule_walk *w, size_t *i)
{
	if (w->cand == NULL) {
		if (w->i == w->nrules)
			return 0;
		*i = w->i++;
		return 1;
	}
	if (w->k == w->ncand && w->j == w->nalways)
		return 0;
	if (w->k == w->ncand || (w->j < w->nalways &&
	    w->always[w->j] < w->cand[w->k]))
		*i = w->always[w->j++];
	else
		*i = w->cand[w->k++];
	return 1;
}

/*
 * Decides entry e. The caller frees d with decision_free; its hits borrow
 * rules from rs.
 */
void
decision_make(struct matcher *m, const struct ruleset *rs,
    const struct entry *e, enum action default_action, struct decision *d)
{
	const struct rule	*r, *decider = NULL, *failed = NULL;
	const unsigned		*cand, *always = NULL;
	struct hit		 h;
	enum match_result	 res;
	struct rule_walk	 w;
	size_t			 i, ncand, nalways = 0, cap = 0, ccap = 0;
	uint64_t		 slow;
	int			 pass;

	memset(d, 0, sizeof *d);
	matcher_begin(m, rs, e);
	d->action = default_action;
	d->order = SIZE_MAX;
	if (e->malformed != NULL || e->too_long) {
		d->action = ACTION_FLAG;
		d->rules = xstrdup("");
		d->shadow = xstrdup("");
		if (e->malformed != NULL)
			xasprintf(&d->reason, "malformed: %s", e->malformed);
		else
			xasprintf(&d->reason, "too long: the text has %zu "
			    "bytes", e->text_bytes);
		return;
	}

	/*
	 * With a prefilter, only the rules it leaves in (the candidates of
	 * one scan a view) and those it does not cover are tried, in rule
	 * order: with thousands of rules, visiting each would cost more than
	 * the few that run.
	 */
	if ((cand = matcher_candidates(m, e, &ncand)) != NULL) {
		always = rs->prefilter->always_rules;
		nalways = rs->prefilter->nalways;
	}
	for (pass = 0; pass < 3; pass++) {
		if (pass == 2 && decider != NULL)
			break;
		walk_begin(&w, rs->nrules, cand, ncand, always, nalways);
		while (walk_next(&w, &i)) {
			r = &rs->rules[i];
			if (rs->timed > 0 && !rule_in_force(r, m->now))
				continue;
			/* 0: live final rules; 1: rate limits; 2: the rest. */
			if (pass != (r->limit != NULL ? 1 : r->final && !rule_shadowed(r) ?
			    0 : 2))
				continue;
			res = matcher_rule_timed(m, r, e, &h, &slow);
			if (slow > d->slow_ns) {
				d->slow_ns = slow;
				d->slow_rule = r;
			}
			if (res == MATCH_NONE)
				continue;
			if (res == MATCH_ERROR) {
				/*
				 * Once a final rule decided, a rate limit that
				 * cannot run changes nothing; a final rule that
				 * could not run before it still flags: it might
				 * have rejected.
				 */
				if (pass == 1 && d->final)
					continue;
				d->errors++;
				if (failed == NULL)
					failed = r;
				add_hit(d, &h, &cap);
				continue;
			}
			if (pass == 1) {
				add_check(d, m, r, e, &ccap);
				continue;
			}
			add_hit(d, &h, &cap);
			if (rule_shadowed(r))
				continue;
			if (pass == 0) {
				decider = r;
				d->final = 1;
				break;
			}
			if (decider == NULL ||
			    rule_action(r) > rule_action(decider))
				decider = r;
		}
	}
	d->order = decider != NULL ? decider->index : SIZE_MAX;

	if (decider != NULL)
		d->action = rule_action(decider);
	if (failed != NULL && d->action < ACTION_FLAG) {
		d->action = ACTION_FLAG;
		xasprintf(&d->reason, "rule error: %s could not run",
		    failed->name);
	} else
		d->reason = xstrdup(decider ? decider->reason : "");
	d->rules = names_csv(d, 0);
	d->shadow = names_csv(d, 1);
}

void
decision_free(struct decision *d)
{
	size_t	i;

	for (i = 0; i < d->nchecks; i++) {
		free(d->checks[i].key);
		free(d->checks[i].id);
		free(d->checks[i].sig);
	}
	free(d->checks);
	free(d->rules);
	free(d->shadow);
	free(d->reason);
	free(d->hits);
	memset(d, 0, sizeof *d);
}
