/*
 * A batch of entries and their decisions. Deciding is pure: the rules,
 * the matcher and the default action in, each item's own decision out;
 * writing and logging belong to the caller.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "clock.h"
#include "decision.h"
#include "ladder.h"
#include "ratelimit.h"
#include "xmalloc.h"

static size_t	limit_of(struct batch *, const struct rule *);
static void	item_decided(struct batch *, struct batch_item *,
		    struct decision *);

struct batch *
batch_new(size_t n)
{
	struct batch	*b;

	b = xcalloc(1, sizeof *b);
	b->items = xcalloc(n, sizeof *b->items);
	b->read_us = clock_monotonic_us();
	return b;
}

void
batch_free(struct batch *b)
{
	struct batch_item	*it;
	size_t			 i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		entry_free(&it->entry);
		free(it->rules);
		free(it->shadow);
		free(it->reason);
		free(it->acts);
		for (j = 0; j < it->nchecks; j++) {
			free(it->checks[j].key);
			free(it->checks[j].id);
			free(it->checks[j].sig);
		}
		free(it->checks);
		free(it->slow_rule);
	}
	for (i = 0; i < b->nlimits; i++) {
		free(b->limits[i].name);
		free(b->limits[i].reason);
		free(b->limits[i].ladder);
	}
	free(b->limits);
	free(b->items);
	free(b);
}

/* The batch's copy of rate-limit rule r: its index in b->limits. */
static size_t
limit_of(struct batch *b, const struct rule *r)
{
	struct batch_limit	*l;
	size_t			 i;

	for (i = 0; i < b->nlimits; i++)
		if (b->limits[i].order == r->index)
			return i;
	b->limits = xreallocarray(b->limits, b->nlimits + 1,
	    sizeof *b->limits);
	l = &b->limits[b->nlimits];
	l->name = xstrdup(r->name);
	l->reason = xstrdup(r->reason);
	l->action = rule_action(r);
	l->shadow = rule_shadowed(r);
	l->max = r->limit->max;
	l->per_ms = r->limit->per_ms;
	l->distinct = r->limit->distinct != NULL;
	l->near = r->limit->near ? ratelimit_near_need(r->limit) : 0;
	l->ladder = r->limit->ladder != NULL ? ladder_spec(r->limit->ladder,
	    r->index) : NULL;
	l->short_windows = ratelimit_short(r->limit);
	l->order = r->index;
	return b->nlimits++;
}

/*
 * The letters of the actions the rules of d's names were written with,
 * live rules then shadow ones: what a verdict is judged against.
 */
static char *
acts_of(const struct decision *d)
{
	char	*s = xmalloc(d->nhits + 1);
	size_t	 i, n = 0;
	int	 shadow;

	for (shadow = 0; shadow < 2; shadow++)
		for (i = 0; i < d->nhits; i++)
			if (rule_shadowed(d->hits[i].rule) == shadow)
				s[n++] = action_name(d->hits[i].rule->action)[0];
	s[n] = '\0';
	return s;
}

/* Moves what d decided into it; d is left empty, to be freed. */
static void
item_decided(struct batch *b, struct batch_item *it, struct decision *d)
{
	size_t	i;

	it->acts = acts_of(d);
	it->action = d->action;
	it->rules = d->rules;
	it->shadow = d->shadow;
	it->reason = d->reason;
	d->rules = d->shadow = d->reason = NULL;
	it->order = d->order;
	it->final = d->final;
	it->errors = d->errors;
	if (d->nchecks > 0) {
		it->checks = xcalloc(d->nchecks, sizeof *it->checks);
		for (i = 0; i < d->nchecks; i++) {
			it->checks[i].limit = limit_of(b, d->checks[i].rule);
			it->checks[i].key = d->checks[i].key;
			it->checks[i].id = d->checks[i].id;
			it->checks[i].sig = d->checks[i].sig;
			d->checks[i].key = d->checks[i].id = NULL;
			d->checks[i].sig = NULL;
		}
		it->nchecks = d->nchecks;
	}
	if (d->slow_rule != NULL) {
		it->slow_rule = xstrdup(d->slow_rule->name);
		it->slow_ns = d->slow_ns;
	}
}

/*
 * Decides every item of b with rules rs. An item delivered too often
 * (poison) is not matched at all, for it may be what crashed a daemon:
 * it is flagged here and the decide script dead-letters it. Nothing of
 * rs is kept in b.
 */
void
batch_decide(struct matcher *m, const struct ruleset *rs,
    enum action default_action, struct batch *b)
{
	struct batch_item	*it;
	struct decision		 d;
	size_t			 i;

	snprintf(b->ruleset, sizeof b->ruleset, "%s", rs->hash);
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		if (it->poison) {
			it->action = ACTION_FLAG;
			it->order = SIZE_MAX;
			it->rules = xstrdup("");
			it->shadow = xstrdup("");
			it->reason = xstrdup("delivered too often");
			it->acts = xstrdup("");
			continue;
		}
		decision_make(m, rs, &it->entry, default_action, &d);
		item_decided(b, it, &d);
		decision_free(&d);
	}
}
