/*
 * In-process micro-benchmarks of the engine, no Redis.
 *
 *     build/bench/engine_bench normalize
 *	the cost of each normalize stage, and of all together, on texts of
 *	100 B, 1 KiB and 10 KiB in English, Russian and Greek: the median of
 *	7 runs, in microseconds per text and per KiB.
 *     build/bench/engine_bench decide RULES_DIR CORPUS.tsv
 *	deciding the comments of CORPUS.tsv (bench/corpus.py --tsv N) with
 *	the rules of RULES_DIR, as the daemon does (batch_decide, batches of
 *	256): microseconds per comment, the median of 5 runs, and the rules
 *	that took the most time, and how many rules each path holds.
 *	PREFILTER=0 in the environment turns the prefilter off,
 *	PREFILTER=literals the automaton (literals only), for a comparison
 *	in the same conditions.
 *     build/bench/engine_bench floor RULES_DIR CORPUS.tsv
 *	the floor of the same rules: their patterns as the automaton
 *	rewrites them (exact, or as a Vectorscan prefilter), compiled into
 *	one database, scanned over each comment's text field and nothing
 *	else: microseconds per comment (median of 5), patterns reported.
 *     build/bench/engine_bench near CORPUS.tsv
 *	near-duplicate signatures (key: near_text): for comments of 20 words
 *	or more, copies with 1, 3, 5 and 10 words replaced by words of other
 *	comments, and 100,000 pairs of unrelated comments: the share whose
 *	estimated similarity reaches 0.7, the share that would be found by
 *	a shared band, and the microseconds a signature takes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs.h>

#include "batch.h"
#include "bench_time.h"
#include "hs_compile.h"
#include "hs_rewrite.h"
#include "prefilter.h"
#include "matcher.h"
#include "neardup.h"
#include "normalize.h"
#include "ratelimit.h"
#include "rules_load.h"

#define RUNS	7

static const char english[] =
    "I think the council got this one right, for once. My street already "
    "has a bus lane and it works fine; the shops on the high street were "
    "worried in 2019 but footfall rose by 12% the year after. Has anyone "
    "read the consultation document? Page 12 is telling: they expect 3.5 "
    "fewer cars per hundred households by 2030. ";
static const char russian[] =
    "Согласен с автором, хорошая статья. Мы живём в центре уже двадцать "
    "лет, и машин стало гораздо больше; дети не могут спокойно ходить в "
    "школу. Надеюсь, что городской совет доведёт дело до конца и не "
    "отступит после первых жалоб. ";
static const char greek[] =
    "Συμφωνώ με το άρθρο, επιτέλους κάτι γίνεται στο κέντρο της πόλης. "
    "Τα παιδιά μας θα μπορούν να πηγαίνουν με ασφάλεια στο σχολείο και "
    "οι μαγαζάτορες θα δουν περισσότερους πεζούς. ";

/* A text of about len bytes from sample, cut at a character boundary. */
static char *
make_text(const char *sample, size_t len, size_t *outlen)
{
	char	*t = malloc(len + 1);
	size_t	 n = 0, sl = strlen(sample);

	while (n < len) {
		size_t k = len - n < sl ? len - n : sl;
		memcpy(t + n, sample, k);
		n += k;
	}
	while (n > 0 && ((unsigned char)t[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && (unsigned char)t[n - 1] >= 0xc0)
		n--;
	t[n] = '\0';
	*outlen = n;
	return t;
}

static double
time_view(struct normalizer *nz, struct textview *v, const char *t,
    size_t len, unsigned stages)
{
	double	runs[RUNS], t0;
	size_t	iters = 200000 / (len / 64 + 1) + 10, i;
	int	r;

	normalize_view(nz, t, len, stages, v);	/* warm the cache */
	for (r = 0; r < RUNS; r++) {
		t0 = now_us();
		for (i = 0; i < iters; i++)
			normalize_view(nz, t, len, stages, v);
		runs[r] = (now_us() - t0) / (double)iters;
	}
	qsort(runs, RUNS, sizeof runs[0], cmp_double);
	return runs[RUNS / 2];
}

static int
bench_normalize(void)
{
	static const struct { const char *name; const char *sample; } langs[] = {
		{ "English", english }, { "Russian", russian },
		{ "Greek", greek },
	};
	static const size_t sizes[] = { 100, 1024, 10240 };
	struct normalizer	*nz = normalizer_new();
	struct textview		 v;
	unsigned		 bit;
	size_t			 l, s, len;
	char			*t, label[32];
	double			 us;

	textview_init(&v);
	printf("%-12s %-8s %8s %10s %10s\n", "stages", "text", "bytes",
	    "us/text", "us/KiB");
	for (l = 0; l < 3; l++) {
		for (s = 0; s < 3; s++) {
			t = make_text(langs[l].sample, sizes[s], &len);
			for (bit = 1; bit <= NORM_ALNUM; bit <<= 1) {
				if (bit == NORM_ALNUM)
					snprintf(label, sizeof label, "key-fold");
				else
					snprintf(label, sizeof label, "%s",
					    normalize_stage_name(bit));
				us = time_view(nz, &v, t, len, bit == NORM_ALNUM ?
				    RATELIMIT_TEXT_STAGES : bit);
				printf("%-12s %-8s %8zu %10.2f %10.2f\n", label,
				    langs[l].name, len, us, us * 1024 / (double)len);
			}
			us = time_view(nz, &v, t, len, NORM_ALL);
			printf("%-12s %-8s %8zu %10.2f %10.2f\n", "all",
			    langs[l].name, len, us, us * 1024 / (double)len);
			free(t);
		}
	}
	textview_free(&v);
	normalizer_free(nz);
	return 0;
}

/* The comments of a corpus file, as entries of batches of 256. */
static struct batch **
read_corpus(const char *path, size_t *nbatches, size_t *ncomments)
{
	struct entry_limits	 lim;
	struct batch		**b = NULL, *cur = NULL;
	struct bytes		 kv[10];
	char			*line = NULL, *f[5], *p;
	size_t			 cap = 0, nb = 0, n = 0, i;
	ssize_t			 len;
	FILE			*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	entry_limits_default(&lim);
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		for (i = 0, p = line; i < 5 && p != NULL; i++)
			f[i] = strsep(&p, "\t");
		if (i < 5 || f[4] == NULL)
			continue;
		if (cur == NULL || cur->n == 256) {
			b = realloc(b, (nb + 1) * sizeof *b);
			cur = b[nb++] = batch_new(256);
		}
		kv[0] = (struct bytes){ "id", 2 };
		kv[1] = (struct bytes){ f[0], strlen(f[0]) };
		kv[2] = (struct bytes){ "author", 6 };
		kv[3] = (struct bytes){ f[1], strlen(f[1]) };
		kv[4] = (struct bytes){ "author_age_days", 15 };
		kv[5] = (struct bytes){ f[2], strlen(f[2]) };
		kv[6] = (struct bytes){ "thread", 6 };
		kv[7] = (struct bytes){ f[3], strlen(f[3]) };
		kv[8] = (struct bytes){ "text", 4 };
		kv[9] = (struct bytes){ f[4], strlen(f[4]) };
		entry_init(&cur->items[cur->n++].entry, (struct bytes){ "1-0",
		    3 }, kv, 5, &lim);
		n++;
	}
	free(line);
	fclose(fp);
	*nbatches = nb;
	*ncomments = n;
	return b;
}

static int
cmp_time(const void *a, const void *b)
{
	const struct rule	*x = *(const struct rule *const *)a;
	const struct rule	*y = *(const struct rule *const *)b;

	return x->stats->ns < y->stats->ns ? 1 : x->stats->ns > y->stats->ns ?
	    -1 : 0;
}

static int
bench_decide(const char *dir, const char *corpus)
{
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*rs;
	struct matcher		*m;
	struct batch		**b;
	const struct rule	**byt;
	size_t			 nb, n, i, r, prefiltered = 0;
	unsigned long long	 runs = 0;
	double			 times[5], t0, total = 0;

	ruleset_options_default(&o);
	/* PREFILTER=0 in the environment: every rule runs, for comparison. */
	if (getenv("PREFILTER") != NULL && strcmp(getenv("PREFILTER"), "0") == 0)
		o.prefilter = 0;
	if (getenv("PREFILTER") != NULL && strcmp(getenv("PREFILTER"),
	    "literals") == 0)
		o.automaton = 0;
	o.cache_dir = getenv("CACHE_DIR");
	diag_init(&d);
	t0 = now_us();
	if ((rs = rules_load_dir(dir, &o, &d)) == NULL) {
		diag_print(&d, stderr, "");
		return 1;
	}
	printf("%zu rules loaded in %.1f ms\n", rs->nrules,
	    (now_us() - t0) / 1e3);
	m = matcher_new(&o);
	for (r = 0; r < 5; r++) {
		b = read_corpus(corpus, &nb, &n);
		t0 = now_us();
		for (i = 0; i < nb; i++)
			batch_decide(m, rs, ACTION_APPROVE, b[i]);
		times[r] = (now_us() - t0) / (double)n;
		for (i = 0; i < nb; i++)
			batch_free(b[i]);
		free(b);
	}
	qsort(times, 5, sizeof times[0], cmp_double);
	printf("%zu comments: %.1f us per comment (median of 5; min %.1f, "
	    "max %.1f)\n", n, times[2], times[0], times[4]);
	byt = malloc(rs->nrules * sizeof *byt);
	for (i = 0; i < rs->nrules; i++) {
		byt[i] = &rs->rules[i];
		total += (double)rs->rules[i].stats->ns;
		runs += rs->rules[i].stats->runs;
	}
	if (rs->prefilter != NULL) {
		prefiltered = rs->prefilter->prefiltered;
		printf("paths: %zu automaton exact, %zu automaton prefilter, "
		    "%zu literals, %zu always; built in %.0f ms (%zu databases "
		    "cached, %zu compiled)\n", rs->prefilter->exact,
		    rs->prefilter->hsprefilter, rs->prefilter->literal,
		    rs->prefilter->always, rs->prefilter->compile_ms,
		    rs->prefilter->cached, rs->prefilter->built);
	}
	printf("%zu rules prefiltered; %.1f rules run per comment, %.1f us "
	    "per comment in them\n", prefiltered, (double)runs / (double)(5 *
	    n), total / 1e3 / (double)(5 * n));
	qsort(byt, rs->nrules, sizeof *byt, cmp_time);
	for (i = 0; i < rs->nrules && i < 10; i++)
		printf("  %-28s %6.1f us per comment, %4.1f %%\n", byt[i]->name,
		    (double)byt[i]->stats->ns / 1e3 / (double)(5 * n),
		    100.0 * (double)byt[i]->stats->ns / total);
	free(byt);
	matcher_free(m);
	ruleset_free(rs);
	diag_free(&d);
	return 0;
}

static int
count_cb(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	(*(unsigned long long *)arg)++;
	return 0;
}

struct cost {
	size_t	rule;
	double	us;
};

static int
cmp_cost(const void *a, const void *b)
{
	const struct cost	*x = a, *y = b;

	return x->us < y->us ? 1 : x->us > y->us ? -1 : 0;
}

/*
 * HEAVY=1: each pattern of g alone, compiled and scanned over the first
 * 500 comments; the costliest, which dominate the scan.
 */
static void
heavy(const struct hs_group *g, const char *corpus, const struct ruleset *rs)
{
	struct batch		**b;
	struct cost		*c;
	const struct field	*f;
	hs_database_t		*db;
	hs_compile_error_t	*err;
	hs_scratch_t		*s = NULL;
	unsigned long long	 reports;
	size_t			 nb, n, i, j, k, done;
	double			 t0, sum = 0;

	b = read_corpus(corpus, &nb, &n);
	c = calloc(g->n, sizeof *c);
	for (k = 0; k < g->n; k++) {
		c[k].rule = g->ids[k];
		if (hs_compile(g->exprs[k], g->flags[k], HS_MODE_BLOCK, NULL, &db,
		    &err) != HS_SUCCESS) {
			hs_free_compile_error(err);
			continue;
		}
		(void)hs_alloc_scratch(db, &s);
		t0 = now_us();
		for (i = 0, done = 0; i < nb && done < 500; i++)
			for (j = 0; j < b[i]->n && done < 500; j++, done++)
				if ((f = entry_get(&b[i]->items[j].entry,
				    "text")) != NULL)
					(void)hs_scan(db, f->value,
					    (unsigned)f->value_len, 0, s,
					    count_cb, &reports);
		c[k].us = (now_us() - t0) / (double)done;
		sum += c[k].us;
		hs_free_database(db);
	}
	qsort(c, g->n, sizeof *c, cmp_cost);
	printf("each pattern alone, over 500 comments: %.1f us per comment "
	    "in all; the costliest:\n", sum);
	for (k = 0; k < g->n && k < 20; k++)
		printf("  %-28s %6.2f us  %s\n", rs->rules[c[k].rule].name,
		    c[k].us, rs->rules[c[k].rule].pattern);
	free(c);
	hs_free_scratch(s);
	for (i = 0; i < nb; i++)
		batch_free(b[i]);
	free(b);
}

/* One database of the rules' rewritten patterns over the text fields. */
static int
bench_floor(const char *dir, const char *corpus)
{
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*rs;
	struct hs_rewriter	*rw;
	struct hs_group		 g;
	hs_scratch_t		*scratch = NULL;
	struct batch		**b;
	const struct field	*f;
	char			**exprs;
	unsigned char		*out;
	const char		*why;
	unsigned long long	 reports = 0;
	size_t			 nb, n, i, j, k, r;
	double			 times[5], t0;

	ruleset_options_default(&o);
	o.prefilter = 0;
	diag_init(&d);
	if ((rs = rules_load_dir(dir, &o, &d)) == NULL) {
		diag_print(&d, stderr, "");
		return 1;
	}
	rw = hs_rewriter_new();
	exprs = calloc(rs->nrules + 1, sizeof *exprs);
	memset(&g, 0, sizeof g);
	g.exprs = calloc(rs->nrules + 1, sizeof *g.exprs);
	g.flags = calloc(rs->nrules + 1, sizeof *g.flags);
	g.ids = calloc(rs->nrules + 1, sizeof *g.ids);
	for (i = 0, k = 0; i < rs->nrules; i++)
		if (rs->rules[i].pattern != NULL && (exprs[k] =
		    hs_rewrite(rw, rs->rules[i].pattern,
		    strlen(rs->rules[i].pattern), rs->rules[i].caseless,
		    &why)) != NULL)
			g.ids[k++] = (unsigned)i;
	out = calloc(k + 1, 1);
	t0 = now_us();
	hs_compile_test(exprs, HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY, k, out,
	    o.compile_budget_ms, NULL);
	for (i = 0; i < k; i++)
		if (out[i] == HS_OUT_EXACT || out[i] == HS_OUT_PREFILTER) {
			g.exprs[g.n] = exprs[i];
			g.ids[g.n] = g.ids[i];
			g.flags[g.n++] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
			    (out[i] == HS_OUT_PREFILTER ? HS_FLAG_PREFILTER : 0);
		}
	hs_compile_groups(&g, 1, o.compile_budget_ms, NULL);
	if (g.db == NULL || hs_alloc_scratch(g.db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "floor: %s\n", g.why != NULL ? g.why : "scratch");
		return 1;
	}
	printf("%zu of %zu patterns in one database, compiled in %.0f ms\n",
	    g.n, rs->nrules, (now_us() - t0) / 1e3);
	for (r = 0; r < 5; r++) {
		b = read_corpus(corpus, &nb, &n);
		reports = 0;
		t0 = now_us();
		for (i = 0; i < nb; i++)
			for (j = 0; j < b[i]->n; j++)
				if ((f = entry_get(&b[i]->items[j].entry,
				    "text")) != NULL)
					(void)hs_scan(g.db, f->value,
					    (unsigned)f->value_len, 0, scratch,
					    count_cb, &reports);
		times[r] = (now_us() - t0) / (double)n;
		for (i = 0; i < nb; i++)
			batch_free(b[i]);
		free(b);
	}
	qsort(times, 5, sizeof times[0], cmp_double);
	printf("%zu comments: floor %.1f us per comment (median of 5; min %.1f, "
	    "max %.1f), %.2f patterns reported per comment\n", n, times[2],
	    times[0], times[4], (double)reports / (double)n);
	if (getenv("HEAVY") != NULL)
		heavy(&g, corpus, rs);
	hs_free_scratch(scratch);
	hs_free_database(g.db);
	for (i = 0; i < k; i++)
		free(exprs[i]);
	free(exprs);
	free(g.exprs);
	free(g.flags);
	free(g.ids);
	free(out);
	hs_rewriter_free(rw);
	ruleset_free(rs);
	diag_free(&d);
	return 0;
}

/* A deterministic generator: the same pairs every run. */
static uint64_t
next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 33;
}

