/*
 * The shipped rules judged on a labelled set of comments (tests/eval/):
 * each comment is decided as the daemon decides it (by an author of its
 * own, so no rate limit applies) and compared with the decision a careful
 * moderator wants.
 *
 *     eval_rules RULES_DIR COMMENTS.tsv [--markdown] [--floor P]
 *
 * COMMENTS.tsv: id, lang, expected (approve, flag, reject), category
 * (ok for ordinary speech, else the kind of abuse), text. Prints, per
 * rule, its live hits, how many were on abuse (precision) and its recall
 * in the category it catches most; per category and language, how many
 * comments decide as wanted; and the failures. Exits 1 when an ordinary
 * comment is rejected, more than 5 % of ordinary comments are flagged,
 * fewer than 90 % of abusive ones are caught (flag or reject), or a live
 * rule with 3 hits or more has a precision under the floor (default
 * 0.75); 2 on bad input.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "rules_load.h"

#define CATS	16

struct comment {
	char		*id;
	char		*lang;
	enum action	 expected;
	char		*cat;
	char		*text;
	enum action	 got;
	char		*rules;
};

struct tally {
	size_t	hits, abuse, ham;
	size_t	bycat[CATS];
};

/* The index of category c in cats (n of them), added if new. */
static size_t
cat_index(const char **cats, size_t *n, const char *c)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp(cats[i], c) == 0)
			return i;
	if (*n == CATS) {
		fprintf(stderr, "eval_rules: more than %d categories\n", CATS);
		exit(2);
	}
	cats[*n] = c;
	return (*n)++;
}

static struct comment *
read_set(const char *path, size_t *n)
{
	struct comment	*c = NULL;
	char		*line = NULL, *f[5], *p;
	size_t		 cap = 0, k, lineno = 0;
	ssize_t		 len;
	FILE		*fp;

	*n = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		for (k = 0, p = line; k < 5 && p != NULL; k++)
			f[k] = strsep(&p, "\t");
		c = realloc(c, (*n + 1) * sizeof *c);
		if (k != 5 || c == NULL ||
		    action_parse(f[2], &c[*n].expected) != 0) {
			fprintf(stderr, "%s:%zu: want id, lang, expected, "
			    "category, text\n", path, lineno);
			exit(2);
		}
		c[*n].id = strdup(f[0]);
		c[*n].lang = strdup(f[1]);
		c[*n].cat = strdup(f[3]);
		c[*n].text = strdup(f[4]);
		(*n)++;
	}
	free(line);
	fclose(fp);
	return c;
}

