/*
 * moderatord --explain: decide one comment read from stdin, with fields
 * from the command line, and show why. No Redis is needed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "address.h"
#include "bayes.h"
#include "classifier.h"
#include "classify.h"
#include "decision.h"
#include "entry.h"
#include "ladder.h"
#include "modes.h"
#include "prefilter.h"
#include "ratelimit.h"
#include "redis_sync.h"
#include "window_read.h"
#include "rules_load.h"
#include "xmalloc.h"

#define SPAN_SHOWN	80
#define CLUES_SHOWN	10
#define NEAR_SHOWN	10

static void	print_span(const char *, size_t);
static void	print_window(redisContext *, const struct config *,
		    const struct rule *, const struct rl_check *, long long);
static void	print_limits(const struct config *, const struct ruleset *,
		    struct matcher *, const struct entry *,
		    const struct decision *, int);

/* Prints a matched span quoted, with control and invalid bytes escaped. */
static void
print_span(const char *s, size_t len)
{
	size_t	i;

	putchar('"');
	for (i = 0; i < len && i < SPAN_SHOWN; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\' ||
		    s[i] == 0x7f)
			printf("\\x%02x", (unsigned char)s[i]);
		else
			putchar(s[i]);
	}
	printf(len > SPAN_SHOWN ? "\"..." : "\"");
}

/* ms as "2d3h", "5h10m", "3m20s" or "12s", into buf. */
static const char *
span(long long ms, char *buf, size_t size)
{
	long long	s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, size, "%lldd%lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%lldh%lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%lldm%llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%llds", s);
	return buf;
}

/*
 * What the window of check ck holds now, and whether this comment would
 * be over the limit; a near_text limit's near-identical comments by id.
 */
static void
print_window(redisContext *rc, const struct config *c, const struct rule *r,
    const struct rl_check *ck, long long now)
{
	const struct ladder_step *st;
	struct near_found	*found;
	long long		 n, last, left;
	char			 buf[32];
	size_t			 nfound, i;

	if (r->limit->ladder != NULL) {
		if ((n = window_strikes(rc, c, r, ck->key, now, &last)) < 0)
			return;
		printf("; %lld strike%s in %s now", n, n == 1 ? "" : "s",
		    r->limit->ladder->decay);
		if ((st = n > 0 ? ladder_step_at(r->limit->ladder,
		    (uint64_t)n, last, now) : NULL) == NULL)
			printf(", no step applies");
		else if (st->for_ms > 0) {
			left = last + (long long)st->for_ms - now;
			printf(", the step of %llu applies: %s for %s more",
			    (unsigned long long)st->strikes,
			    action_name(st->action), span(left, buf,
			    sizeof buf));
		}
		else
			printf(", the step of %llu applies: %s",
			    (unsigned long long)st->strikes,
			    action_name(st->action));
		return;
	}
	if (ck->sig == NULL)
		n = window_count(rc, c, r, ck->key, now);
	else
		n = window_near(rc, c, r, ck->key, ck->sig, ck->id, now, &found,
		    &nfound);
	if (n < 0)
		return;
	printf("; %lld in the window now, %s with this one", n,
	    (unsigned long long)n + 1 > r->limit->max ? "over the limit" :
	    "within it");
	if (ck->sig == NULL)
		return;
	for (i = 0; i < nfound && i < NEAR_SHOWN; i++)
		printf("%s%s (%.2f)", i ? ", " : "; near-identical: ",
		    found[i].id, found[i].similarity);
	if (nfound > NEAR_SHOWN)
		printf(", and %zu more", nfound - NEAR_SHOWN);
	near_found_free(found, nfound);
}

/*
 * Which rate-limit rules the comment would count toward (the decision's
 * checks: what the daemon would count, under the key it would use), and
 * with a Redis at hand, how many comments each window holds now (read,
 * not counted). For the others, why not.
 */
