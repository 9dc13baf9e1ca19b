/*
 * classify rules: the site's classifier as a rule. The model is the
 * daemon's copy (refreshed from Redis with the heartbeat), read here and
 * never written: a comment's score costs no Redis call.
 */

#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "bayes_proto.h"
#include "classify.h"
#include "diag.h"
#include "ruleset.h"
#include "yfile.h"

int
classify_load(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct rule *r)
{
	yaml_node_t	*v, *p;
	const char	*s;

	r->min_probability = RULES_DEFAULT_MIN_PROBABILITY;
	v = yfile_find(yf, n, "classify");
	p = yfile_find(yf, n, "min_probability");
	if (v == NULL) {
		if (p != NULL) {
			yfile_error(d, yf, p, "min_probability needs classify");
			return -1;
		}
		return 0;
	}
	if (yfile_want_scalar(d, yf, v, "classify") != 0)
		return -1;
	s = yfile_scalar(v);
	if (strcmp(s, "spam") == 0)
		r->classify = CLASSIFY_SPAM;
	else if (strcmp(s, "ham") == 0)
		r->classify = CLASSIFY_HAM;
	else {
		yfile_error(d, yf, v, "classify must be spam or ham, not '%s'",
		    s);
		return -1;
	}
	if (p != NULL && yfile_fraction(d, yf, p, "min_probability",
	    &r->min_probability) != 0)
		return -1;
	return 0;
}

int
classify_ready(const struct matcher *m)
{
	uint64_t	spam, ham;

	if (m->model == NULL)
		return 0;
	bayes_learned(m->model, &spam, &ham);
	return spam >= m->min_learned && ham >= m->min_learned;
}

double
classify_score(struct matcher *m, const struct rule *r,
    const struct textview *v)
{
	struct bayes_token	*t;
	size_t			 n, used;

	if (m->scored != m->comment || m->scored_view != r->view) {
		n = bayes_tokens(v->p, v->len, &t);
		m->score = bayes_score(m->model, t, n, NULL, 0, &used);
		free(t);
		m->scored = m->comment;
		m->scored_view = r->view;
	}
	return m->score;
}

size_t
classify_verdict(struct matcher *m, const char *text, size_t len, int spam,
    char **words, int *sure)
{
	struct bayes_token	*t;
	size_t			 n, wl, used;
	double			 p;

	n = bayes_text_tokens(m->norm, text, len, &t);
	*sure = 0;
	if (classify_ready(m)) {
		p = bayes_score(m->model, t, n, NULL, 0, &used);
		*sure = (spam ? p : 1 - p) >= BAYES_SURE;
	}
	wl = bayes_token_words(t, n, words);
	free(t);
	return wl;
}

/* The whole field is the span: the words, not a part, decided. */
enum match_result
classify_match(struct matcher *m, const struct rule *r,
    const struct textview *v, size_t flen, struct hit *h)
{
	double	p;

	if (!classify_ready(m))
		return MATCH_NONE;
	p = classify_score(m, r, v);
	if ((r->classify == CLASSIFY_SPAM ? p : 1 - p) < r->min_probability)
		return MATCH_NONE;
	h->start = 0;
	h->end = flen;
	h->vstart = 0;
	h->vend = v->len;
	return MATCH_HIT;
}