/* The texts of a corpus file, read as the other benchmarks read it. */
static char **
read_texts(const char *path, size_t *n)
{
	struct batch		**b;
	const struct field	 *f;
	char			**t;
	size_t			  nb, i, j, k = 0;

	b = read_corpus(path, &nb, n);
	t = calloc(*n + 1, sizeof *t);
	for (i = 0; i < nb; i++) {
		for (j = 0; j < b[i]->n; j++)
			if ((f = entry_get(&b[i]->items[j].entry, "text")) != NULL)
				t[k++] = strndup(f->value, f->value_len);
		batch_free(b[i]);
	}
	free(b);
	*n = k;
	return t;
}

/* text with k of its words replaced by words of donor; NULL if too short. */
static char *
edit_words(const char *text, const char *donor, size_t k, uint64_t *rnd)
{
	char	*copy = strdup(text), *d = strdup(donor), *w[4096], *dw[4096];
	char	*out, *p, *tok;
	size_t	 nw = 0, nd = 0, i, len = 0;

	for (p = copy; (tok = strsep(&p, " ")) != NULL && nw < 4096;)
		if (*tok != '\0')
			w[nw++] = tok;
	for (p = d; (tok = strsep(&p, " ")) != NULL && nd < 4096;)
		if (*tok != '\0')
			dw[nd++] = tok;
	if (nw < 20 || nd == 0) {
		free(copy);
		free(d);
		return NULL;
	}
	for (i = 0; i < k; i++)
		w[next_random(rnd) % nw] = dw[next_random(rnd) % nd];
	for (i = 0; i < nw; i++)
		len += strlen(w[i]) + 1;
	out = malloc(len + 1);
	for (i = 0, len = 0; i < nw; i++)
		len += (size_t)sprintf(out + len, "%s%s", i ? " " : "", w[i]);
	free(copy);
	free(d);
	return out;
}

