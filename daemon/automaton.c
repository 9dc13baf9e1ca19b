/*
 * Building the automaton (automaton.h). For each view, the rules' derived
 * patterns are split into databases of about AUTOMATON_CHUNK by a hash
 * of each pattern, so that a changed rule changes one database and the
 * cache (hs_cache.c) serves the others. A database not in the cache is
 * built in two steps, both in watched children (hs_compile.c): each
 * pattern is test-compiled alone, exact, else as a Vectorscan prefilter
 * (which may report more, never less), else it leaves the automaton;
 * then the patterns that compiled are compiled together.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "automaton.h"
#include "clock.h"
#include "hs_cache.h"
#include "hs_compile.h"
#include "hs_rewrite.h"
#include "xmalloc.h"

/* The patterns of one database of one view. */
struct chunk {
	size_t		 view;
	char		**exprs;
	unsigned	*ids;		/* rule indexes */
	size_t		 n;
	unsigned char	*out;		/* each pattern's hs_outcome */
	char		 key[HS_CACHE_KEY];
	hs_database_t	*db;
	int		 cached;
	size_t		 first;		/* in the flat list of patterns to test */
};

static double
now_ms(void)
{
	return (double)clock_monotonic_us() / 1e3;
}

static uint64_t
hash(const char *s)
{
	uint64_t	h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void
note(struct prefilter *pf, char *msg)
{
	pf->notes = xreallocarray(pf->notes, pf->nnotes + 1,
	    sizeof *pf->notes);
	pf->notes[pf->nnotes++] = msg;
}

static void
chunk_add(struct chunk *c, char *expr, unsigned id)
{
	c->exprs = xreallocarray(c->exprs, c->n + 1, sizeof *c->exprs);
	c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->exprs[c->n] = expr;
	c->ids[c->n++] = id;
}

/* The chunks of every view: rules' derived patterns, hashed apart. */
static struct chunk *
split(const struct ruleset *rs, char **expr, int keyed, size_t *nchunks)
{
	struct chunk	*c = NULL;
	size_t		 v, i, k, n, first = 0, base;

	*nchunks = 0;
	for (v = 0; v < rs->nviews; v++) {
		for (i = 0, n = 0; i < rs->nrules; i++)
			n += expr[i] != NULL && rs->rules[i].view == v;
		if (n == 0)
			continue;
		for (k = 1; k * AUTOMATON_CHUNK < n; k *= 2)
			;
		base = *nchunks;
		*nchunks += k;
		c = xreallocarray(c, *nchunks, sizeof *c);
		memset(c + base, 0, k * sizeof *c);
		for (i = 0; i < k; i++)
			c[base + i].view = v;
		for (i = 0; i < rs->nrules; i++)
			if (expr[i] != NULL && rs->rules[i].view == v)
				chunk_add(&c[base + (hash(expr[i]) & (k - 1))],
				    expr[i], (unsigned)i);
	}
	for (i = 0; i < *nchunks; i++) {
		c[i].out = xcalloc(c[i].n ? c[i].n : 1, 1);
		c[i].first = first;
		first += c[i].n;
		if (keyed)	/* the key serves the cache only */
			hs_cache_key(c[i].exprs, c[i].ids, c[i].n,
			    AUTOMATON_FLAGS, c[i].key);
	}
	return c;
}

/* The chunks the cache has, loaded; a bad entry is said and rebuilt. */
static void
from_cache(struct prefilter *pf, struct chunk *c, size_t n, const char *dir)
{
	char	*why;
	size_t	 i;

	for (i = 0; i < n && dir != NULL && *dir != '\0'; i++) {
		if (hs_cache_load(dir, c[i].key, c[i].n, c[i].out, &c[i].db,
		    &why) == 0) {
			c[i].cached = 1;
			pf->cached++;
			continue;
		}
		if (why != NULL) {
			char	*m;

			xasprintf(&m, "automaton cache: %s; rebuilt", why);
			note(pf, m);
			free(why);
		}
	}
}

/* The chunks the cache did not have: tested, compiled, stored. */
static void
compile(struct prefilter *pf, struct chunk *c, size_t n, const char *dir,
    double budget, const volatile int *cancel)
{
	struct hs_group	*g;
	char		**all, *why, *m;
	unsigned char	*out;
	size_t		 i, j, k, total = 0, ng = 0;

	for (i = 0; i < n; i++)
		if (!c[i].cached)
			total += c[i].n;
	if (total == 0)
		return;
	all = xcalloc(total, sizeof *all);
	out = xcalloc(total, 1);
	for (i = 0, k = 0; i < n; i++)
		if (!c[i].cached)
			for (j = 0; j < c[i].n; j++)
				all[k++] = c[i].exprs[j];
	hs_compile_test(all, AUTOMATON_FLAGS, total, out, budget, cancel);
	g = xcalloc(n, sizeof *g);
	for (i = 0, k = 0; i < n; i++) {
		if (c[i].cached)
			continue;
		memcpy(c[i].out, out + k, c[i].n);
		k += c[i].n;
		g[ng].exprs = xcalloc(c[i].n ? c[i].n : 1, sizeof *g[ng].exprs);
		g[ng].flags = xcalloc(c[i].n ? c[i].n : 1, sizeof *g[ng].flags);
		g[ng].ids = xcalloc(c[i].n ? c[i].n : 1, sizeof *g[ng].ids);
		for (j = 0; j < c[i].n; j++) {
			if (c[i].out[j] != HS_OUT_EXACT &&
			    c[i].out[j] != HS_OUT_PREFILTER)
				continue;
			g[ng].exprs[g[ng].n] = c[i].exprs[j];
			g[ng].ids[g[ng].n] = c[i].ids[j];
			g[ng].flags[g[ng].n++] = AUTOMATON_FLAGS |
			    (c[i].out[j] == HS_OUT_PREFILTER ?
			    HS_FLAG_PREFILTER : 0);
		}
		ng++;
	}
	hs_compile_groups(g, ng, budget, cancel);
	for (i = 0, k = 0; i < n; i++) {
		if (c[i].cached)
			continue;
		if (g[k].n > 0 && g[k].db == NULL) {
			xasprintf(&m, "automaton: a database of %zu patterns "
			    "failed (%s); its rules take the literal path",
			    g[k].n, g[k].why);
			note(pf, m);
			/* A database killed for time: each pattern was. */
			for (j = 0; j < c[i].n; j++)
				c[i].out[j] = g[k].killed ? HS_OUT_OVER :
				    HS_OUT_FAILED;
		} else {
			c[i].db = g[k].db;
			pf->built++;
			/* A pattern killed for time is tried again next build. */
			for (j = 0; j < c[i].n && c[i].out[j] != HS_OUT_OVER; j++)
				;
			if (j == c[i].n && dir != NULL && *dir != '\0' &&
			    c[i].db != NULL &&
			    hs_cache_store(dir, c[i].key, c[i].n, c[i].out,
			    c[i].db, &why) != 0) {
				xasprintf(&m, "automaton cache: %s", why);
				note(pf, m);
				free(why);
			}
		}
		free(g[k].exprs);
		free(g[k].flags);
		free(g[k].ids);
		k++;
	}
	free(g);
	free(all);
	free(out);
}

/*
 * The automaton of rs into pf: each rule's path (pf->path) and each
 * view's databases (adb); o gives the cache (cache_dir, NULL: none) and
 * each pattern's compile budget.
 */
void
automaton_build(struct prefilter *pf, const struct ruleset *rs,
    const struct rules_options *o)
{
	const char		*dir = o->cache_dir;
	struct hs_rewriter	*rw;
	struct prefilter_view	*pv;
	struct chunk		*c;
	char			**expr;
	const char		*why;
	size_t			 i, j, n;
	double			 t0 = now_ms();

	rw = hs_rewriter_new();
	expr = xcalloc(rs->nrules ? rs->nrules : 1, sizeof *expr);
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (r->match == NULL || r->pattern == NULL)
			continue;
		if ((expr[i] = hs_rewrite(rw, r->pattern, strlen(r->pattern),
		    r->caseless, &why)) == NULL)
			pf->why[i] = why;
	}
	hs_rewriter_free(rw);
	c = split(rs, expr, dir != NULL && *dir != '\0', &n);
	from_cache(pf, c, n, dir);
	compile(pf, c, n, dir, o->compile_budget_ms, o->cancel);
	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i].n; j++)
			switch (c[i].out[j]) {
			case HS_OUT_EXACT:
				pf->path[c[i].ids[j]] = PATH_EXACT;
				pf->need[c[i].ids[j]] = 1;
				break;
			case HS_OUT_PREFILTER:
				pf->path[c[i].ids[j]] = PATH_PREFILTER;
				pf->need[c[i].ids[j]] = 1;
				break;
			case HS_OUT_OVER:
				pf->why[c[i].ids[j]] = "over its compile budget";
				break;
			default:
				pf->why[c[i].ids[j]] = "Vectorscan does not "
				    "compile its rewrite";
				break;
			}
		if (c[i].db != NULL) {
			pv = &pf->views[c[i].view];
			pv->adb = xreallocarray(pv->adb, pv->nadb + 1,
			    sizeof *pv->adb);
			pv->adb[pv->nadb++] = c[i].db;
		}
		free(c[i].exprs);
		free(c[i].ids);
		free(c[i].out);
	}
	free(c);
	for (i = 0; i < rs->nrules; i++)
		free(expr[i]);
	free(expr);
	pf->automaton_ms = now_ms() - t0;
}
