/*
 * Matching one entry against one rule, no I/O: the prefilter's scan of
 * each view picks the candidates, PCRE2 alone decides a match and its
 * span.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs.h>
#include <pcre2.h>

#include "classify.h"
#include "clock.h"
#include "condition.h"
#include "matcher.h"
#include "normalize.h"
#include "wordlist.h"
#include "xmalloc.h"

#define JIT_STACK_START	(32u * 1024)

/*
 * Match state for one thread of matching. The match context carries the
 * limits that bound a pathological regex; the JIT stack is sized from the
 * config, since PCRE2's default of 32 KiB fails on long texts.
 */
struct matcher *
matcher_new(const struct rules_options *o)
{
	struct matcher	*m;
	PCRE2_SIZE	 off;
	int		 err;

	m = xcalloc(1, sizeof *m);
	m->md = pcre2_match_data_create(1, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	if (m->md == NULL || m->mctx == NULL)
		abort();
	m->norm = normalizer_new();
	m->word = pcre2_compile((PCRE2_SPTR)"\\w", 2, PCRE2_UTF | PCRE2_UCP |
	    PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	if (m->word == NULL)
		abort();
	prefilter_scan_init(&m->pf);
	textview_init(&m->example);
	pcre2_set_match_limit(m->mctx, o->match_limit);
	pcre2_set_depth_limit(m->mctx, o->depth_limit);
	if (o->jit) {
		m->stack = pcre2_jit_stack_create(JIT_STACK_START,
		    o->jit_stack_max > JIT_STACK_START ? o->jit_stack_max :
		    JIT_STACK_START, NULL);
		if (m->stack != NULL)
			pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
	}
	return m;
}

void
matcher_free(struct matcher *m)
{
	size_t	i;

	if (m == NULL)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	pcre2_jit_stack_free(m->stack);
	normalizer_free(m->norm);
	pcre2_code_free(m->word);
	hs_free_scratch(m->lscratch);
	prefilter_scan_free(&m->pf);
	for (i = 0; i < m->nslots; i++)
		textview_free(&m->slots[i].view);
	free(m->slots);
	textview_free(&m->example);
	free(m);
}

/*
 * A new comment, e, to decide with rs (NULL: no prefilter): the views
 * and the scans of the last one are stale.
 */
void
matcher_begin(struct matcher *m, const struct ruleset *rs,
    const struct entry *e)
{
	size_t	i;

	m->comment++;
	m->entry = e;
	m->rs = rs;
	normalizer_lexicon(m->norm, rs != NULL ? rs->lexicon : NULL);
	/* Only time-boxed rules need the time: no clock read otherwise. */
	if (rs != NULL && rs->timed > 0)
		m->now = m->at != 0 ? m->at : (int64_t)clock_realtime_ms();
	prefilter_begin(&m->pf, rs);
	/*
	 * Word-list scratch sized once a ruleset: hs_alloc_scratch checks
	 * the whole database, 1.3 ms a call for a 100,000-entry list.
	 */
	if (rs != NULL && (m->lists_for != rs || m->lists_born != rs->born)) {
		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i].list != NULL &&
			    hs_alloc_scratch(rs->rules[i].list->db,
			    &m->lscratch) != HS_SUCCESS)
				abort();	/* only out of memory */
		m->lists_for = rs;
		m->lists_born = rs->born;
	}
}

/*
 * Scans every view of comment e that prefiltered rules look at, and
 * gives the rules that could match it, in rule order (*n of them):
 * with the rules that are not prefiltered (rs->prefilter->always_rules),
 * all that a decision needs to try. NULL when there is no prefilter.
 */
const unsigned *
matcher_candidates(struct matcher *m, const struct entry *e, size_t *n)
{
	const struct prefilter	*pf;
	const struct ruleset_view *rv;
	const struct textview	*v;
	const struct field	*f;
	size_t			 i;

	*n = 0;
	if (m->rs == NULL || (pf = m->rs->prefilter) == NULL)
		return NULL;
	for (i = 0; i < pf->nviews; i++) {
		if (pf->views[i].nall == 0)
			continue;
		rv = &m->rs->views[i];
		if (rv->stages != 0) {
			if ((v = matcher_view(m, i, rv->field, rv->stages,
			    e)) != NULL)
				prefilter_scan_view(&m->pf, m->rs, i, v->p,
				    v->len, m->comment);
		} else if ((f = entry_get(e, rv->field)) != NULL)
			prefilter_scan_view(&m->pf, m->rs, i, f->value,
			    f->value_len, m->comment);
	}
	prefilter_candidates_sort(&m->pf);
	*n = m->pf.ncand;
	return m->pf.cand;
}

/*
 * The view of field under stages of comment e (the one matcher_begin
 * started), number i in the ruleset's views: built on first use, NULL if
 * e has no such field. Valid until the next matcher_begin.
 */