int
main(int argc, char **argv)
{
	struct rules_options	 o;
	struct entry_limits	 lim;
	struct diag		 d;
	struct ruleset		*rs;
	struct matcher		*m;
	struct comment		*c;
	struct tally		*t;
	struct entry		 e;
	struct decision		 dec;
	struct bytes		 kv[8];
	char			 author[32];
	size_t			 n, i, j, k, best, ham = 0, hamflag = 0;
	size_t			 hamreject = 0, abuse = 0, caught = 0, exact = 0;
	size_t			 catn[CATS] = { 0 }, catok[CATS] = { 0 };
	size_t			 lowrules = 0, ncats = 0;
	const char		*cats[CATS];
	double			 floor_ = 0.75, prec;
	int			 md = 0, a;

	if (argc < 3) {
		fprintf(stderr, "usage: eval_rules RULES_DIR COMMENTS.tsv "
		    "[--markdown] [--floor P]\n");
		return 2;
	}
	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--markdown") == 0)
			md = 1;
		else if (strcmp(argv[a], "--floor") == 0 && a + 1 < argc)
			floor_ = strtod(argv[++a], NULL);
	}
	ruleset_options_default(&o);
	diag_init(&d);
	if ((rs = rules_load_dir(argv[1], &o, &d)) == NULL) {
		diag_print(&d, stderr, "");
		return 2;
	}
	diag_free(&d);
	m = matcher_new(&o);
	entry_limits_default(&lim);
	c = read_set(argv[2], &n);
	t = calloc(rs->nrules, sizeof *t);
	for (i = 0; i < n; i++) {
		snprintf(author, sizeof author, "reader-%zu", i);
		kv[0] = (struct bytes){ "id", 2 };
		kv[1] = (struct bytes){ c[i].id, strlen(c[i].id) };
		kv[2] = (struct bytes){ "author", 6 };
		kv[3] = (struct bytes){ author, strlen(author) };
		kv[4] = (struct bytes){ "author_age_days", 15 };
		kv[5] = (struct bytes){ "365", 3 };
		kv[6] = (struct bytes){ "text", 4 };
		kv[7] = (struct bytes){ c[i].text, strlen(c[i].text) };
		entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 4, &lim);
		decision_make(m, rs, &e, ACTION_APPROVE, &dec);
		c[i].got = dec.action;
		c[i].rules = strdup(dec.rules);
		k = cat_index(cats, &ncats, c[i].cat);
		for (j = 0; j < dec.nhits; j++) {
			if (dec.hits[j].rule->shadow)
				continue;
			t[dec.hits[j].rule->index].hits++;
			if (c[i].expected == ACTION_APPROVE)
				t[dec.hits[j].rule->index].ham++;
			else {
				t[dec.hits[j].rule->index].abuse++;
				t[dec.hits[j].rule->index].bycat[k]++;
			}
		}
		catn[k]++;
		if (c[i].expected == ACTION_APPROVE) {
			ham++;
			hamflag += dec.action == ACTION_FLAG;
			hamreject += dec.action == ACTION_REJECT;
			catok[k] += dec.action == ACTION_APPROVE;
		} else {
			abuse++;
			caught += dec.action != ACTION_APPROVE;
			catok[k] += dec.action != ACTION_APPROVE;
		}
		exact += dec.action == c[i].expected;
		decision_free(&dec);
		entry_free(&e);
	}

	printf(md ? "| rule | hits | on abuse | on ordinary | precision | "
	    "recall (category) |\n|---|---|---|---|---|---|\n" :
	    "%-24s %5s %8s %11s %9s  %s\n", "rule", "hits", "on abuse",
	    "on ordinary", "precision", "recall (category)");
	for (i = 0; i < rs->nrules; i++) {
		if (rs->rules[i].shadow || (rs->rules[i].match == NULL &&
		    rs->rules[i].list == NULL))
			continue;
		for (best = 0, k = 1; k < ncats; k++)
			if (t[i].bycat[k] > t[i].bycat[best])
				best = k;
		prec = t[i].hits ? (double)t[i].abuse / (double)t[i].hits : 1;
		if (t[i].hits >= 3 && prec < floor_)
			lowrules++;
		if (t[i].abuse == 0)
			printf(md ? "| %s | %zu | %zu | %zu | %s | - |\n" :
			    "%-24s %5zu %8zu %11zu %9s  -\n", rs->rules[i].name,
			    t[i].hits, t[i].abuse, t[i].ham,
			    t[i].hits ? "0.00" : "-");
		else
			printf(md ? "| %s | %zu | %zu | %zu | %.2f | %.2f (%s) |\n" :
			    "%-24s %5zu %8zu %11zu %9.2f  %.2f (%s)\n",
			    rs->rules[i].name, t[i].hits, t[i].abuse, t[i].ham,
			    prec, (double)t[i].bycat[best] / (double)catn[best],
			    cats[best]);
	}
	printf(md ? "\n| category | comments | as wanted |\n|---|---|---|\n" :
	    "\n%-12s %8s %9s\n", "category", "comments", "as wanted");
	for (k = 0; k < ncats; k++)
		printf(md ? "| %s | %zu | %zu (%.0f %%) |\n" :
		    "%-12s %8zu %9zu (%.0f %%)\n", cats[k], catn[k], catok[k],
		    100.0 * (double)catok[k] / (double)catn[k]);
	printf("\n%zu comments: %zu ordinary, %zu rejected and %zu flagged "
	    "(%.1f %%); %zu abusive, %zu caught (%.1f %%); %zu decided "
	    "exactly as wanted (%.1f %%)\n", n, ham, hamreject, hamflag,
	    ham ? 100.0 * (double)hamflag / (double)ham : 0.0, abuse, caught,
	    abuse ? 100.0 * (double)caught / (double)abuse : 0.0, exact,
	    100.0 * (double)exact / (double)n);
	for (i = 0; i < n; i++)
		if ((c[i].expected == ACTION_APPROVE) != (c[i].got ==
		    ACTION_APPROVE) || (c[i].expected == ACTION_APPROVE &&
		    c[i].got == ACTION_REJECT))
			printf("%s%s %s: wanted %s, got %s [%s]: %s\n",
			    md ? "    " : "", c[i].id, c[i].cat,
			    action_name(c[i].expected), action_name(c[i].got),
			    c[i].rules, c[i].text);
	if (lowrules > 0)
		printf("%zu live rules under the precision floor %.2f\n",
		    lowrules, floor_);
	matcher_free(m);
	ruleset_free(rs);
	for (i = 0; i < n; i++) {
		free(c[i].id);
		free(c[i].lang);
		free(c[i].cat);
		free(c[i].text);
		free(c[i].rules);
	}
	free(c);
	free(t);
	return hamreject > 0 || hamflag * 20 > ham || caught * 10 < abuse * 9 ||
	    lowrules > 0;
}
