/*
 * A loaded ruleset: its options, how it is freed, and its rules' own
 * tests. Loading is in rules_load.c, matching in matcher.c.
 */

#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "condition.h"
#include "matcher.h"
#include "ratelimit.h"
#include "ruleset.h"

void
ruleset_options_default(struct rules_options *o)
{
	o->jit = 1;
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
	free(r->reason);
	pcre2_code_free(r->match);
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
	free(rs);
}

/*
 * Runs every rule's tests: examples. Each failure goes into d with the
 * example's file:line. Returns the number of failures; *total counts the
 * examples run.
 */
size_t
ruleset_check_examples(const struct ruleset *rs, struct matcher *m,
    struct diag *d, size_t *total)
{
	const struct rule	*r;
	const struct rule_example *ex;
	struct hit		 h;
	enum match_result	 res;
	char			 err[128];
	size_t			 i, j, failed = 0;

	*total = 0;
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		for (j = 0; j < r->nexamples; j++) {
			ex = &r->examples[j];
			(*total)++;
			res = matcher_text(m, r, ex->text, ex->len, &h);
			if (res == MATCH_ERROR) {
				matcher_error_message(h.error, err, sizeof err);
				diag_add(d, r->file, ex->line, 0, "rule %s: "
				    "example '%s' fails to run: %s", r->name,
				    ex->text, err);
			} else if ((res == MATCH_HIT) != ex->must_match)
				diag_add(d, r->file, ex->line, 0, "rule %s: "
				    "example '%s' should %smatch but does%s",
				    r->name, ex->text, ex->must_match ? "" :
				    "not ", ex->must_match ? " not" : "");
			else
				continue;
			failed++;
		}
	}
	return failed;
}
