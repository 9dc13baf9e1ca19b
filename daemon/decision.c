/*
 * Matches -> decision. Final rules are tried first, in rule order: the
 * first that matches decides alone. Otherwise every rule runs and the most
 * severe action among the live rules that matched wins (reject > flag >
 * approve); the first rule with that action gives the reason. Shadow rules
 * are reported apart and never change the outcome. A rule that cannot run
 * (a match limit) makes the comment at least flagged: fail safe.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "xmalloc.h"

static void	add_hit(struct decision *, const struct hit *, size_t *);
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

static char *
names_csv(const struct decision *d, int shadow)
{
	size_t	 i, len = 0;
	char	*s;

	for (i = 0; i < d->nhits; i++)
		if (d->hits[i].rule->shadow == shadow)
			len += strlen(d->hits[i].rule->name) + 1;
	s = xmalloc(len + 1);
	len = 0;
	for (i = 0; i < d->nhits; i++) {
		if (d->hits[i].rule->shadow != shadow)
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
 * Decides entry e. The caller frees d with decision_free; its hits borrow
 * rules from rs.
 */
void
decide(struct matcher *m, const struct ruleset *rs, const struct entry *e,
    enum action default_action, struct decision *d)
{
	const struct rule	*r, *decider = NULL, *failed = NULL;
	struct hit		 h;
	enum match_result	 res;
	size_t			 i, cap = 0;
	int			 pass;

	memset(d, 0, sizeof *d);
	d->action = default_action;
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

	for (pass = 0; pass < 2 && decider == NULL; pass++) {
		for (i = 0; i < rs->nrules; i++) {
			r = &rs->rules[i];
			/* Pass 0: live final rules; pass 1: all the others. */
			if ((pass == 0) != (r->final && !r->shadow))
				continue;
			res = rules_match(m, r, e, &h);
			if (res == MATCH_NONE)
				continue;
			if (res == MATCH_ERROR) {
				d->errors++;
				if (failed == NULL)
					failed = r;
			}
			add_hit(d, &h, &cap);
			if (r->shadow || res == MATCH_ERROR)
				continue;
			if (pass == 0) {
				decider = r;
				break;
			}
			if (decider == NULL || r->action > decider->action)
				decider = r;
		}
	}
	if (decider != NULL)
		d->action = decider->action;
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
	free(d->rules);
	free(d->shadow);
	free(d->reason);
	free(d->hits);
	memset(d, 0, sizeof *d);
}
