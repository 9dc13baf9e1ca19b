/*
 * A loaded ruleset: its options and how it is freed. Loading is in
 * rules_load.c, matching (and running the rules' own tests) in matcher.c.
 */

#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "condition.h"
#include "lexicon.h"
#include "prefilter.h"
#include "ratelimit.h"
#include "ruleset.h"
#include "wordlist.h"
#include "xmalloc.h"

void
ruleset_options_default(struct rules_options *o)
{
	o->default_action = ACTION_APPROVE;
	o->jit = 1;
	o->prefilter = 1;
	o->automaton = 1;
	o->cache_dir = NULL;
	o->compile_budget_ms = RULES_DEFAULT_COMPILE_BUDGET_MS;
	o->cancel = NULL;
	o->match_limit = RULES_DEFAULT_MATCH_LIMIT;
	o->depth_limit = RULES_DEFAULT_DEPTH_LIMIT;
	o->jit_stack_max = RULES_DEFAULT_JIT_STACK;
}

/* Frees what rule r owns; r itself belongs to its ruleset or caller. */
void
ruleset_rule_clear(struct rule *r)
{
	size_t	i;

	free(r->name);
	free(r->field);
	free(r->pattern);
	free(r->reason);
	pcre2_code_free(r->match);
	wordlist_free(r->list);
	for (i = 0; i < r->nexcept; i++)
		pcre2_code_free(r->except[i]);
	free(r->except);
	condition_free_all(r->when, r->nwhen);
	free(r->stats);
	if (r->limit != NULL)
		ratelimit_clear(r->limit);
	free(r->limit);
	for (i = 0; i < r->nexamples; i++)
		free(r->examples[i].text);
	free(r->examples);
	memset(r, 0, sizeof *r);
}

void
ruleset_free(struct ruleset *rs)
{
	size_t	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrules; i++)
		ruleset_rule_clear(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->file_rules);
	for (i = 0; i < rs->nviews; i++)
		free(rs->views[i].field);
	free(rs->views);
	prefilter_free(rs->prefilter);
	lexicon_free(rs->lexicon);
	free(rs);
}

/* The index of the view of field under stages, added if new. */
size_t
ruleset_view(struct ruleset *rs, const char *field, unsigned stages)
{
	size_t	i;

	for (i = 0; i < rs->nviews; i++)
		if (rs->views[i].stages == stages &&
		    strcmp(rs->views[i].field, field) == 0)
			return i;
	rs->views = xreallocarray(rs->views, rs->nviews + 1,
	    sizeof *rs->views);
	rs->views[rs->nviews].field = xstrdup(field);
	rs->views[rs->nviews].stages = stages;
	return rs->nviews++;
}

/*
 * The first moment after now at which a rule of rs comes into force or
 * goes out of it, or INT64_MAX if none will.
 */
int64_t
ruleset_next_change(const struct ruleset *rs, int64_t now)
{
	const struct rule	*r;
	int64_t			 next = INT64_MAX;
	size_t			 i;

	for (i = 0; rs->timed > 0 && i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->valid_from > now && r->valid_from < next)
			next = r->valid_from;
		if (r->valid_until > now && r->valid_until < next)
			next = r->valid_until;
	}
	return next;
}