const struct textview *
matcher_view(struct matcher *m, size_t i, const char *field, unsigned stages,
    const struct entry *e)
{
	struct matcher_slot	*slot;
	const struct field	*f;
	size_t			 n;

	if (e != m->entry)
		matcher_begin(m, m->rs, e);
	if (i >= m->nslots) {
		n = i + 8;
		m->slots = xreallocarray(m->slots, n, sizeof *m->slots);
		memset(m->slots + m->nslots, 0, (n - m->nslots) *
		    sizeof *m->slots);
		m->nslots = n;
	}
	slot = &m->slots[i];
	if (slot->comment != m->comment) {
		slot->comment = m->comment;
		f = entry_get(e, field);
		slot->missing = f == NULL;
		if (f != NULL)
			normalize_view(m->norm, f->value, f->value_len, stages,
			    &slot->view);
	}
	return slot->missing ? NULL : &slot->view;
}

void
matcher_error_message(int code, char *buf, size_t len)
{
	switch (code) {
	case PCRE2_ERROR_MATCHLIMIT:
		snprintf(buf, len, "match limit exceeded");
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
		snprintf(buf, len, "depth limit exceeded");
		break;
	case PCRE2_ERROR_JIT_STACKLIMIT:
		snprintf(buf, len, "JIT stack limit exceeded");
		break;
	default:
		if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, len) < 0)
			snprintf(buf, len, "PCRE2 error %d", code);
	}
}

static enum match_result
run(struct matcher *m, const pcre2_code *re, const char *text, size_t len,
    struct hit *h)
{
	PCRE2_SIZE	*ov;
	int		 rc;

	rc = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, m->md, m->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return MATCH_NONE;
	if (rc < 0) {
		h->error = rc;
		return MATCH_ERROR;
	}
	ov = pcre2_get_ovector_pointer(m->md);
	h->start = ov[0];
	h->end = ov[1];
	return MATCH_HIT;
}

/* r's word list on text, its view. */
static enum match_result
run_list(struct matcher *m, const struct rule *r, const char *text,
    size_t len, struct hit *h)
{
	const struct ruleset	*rs = m->lists_for;
	int			 rc;

	/* A rule of another ruleset (an example being checked): size now. */
	if ((rs == NULL || m->rs != rs || r < rs->rules ||
	    r >= rs->rules + rs->nrules) &&
	    hs_alloc_scratch(r->list->db, &m->lscratch) != HS_SUCCESS)
		abort();	/* only out of memory */
	rc = wordlist_match(r->list, m->lscratch, text, len, m->word, m->md,
	    &h->start, &h->end);
	if (rc < 0) {
		h->error = PCRE2_ERROR_NOMEMORY;	/* fail safe: flag */
		return MATCH_ERROR;
	}
	return rc ? MATCH_HIT : MATCH_NONE;
}

/* Is text spared by one of r's except patterns? */
static enum match_result
excepted(struct matcher *m, const struct rule *r, const char *text, size_t len,
    struct hit *h)
{
	struct hit	 ignored;
	enum match_result res;
	size_t		 i;

	for (i = 0; i < r->nexcept; i++) {
		memset(&ignored, 0, sizeof ignored);
		res = run(m, r->except[i], text, len, &ignored);
		if (res == MATCH_ERROR)
			h->error = ignored.error;
		if (res != MATCH_NONE)
			return res;
	}
	return MATCH_NONE;
}

/* Does the prefilter let r run on text, r's view of the comment? */
static int
wanted(struct matcher *m, const struct rule *r, const char *text, size_t len)
{
	return m->rs == NULL || prefilter_wants(&m->pf, m->rs, r, text, len,
	    m->comment);
}

/*
 * Could r's pattern match comment e (the one matcher_begin started), as
 * far as the prefilter knows? 0 also when e lacks r's field.
 */
int
matcher_wants(struct matcher *m, const struct rule *r, const struct entry *e)
{
	const struct field	*f;
	const struct textview	*v;

	if (r->match == NULL)
		return 1;
	if (r->vstages != 0) {
		if ((v = matcher_view(m, r->view, r->field, r->vstages, e)) ==
		    NULL)
			return 0;
		return wanted(m, r, v->p, v->len);
	}
	if ((f = entry_get(e, r->field)) == NULL)
		return 0;
	return wanted(m, r, f->value, f->value_len);
}

/*
 * r's match or words and none of its except, on text; when text is a
 * view, h's span is mapped back to the original.
 */
static enum match_result
match_text(struct matcher *m, const struct rule *r, const char *text,
    size_t len, const struct textview *view, struct hit *h)
{
	enum match_result	res = MATCH_HIT;

	if (r->list != NULL && (res = run_list(m, r, text, len, h)) !=
	    MATCH_HIT)
		return res;
	if (r->match != NULL && (res = run(m, r->match, text, len, h)) !=
	    MATCH_HIT)
		return res;
	switch (excepted(m, r, text, len, h)) {
	case MATCH_HIT:
		return MATCH_NONE;
	case MATCH_ERROR:
		return MATCH_ERROR;
	default:
		break;
	}
	h->vstart = h->start;
	h->vend = h->end;
	h->path = m->rs != NULL && m->rs->prefilter != NULL ?
	    m->rs->prefilter->path[r->index] : PATH_ALWAYS;
	if (view != NULL)
		textview_span(view, h->vstart, h->vend, &h->start, &h->end);
	return MATCH_HIT;
}