static void
print_limits(const struct config *c, const struct ruleset *rs,
    struct matcher *m, const struct entry *e, const struct decision *dec,
    int query)
{
	const struct rule	*r;
	const struct rl_check	*ck;
	redisContext		*rc = NULL;
	struct hit		 h;
	struct timeval		 now;
	char			*what;
	size_t			 i, j;

	if (query && (rc = redis_sync_connect(c, "moderatord")) == NULL)
		fprintf(stderr, "moderatord: window counts not shown\n");
	gettimeofday(&now, NULL);
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->limit == NULL)
			continue;
		if (r->limit->ladder != NULL)
			printf("escalate: %s (%zu steps, strikes decay in %s%s) "
			    "%s:%zu: ", r->name, r->limit->ladder->nsteps,
			    r->limit->ladder->decay, r->shadow ? ", shadow" : "",
			    r->file, r->line);
		else
			printf("rate limit: %s (%s%s, max %llu per %llums) "
			    "%s:%zu: ", r->name, action_name(r->action),
			    r->shadow ? ", shadow" : "",
			    (unsigned long long)r->limit->max,
			    (unsigned long long)r->limit->per_ms, r->file,
			    r->line);
		for (j = 0, ck = NULL; j < dec->nchecks && ck == NULL; j++)
			if (dec->checks[j].rule == r)
				ck = &dec->checks[j];
		what = ratelimit_describe(r->limit, e,
		    decision_folded_text(m, r, e));
		if (ck == NULL) {
			switch (matcher_rule(m, r, e, &h)) {
			case MATCH_ERROR:
				printf("its conditions could not run\n");
				break;
			case MATCH_NONE:
				printf("does not apply (conditions not met)\n");
				break;
			default:
				printf("does not apply (%s)\n", what);
			}
			free(what);
			continue;
		}
		printf("counts this comment under %s", what);
		free(what);
		if (rc != NULL)
			print_window(rc, c, r, ck, (long long)now.tv_sec * 1000 +
			    now.tv_usec / 1000);
		putchar('\n');
	}
	if (rc != NULL)
		redisFree(rc);
}

/*
 * The classifier's model, for rules that classify: read with --redis,
 * lent to m; the caller frees it.
 */
static struct bayes_model *
load_model(const struct config *c, const struct ruleset *rs,
    struct matcher *m, int query)
{
	struct bayes_model	*model;
	redisContext		*rc;

	if (rs->classifying == 0 || !query ||
	    (rc = redis_sync_connect(c, "moderatord")) == NULL)
		return NULL;
	if ((model = classifier_fetch(rc, c->verdict_prefix)) == NULL)
		fprintf(stderr, "moderatord: reading the classifier from Redis "
		    "failed: %s\n", rc->err ? rc->errstr : "a script error");
	redisFree(rc);
	m->model = model;
	m->min_learned = c->classifier_min_learned;
	return model;
}

/* The probability, what the model has learned, and the words that weighed. */
static void
print_classifier(const struct ruleset *rs, struct matcher *m,
    const struct entry *e, int query)
{
	const struct rule	*r = NULL;
	const struct textview	*v;
	struct bayes_token	*t;
	struct bayes_clue	 clues[CLUES_SHOWN];
	uint64_t		 spam, ham;
	size_t			 i, n, used;
	double			 p;

	for (i = 0; i < rs->nrules && r == NULL; i++)
		if (rs->rules[i].classify)
			r = &rs->rules[i];
	if (r == NULL)
		return;
	if (m->model == NULL) {
		printf("classifier: %s, so no classify rule matched\n", query ?
		    "not read from Redis" : "not consulted without --redis");
		return;
	}
	bayes_learned(m->model, &spam, &ham);
	if (entry_get(e, r->field) == NULL) {
		printf("classifier: the comment has no %s\n", r->field);
		return;
	}
	v = matcher_view(m, r->view, r->field, r->vstages, e);
	n = bayes_tokens(v->p, v->len, &t);
	p = bayes_score(m->model, t, n, clues, CLUES_SHOWN, &used);
	printf("classifier: spam probability %.4f from %zu of %zu words; "
	    "learned %llu spam and %llu ham comments (min_learned %llu%s)\n",
	    p, used, n, (unsigned long long)spam, (unsigned long long)ham,
	    (unsigned long long)m->min_learned, classify_ready(m) ? "" :
	    ": not classifying yet");
	for (i = 0; i < used && i < CLUES_SHOWN; i++) {
		printf("  ");
		print_span(v->p + clues[i].token->off, clues[i].token->len);
		printf(" %.3f (in %u spam, %u ham)\n", clues[i].prob,
		    clues[i].spam, clues[i].ham);
	}
	free(t);
}