static void
near_sig(struct normalizer *nz, struct textview *v, const char *text,
    struct neardup_sig *sig)
{
	normalize_view(nz, text, strlen(text), RATELIMIT_TEXT_STAGES, v);
	neardup_signature(v->p, v->len, sig);
}

/* Do two signatures share a band? */
static int
near_candidates(const struct neardup_sig *a, const struct neardup_sig *b)
{
	size_t	i;

	for (i = 0; i < NEARDUP_BANDS; i++)
		if (neardup_band(a, i) == neardup_band(b, i))
			return 1;
	return 0;
}

/* The similarity settings bench_near reports on. */
static const double near_levels[] = { 0.5, 0.6, 0.7, 0.8, 0.9 };
#define NLEVELS	(sizeof near_levels / sizeof near_levels[0])

/* Counts a pair into found[] for each level it is found at. */
static void
near_count(const struct neardup_sig *a, const struct neardup_sig *b,
    size_t *found)
{
	double	j = neardup_similarity(a, b);
	size_t	l;

	for (l = 0; l < NLEVELS; l++)
		found[l] += j >= near_levels[l] - 1e-9 && near_candidates(a, b);
}

static void
near_row(const char *what, size_t pairs, const size_t *found, int share)
{
	size_t	l;

	printf("%-20s %8zu", what, pairs);
	for (l = 0; l < NLEVELS; l++)
		if (share)
			printf(" %7.1f%%", 100.0 * (double)found[l] /
			    (double)pairs);
		else
			printf(" %8zu", found[l]);
	putchar('\n');
}

