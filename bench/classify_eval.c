/*
 * The site's classifier on a labelled corpus, no Redis: the JSON lines
 * of scripts/sa_corpus.py ({"class": "spam"|"ham", "text"}), every
 * other line learned (as moderatorctl learn does, and again as verdicts
 * do: train on error) and the rest scored, as a classify rule would.
 *
 *     build/rel/classify_eval CORPUS.jsonl
 *	precision and recall of spam at 0.95 and 0.99 (the share of ham
 *	said spam beside), for both ways of learning, and the cost of
 *	scoring a comment (normalise, tokenise, score): microseconds, the
 *	median of 7 runs.
 *     build/rel/classify_eval CORPUS.jsonl --check P RECALL FP
 *	exits 1 unless, learning all, spam at P has at least RECALL recall
 *	and at most FP of ham is said spam (the test's floor and ceiling).
 *
 * The model is the daemon's own (bayes.h): the same words, counts and
 * combining as in Redis, counted here in memory.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bayes.h"
#include "bench_time.h"
#include "bayes_proto.h"
#include "jsonl.h"
#include "normalize.h"
#include "xmalloc.h"

#define RUNS	7

struct comment {
	char	*text;
	size_t	 len;
	int	 spam;
};

struct corpus {
	struct comment	*c;
	size_t		 n;
};

static void
load(const char *path, struct corpus *cp)
{
	FILE			*f;
	struct jsonl		 j;
	const struct bytes	*cls, *text;
	char			*line = NULL, *err;
	size_t			 cap = 0, alloc = 0;
	ssize_t			 len;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	jsonl_init(&j);
	memset(cp, 0, sizeof *cp);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (jsonl_parse(&j, line, (size_t)len, &err) != 0) {
			fprintf(stderr, "%s: line %zu: %s\n", path, cp->n + 1,
			    err);
			exit(2);
		}
		cls = bytes_field(j.kv, j.n, "class");
		text = bytes_field(j.kv, j.n, "text");
		if (cls == NULL || text == NULL) {
			fprintf(stderr, "%s: line %zu: no class or text\n",
			    path, cp->n + 1);
			exit(2);
		}
		if (cp->n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			cp->c = xreallocarray(cp->c, alloc, sizeof *cp->c);
		}
		cp->c[cp->n].text = xstrndup(text->p, text->len);
		cp->c[cp->n].len = text->len;
		cp->c[cp->n++].spam = cls->len == 4 &&
		    memcmp(cls->p, "spam", 4) == 0;
	}
	free(line);
	jsonl_free(&j);
	fclose(f);
}

static double
score(struct normalizer *nz, const struct bayes_model *m,
    const struct comment *c)
{
	struct bayes_token	*t;
	size_t			 n, used;
	double			 p;

	n = bayes_text_tokens(nz, c->text, c->len, &t);
	p = bayes_score(m, t, n, NULL, 0, &used);
	free(t);
	return p;
}

/*
 * The even comments learned into a new model: all of them, or (on_error)
 * only those the model does not already give their class BAYES_SURE
 * once it has min_learned of each, as the daemon learns from verdicts.
 */
static struct bayes_model *
learn(struct normalizer *nz, const struct corpus *cp, int on_error,
    uint64_t min_learned, size_t *learned)
{
	struct bayes_model	*m = bayes_new();
	struct bayes_token	*t;
	const struct comment	*c;
	uint64_t		 spam, ham;
	size_t			 i, k, n, used;
	double			 p;

	*learned = 0;
	for (i = 0; i < cp->n; i += 2) {
		c = &cp->c[i];
		n = bayes_text_tokens(nz, c->text, c->len, &t);
		bayes_learned(m, &spam, &ham);
		if (on_error && spam >= min_learned && ham >= min_learned) {
			p = bayes_score(m, t, n, NULL, 0, &used);
			if ((c->spam ? p : 1 - p) >= BAYES_SURE) {
				free(t);
				continue;
			}
		}
		for (k = 0; k < n; k++)
			bayes_add(m, t[k].hash, c->spam, !c->spam);
		bayes_learned_add(m, c->spam, !c->spam);
		(*learned)++;
		free(t);
	}
	return m;
}

