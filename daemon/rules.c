/* Matching one entry against one rule: PCRE2 only, no I/O. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "rules.h"
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

	m = xcalloc(1, sizeof *m);
	m->md = pcre2_match_data_create(1, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	if (m->md == NULL || m->mctx == NULL)
		abort();
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
	if (m == NULL)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	pcre2_jit_stack_free(m->stack);
	free(m);
}

void
rules_error_message(int code, char *buf, size_t len)
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

/*
 * Does text match r (its match or words, and none of its except)? On a
 * hit, h holds the matched span; on MATCH_ERROR, the PCRE2 error code.
 */
enum match_result
rules_match_text(struct matcher *m, const struct rule *r, const char *text,
    size_t len, struct hit *h)
{
	PCRE2_SIZE	*ov;
	int		 rc;
	size_t		 i;

	memset(h, 0, sizeof *h);
	h->rule = r;
	rc = pcre2_match(r->match, (PCRE2_SPTR)text, len, 0, 0, m->md, m->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return MATCH_NONE;
	if (rc < 0) {
		h->error = rc;
		return MATCH_ERROR;
	}
	ov = pcre2_get_ovector_pointer(m->md);
	h->start = ov[0];
	h->end = ov[1];
	for (i = 0; i < r->nexcept; i++) {
		rc = pcre2_match(r->except[i], (PCRE2_SPTR)text, len, 0, 0,
		    m->md, m->mctx);
		if (rc >= 0)
			return MATCH_NONE;
		if (rc != PCRE2_ERROR_NOMATCH) {
			h->error = rc;
			return MATCH_ERROR;
		}
	}
	return MATCH_HIT;
}

/* Matches the entry's field named by the rule; a missing field never matches. */
enum match_result
rules_match(struct matcher *m, const struct rule *r, const struct entry *e,
    struct hit *h)
{
	const struct field	*f;

	if ((f = entry_get(e, r->field)) == NULL) {
		memset(h, 0, sizeof *h);
		h->rule = r;
		return MATCH_NONE;
	}
	return rules_match_text(m, r, f->value, f->value_len, h);
}