int
explain_main(const struct config *c, int argc, char **argv, int query,
    int64_t at)
{
	struct ruleset		*rs;
	struct matcher		*m;
	struct bayes_model	*model;
	struct entry		 e;
	struct decision		 dec;
	struct bytes		*kv, sid = { "explain", 7 };
	const struct field	*f;
	const struct hit	*h;
	const struct textview	*v;
	char			*text, *eq;
	size_t			 len, cap, i, n = 0;
	int			 have_id = 0;

	if ((rs = check_load_rules(c, NULL)) == NULL)
		return 1;
	m = matcher_new(&c->rules);
	m->at = at;
	model = load_model(c, rs, m, query);

	/* Read one byte past the limit, so that too long is seen as such. */
	cap = c->limits.max_text + 2;
	text = xmalloc(cap);
	len = fread(text, 1, cap - 1, stdin);
	if (len > 0 && len <= c->limits.max_text && text[len - 1] == '\n')
		len--;	/* the newline that echo adds */

	kv = xcalloc(2 * ((size_t)argc + 2), sizeof *kv);
	for (i = 0; i < (size_t)argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i]) {
			fprintf(stderr, "moderatord: --explain takes field=value "
			    "arguments, not '%s'\n", argv[i]);
			free(kv);
			free(text);
			bayes_free(model);
			matcher_free(m);
			ruleset_free(rs);
			return 1;
		}
		kv[2 * n] = (struct bytes){ argv[i], (size_t)(eq - argv[i]) };
		kv[2 * n + 1] = (struct bytes){ eq + 1, strlen(eq + 1) };
		if (kv[2 * n].len == 2 && memcmp(argv[i], "id", 2) == 0)
			have_id = 1;
		n++;
	}
	kv[2 * n] = (struct bytes){ "text", 4 };
	kv[2 * n + 1] = (struct bytes){ text, len };
	n++;
	if (!have_id) {
		kv[2 * n] = (struct bytes){ "id", 2 };
		kv[2 * n + 1] = (struct bytes){ "explain", 7 };
		n++;
	}
	entry_init(&e, sid, kv, n, &c->limits);
	decision_make(m, rs, &e, c->rules.default_action, &dec);

	printf("decision: %s\n", action_name(dec.action));
	printf("reason: %s\n", dec.reason);
	printf("rules: %s\n", dec.rules);
	printf("shadow: %s\n", dec.shadow);
	for (i = 0; i < dec.nhits; i++) {
		h = &dec.hits[i];
		printf("match: %s (%s%s%s) %s:%zu ", h->rule->name,
		    action_name(h->rule->action), h->rule->shadow ? ", shadow" :
		    "", h->rule->final ? ", final" : "", h->rule->file,
		    h->rule->line);
		if (h->error) {
			printf("error: could not run on this text\n");
			continue;
		}
		if (h->rule->classify) {
			printf("the classifier says %s (below)\n",
			    h->rule->classify == CLASSIFY_SPAM ? "spam" : "ham");
			continue;
		}
		if ((h->rule->match == NULL && h->rule->list == NULL) ||
		    (f = entry_get(&e, h->rule->field)) == NULL) {
			printf("(its conditions hold)\n");
			continue;
		}
		printf("%s[%zu..%zu] ", h->rule->field, h->start, h->end);
		print_span(f->value + h->start, h->end - h->start);
		if (h->rule->stages != 0 && (v = matcher_view(m, h->rule->view,
		    h->rule->field, h->rule->vstages, &e)) != NULL) {
			printf(" normalised as ");
			print_span(v->p + h->vstart, h->vend - h->vstart);
		}
		/* Which path it took: the automaton's, literals', or none. */
		if (h->rule->list != NULL && h->rule->match == NULL)
			printf(" [word list]\n");
		else
			printf(" [%s]\n", h->path == PATH_ALWAYS ?
			    "runs on every comment" : h->path == PATH_LITERALS ?
			    "required literals" : h->path == PATH_EXACT ?
			    "automaton" : "automaton, as a Vectorscan prefilter");
	}
	if (dec.nhits == 0)
		printf("no rule matched\n");
	if (dec.final)
		printf("a final rule decided: no other rule was run\n");
	print_limits(c, rs, m, &e, &dec, query);
	print_classifier(rs, m, &e, query);
	decision_free(&dec);
	entry_free(&e);
	free(kv);
	free(text);
	bayes_free(model);
	matcher_free(m);
	ruleset_free(rs);
	return 0;
}
