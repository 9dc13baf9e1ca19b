/*
 * moderatord --profile: decide the comments of JSON lines on stdin with
 * the rules, and tell where the time goes, rule by rule: how often each
 * matched, how often it ran (the prefilter spares most rules most
 * comments), its total and mean time and its share of the whole. Sorted
 * by total time: the rule that slows everything comes first.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decision.h"
#include "jsonl.h"
#include "modes.h"
#include "prefilter.h"
#include "xmalloc.h"

#define BAD_LINES_SHOWN	10

struct row {
	const struct rule	*rule;
	unsigned long long	 hits;
};

static int
cmp_rows(const void *a, const void *b)
{
	const struct row	*x = a, *y = b;

	return x->rule->stats->ns < y->rule->stats->ns ? 1 :
	    x->rule->stats->ns > y->rule->stats->ns ? -1 :
	    strcmp(x->rule->name, y->rule->name);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
profile_main(const struct config *c)
{
	struct ruleset		*rs;
	struct matcher		*m;
	struct jsonl		 j;
	struct entry		 e;
	struct decision		 dec;
	struct row		*rows;
	char			*line = NULL, *err;
	size_t			 cap = 0, lineno = 0, comments = 0, bad = 0;
	size_t			 i;
	ssize_t			 len;
	double			 t0, total = 0, wall;

	if ((rs = check_load_rules(c, NULL)) == NULL)
		return 1;
	m = matcher_new(&c->rules);
	rows = xcalloc(rs->nrules ? rs->nrules : 1, sizeof *rows);
	for (i = 0; i < rs->nrules; i++) {
		rows[i].rule = &rs->rules[i];
		memset(rs->rules[i].stats, 0, sizeof *rs->rules[i].stats);
	}
	jsonl_init(&j);
	t0 = now_ms();
	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		if (jsonl_parse(&j, line, (size_t)len, &err) != 0) {
			if (bad++ < BAD_LINES_SHOWN)
				fprintf(stderr, "moderatord: line %zu: %s\n",
				    lineno, err);
			free(err);
			continue;
		}
		entry_init(&e, (struct bytes){ "profile", 7 }, j.kv, j.n,
		    &c->limits);
		decision_make(m, rs, &e, c->rules.default_action, &dec);
		for (i = 0; i < dec.nhits; i++)
			rows[dec.hits[i].rule->index].hits++;
		/* A rate limit's hits: the comments that count toward it. */
		for (i = 0; i < dec.nchecks; i++)
			rows[dec.checks[i].rule->index].hits++;
		decision_free(&dec);
		entry_free(&e);
		comments++;
	}
	wall = now_ms() - t0;
	for (i = 0; i < rs->nrules; i++)
		total += (double)rs->rules[i].stats->ns;
	qsort(rows, rs->nrules, sizeof *rows, cmp_rows);
	printf("%-32s %8s %10s %10s %10s %10s %7s  %s\n", "rule", "hits",
	    "runs", "matched", "total ms", "mean us", "share", "path");
	for (i = 0; i < rs->nrules; i++) {
		const struct rule_stats *st = rows[i].rule->stats;
		size_t			 x = rows[i].rule->index;

		printf("%-32s %8llu %10llu %10llu %10.2f %10.2f %6.1f%%  %s\n",
		    rows[i].rule->name, rows[i].hits,
		    (unsigned long long)st->runs,
		    (unsigned long long)st->matches, (double)st->ns / 1e6,
		    st->runs ? (double)st->ns / 1e3 / (double)st->runs : 0.0,
		    total > 0 ? 100.0 * (double)st->ns / total : 0.0,
		    rows[i].rule->match == NULL ? "-" : rs->prefilter == NULL ?
		    "always" : prefilter_path_name((enum prefilter_path)
		    rs->prefilter->path[x]));
	}
	printf("%zu comments in %.1f ms: %.1f us a comment, %.1f of it in "
	    "the rules", comments, wall, comments ? wall * 1e3 /
	    (double)comments : 0.0, comments ? total / 1e3 / (double)comments :
	    0.0);
	if (bad > 0)
		printf("; %zu lines not read (see stderr)", bad);
	printf("\n");
	free(line);
	jsonl_free(&j);
	free(rows);
	matcher_free(m);
	ruleset_free(rs);
	return comments == 0 && bad > 0;
}