/*
 * Does text match r's match or words, and none of its except, in r's view
 * of it? The when conditions are not looked at: this is what a rule's
 * tests: examples check. On a hit, h holds the matched span; on
 * MATCH_ERROR, the PCRE2 error code.
 */
enum match_result
matcher_text(struct matcher *m, const struct rule *r, const char *text,
    size_t len, struct hit *h)
{
	memset(h, 0, sizeof *h);
	h->rule = r;
	if (r->vstages == 0)
		return match_text(m, r, text, len, NULL, h);
	normalize_view(m->norm, text, len, r->vstages, &m->example);
	return match_text(m, r, m->example.p, m->example.len, &m->example, h);
}

/*
 * matcher_rule, timed into the rule's stats. Returns in *slow_ns the time
 * of this match if it was slow and slower than any reported before (so
 * that the caller logs it, a bounded number of times), else 0.
 */
enum match_result
matcher_rule_timed(struct matcher *m, const struct rule *r,
    const struct entry *e, struct hit *h, uint64_t *slow_ns)
{
	struct timespec		 t0, t1;
	enum match_result	 res;
	uint64_t		 ns;

	*slow_ns = 0;
	/*
	 * A rule the prefilter leaves out costs nothing and is not timed:
	 * with thousands of rules, two clock reads each would be most of the
	 * work. (One with conditions runs them first, as without a prefilter:
	 * a condition that cannot run must still be seen.)
	 */
	if (m->rs != NULL && m->rs->prefilter != NULL &&
	    m->rs->prefilter->path[r->index] != PATH_ALWAYS && r->nwhen == 0 &&
	    !matcher_wants(m, r, e)) {
		memset(h, 0, sizeof *h);
		h->rule = r;
		return MATCH_NONE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	res = matcher_rule(m, r, e, h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
	    (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	if (r->stats != NULL) {
		r->stats->runs++;
		r->stats->ns += ns;
		if (res == MATCH_ERROR)
			r->stats->errors++;
		if (res == MATCH_HIT)
			r->stats->matches++;
		if (ns > r->stats->max_ns)
			r->stats->max_ns = ns;
		if (ns >= RULES_SLOW_NS && ns >= 2 * r->stats->reported_ns) {
			r->stats->reported_ns = ns;
			*slow_ns = ns;
		}
	}
	return res;
}

/*
 * Does entry e meet all of r's conditions: its match or words on its
 * field (its view of it, under normalize), every when condition, and
 * none of its except? A missing field meets nothing. For a rate-limit
 * rule this says whether the comment counts, not whether it is over the
 * limit. e must be the comment matcher_begin started.
 */
enum match_result
matcher_rule(struct matcher *m, const struct rule *r, const struct entry *e,
    struct hit *h)
{
	const struct field	*f = entry_get(e, r->field);
	const struct textview	*v;
	size_t			 i;
	int			 met, err = 0;

	memset(h, 0, sizeof *h);
	h->rule = r;
	if (f == NULL && (r->match != NULL || r->list != NULL || r->classify))
		return MATCH_NONE;
	for (i = 0; i < r->nwhen; i++) {
		if ((met = condition_eval(&r->when[i], e, m->md, m->mctx,
		    &err)) < 0) {
			h->error = err;
			return MATCH_ERROR;
		}
		if (!met)
			return MATCH_NONE;
	}
	/* A when-only rule: its except has nothing to look at. */
	if (f == NULL)
		return MATCH_HIT;
	if (r->vstages == 0) {
		if (!wanted(m, r, f->value, f->value_len))
			return MATCH_NONE;
		return match_text(m, r, f->value, f->value_len, NULL, h);
	}
	v = matcher_view(m, r->view, r->field, r->vstages, e);
	if (r->classify)
		return classify_match(m, r, v, f->value_len, h);
	if (!wanted(m, r, v->p, v->len))
		return MATCH_NONE;
	return match_text(m, r, v->p, v->len, v, h);
}

/*
 * Runs every rule's tests: examples. Each failure goes into d with the
 * example's file:line. Returns the number of failures; *total counts the
 * examples run.
 */
size_t
matcher_examples(struct matcher *m, const struct ruleset *rs,
    struct diag *d, size_t *total)
{
	const struct rule	*r;
	const struct rule_example *ex;
	struct hit		 h;
	enum match_result	 res;
	char			 err[128];
	size_t			 i, j, failed = 0;

	*total = 0;
	normalizer_lexicon(m->norm, rs->lexicon);
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
	normalizer_lexicon(m->norm, NULL);	/* rs's, borrowed */
	return failed;
}