struct result {
	size_t	tp, fp, spam, ham;
};

static void
judge(struct normalizer *nz, const struct bayes_model *m,
    const struct corpus *cp, double at, struct result *r)
{
	size_t	i;
	double	p;

	memset(r, 0, sizeof *r);
	for (i = 1; i < cp->n; i += 2) {
		p = score(nz, m, &cp->c[i]);
		if (cp->c[i].spam)
			r->spam++, r->tp += p >= at;
		else
			r->ham++, r->fp += p >= at;
	}
}

static void
report(const char *how, struct normalizer *nz, const struct bayes_model *m,
    const struct corpus *cp, size_t learned)
{
	static const double	 at[] = { 0.95, 0.99 };
	struct result		 r;
	uint64_t		 spam, ham;
	size_t			 k;

	bayes_learned(m, &spam, &ham);
	printf("%s: learned %llu spam and %llu ham of %zu (%zu words "
	    "known)\n", how, (unsigned long long)spam,
	    (unsigned long long)ham, (cp->n + 1) / 2, bayes_words(m));
	(void)learned;
	for (k = 0; k < 2; k++) {
		judge(nz, m, cp, at[k], &r);
		printf("  at %.2f: precision %.4f (%zu of %zu said spam), recall "
		    "%.4f (%zu of %zu spam), ham said spam %.4f\n", at[k],
		    r.tp + r.fp ? (double)r.tp / (double)(r.tp + r.fp) : 1.0,
		    r.tp, r.tp + r.fp, r.spam ? (double)r.tp /
		    (double)r.spam : 0.0, r.tp, r.spam, r.ham ?
		    (double)r.fp / (double)r.ham : 0.0);
	}
}

static void
cost(struct normalizer *nz, const struct bayes_model *m,
    const struct corpus *cp)
{
	double	t[RUNS], t0, sink = 0;
	size_t	i, run, n = 0;

	for (run = 0; run < RUNS; run++) {
		n = 0;
		t0 = now_us();
		for (i = 1; i < cp->n; i += 2, n++)
			sink += score(nz, m, &cp->c[i]);
		t[run] = (now_us() - t0) / (double)n;
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	printf("scoring: %.1f us per comment (median of %d; min %.1f, max "
	    "%.1f), %zu comments (checksum %.3f)\n", t[RUNS / 2], RUNS, t[0],
	    t[RUNS - 1], n, sink / RUNS);
}

int
main(int argc, char **argv)
{
	struct corpus		 cp;
	struct normalizer	*nz;
	struct bayes_model	*m;
	struct result		 r;
	size_t			 i, learned;
	double			 at, floor, ceiling;
	int			 rc = 0;

	if (argc != 2 && !(argc == 6 && strcmp(argv[2], "--check") == 0)) {
		fprintf(stderr, "usage: classify_eval CORPUS.jsonl [--check P "
		    "RECALL FP]\n");
		return 2;
	}
	load(argv[1], &cp);
	nz = normalizer_new();
	m = learn(nz, &cp, 0, 0, &learned);
	if (argc == 6) {
		at = atof(argv[3]);
		floor = atof(argv[4]);
		ceiling = atof(argv[5]);
		judge(nz, m, &cp, at, &r);
		printf("at %.2f: recall %.4f (floor %.4f), ham said spam %.4f "
		    "(ceiling %.4f)\n", at, (double)r.tp / (double)r.spam,
		    floor, (double)r.fp / (double)r.ham, ceiling);
		rc = (double)r.tp < floor * (double)r.spam ||
		    (double)r.fp > ceiling * (double)r.ham;
	} else {
		report("learning all", nz, m, &cp, learned);
		cost(nz, m, &cp);
		bayes_free(m);
		m = learn(nz, &cp, 1, 200, &learned);
		report("train on error (as from verdicts, min_learned 200)",
		    nz, m, &cp, learned);
	}
	bayes_free(m);
	normalizer_free(nz);
	for (i = 0; i < cp.n; i++)
		free(cp.c[i].text);
	free(cp.c);
	return rc;
}