static int
bench_near(const char *path)
{
	static const size_t	 edits[] = { 1, 3, 5, 10 };
	struct normalizer	*nz = normalizer_new();
	struct textview		 v;
	struct neardup_sig	 a, b;
	char			**texts, *copy, what[32];
	size_t			 n, i, e, l, pairs, found[NLEVELS], x, y;
	uint64_t		 rnd = 42;
	double			 runs[5], fold[5], t0;
	int			 r;

	textview_init(&v);
	texts = read_texts(path, &n);
	if (n < 2) {
		fprintf(stderr, "%s: fewer than two comments\n", path);
		return 1;
	}
	printf("found (a band shared and the estimate at least the "
	    "similarity):\n%-20s %8s", "pair", "pairs");
	for (l = 0; l < NLEVELS; l++)
		printf("  sim %.1f", near_levels[l]);
	putchar('\n');
	for (e = 0; e < sizeof edits / sizeof edits[0]; e++) {
		pairs = 0;
		memset(found, 0, sizeof found);
		for (i = 0; i < n && pairs < 20000; i++) {
			copy = edit_words(texts[i], texts[(i + 1) % n],
			    edits[e], &rnd);
			if (copy == NULL)
				continue;
			near_sig(nz, &v, texts[i], &a);
			near_sig(nz, &v, copy, &b);
			pairs++;
			near_count(&a, &b, found);
			free(copy);
		}
		snprintf(what, sizeof what, "%zu word%s replaced", edits[e],
		    edits[e] == 1 ? "" : "s");
		near_row(what, pairs, found, 1);
	}
	pairs = 0;
	memset(found, 0, sizeof found);
	while (pairs < 100000) {
		x = next_random(&rnd) % n;
		y = next_random(&rnd) % n;
		if (x == y || strcmp(texts[x], texts[y]) == 0)
			continue;
		near_sig(nz, &v, texts[x], &a);
		near_sig(nz, &v, texts[y], &b);
		pairs++;
		near_count(&a, &b, found);
	}
	near_row("unrelated (pairs)", pairs, found, 0);
	/* The folded view is the copy-paste key's too: timed apart. */
	for (r = 0; r < 5; r++) {
		t0 = now_us();
		for (i = 0; i < n; i++)
			normalize_view(nz, texts[i], strlen(texts[i]),
			    RATELIMIT_TEXT_STAGES, &v);
		fold[r] = (now_us() - t0) / (double)n;
		t0 = now_us();
		for (i = 0; i < n; i++) {
			normalize_view(nz, texts[i], strlen(texts[i]),
			    RATELIMIT_TEXT_STAGES, &v);
			neardup_signature(v.p, v.len, &a);
		}
		runs[r] = (now_us() - t0) / (double)n - fold[r];
	}
	qsort(runs, 5, sizeof runs[0], cmp_double);
	qsort(fold, 5, sizeof fold[0], cmp_double);
	printf("folded view %.2f us, signature %.2f us a comment (medians of "
	    "5)\n", fold[2], runs[2]);
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	textview_free(&v);
	normalizer_free(nz);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "normalize") == 0)
		return bench_normalize();
	if (argc == 4 && strcmp(argv[1], "decide") == 0)
		return bench_decide(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "floor") == 0)
		return bench_floor(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "near") == 0)
		return bench_near(argv[2]);
	fprintf(stderr, "usage: engine_bench normalize\n"
	    "       engine_bench decide RULES_DIR CORPUS.tsv\n"
	    "       engine_bench floor RULES_DIR CORPUS.tsv\n"
	    "       engine_bench near CORPUS.tsv\n");
	return 1;
}
