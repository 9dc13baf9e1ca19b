/*
 * The differential test of the prefilter: every comment given is decided
 * by the same rules with the prefilter and without it, and the two must
 * agree on everything a decision says: the action, the rules and shadow
 * rules named, the reason, the rule errors, every hit with its rule and
 * its spans (in the original and in the view), and the rate-limit keys.
 *
 *     prefilter_diff RULES_DIR [--tsv CORPUS.tsv] [--thread THREAD.tsv]
 *                    [--blns BLNS.base64.txt] [--limit N] ...
 *
 * CORPUS.tsv: id, author, author_age_days, thread, text (bench/corpus.py
 * --tsv); THREAD.tsv: id, author, author_age_days, text[, expected] (the
 * sample threads).
 * Exits 0 if every comment agrees, 1 (after listing up to 20) if not.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "decision.h"
#include "rules_load.h"

#define SHOWN	20

struct side {
	struct ruleset	*rs;
	struct matcher	*m;
};

static size_t	compared, differed;

static void
load(struct side *s, const char *dir, int prefilter)
{
	struct rules_options	o;
	struct diag		d;

	ruleset_options_default(&o);
	o.prefilter = prefilter;
	diag_init(&d);
	if ((s->rs = rules_load_dir(dir, &o, &d)) == NULL) {
		diag_print(&d, stderr, "");
		exit(2);
	}
	diag_free(&d);
	s->m = matcher_new(&o);
}

static int
same(const struct decision *a, const struct decision *b)
{
	size_t	i;

	if (a->action != b->action || strcmp(a->rules, b->rules) != 0 ||
	    strcmp(a->shadow, b->shadow) != 0 ||
	    strcmp(a->reason, b->reason) != 0 || a->errors != b->errors ||
	    a->nhits != b->nhits || a->nchecks != b->nchecks ||
	    a->order != b->order || a->final != b->final)
		return 0;
	for (i = 0; i < a->nhits; i++)
		if (a->hits[i].rule->index != b->hits[i].rule->index ||
		    a->hits[i].start != b->hits[i].start ||
		    a->hits[i].end != b->hits[i].end ||
		    a->hits[i].vstart != b->hits[i].vstart ||
		    a->hits[i].vend != b->hits[i].vend ||
		    a->hits[i].error != b->hits[i].error)
			return 0;
	for (i = 0; i < a->nchecks; i++)
		if (strcmp(a->checks[i].key, b->checks[i].key) != 0)
			return 0;
	return 1;
}

/* Decides the comment of kv (n pairs) both ways; reports a difference. */
static void
compare(struct side *on, struct side *off, const struct bytes *kv, size_t n,
    const char *where)
{
	struct entry_limits	lim;
	struct entry		e;
	struct decision		a, b;

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, n, &lim);
	decision_make(on->m, on->rs, &e, ACTION_APPROVE, &a);
	decision_make(off->m, off->rs, &e, ACTION_APPROVE, &b);
	compared++;
	if (!same(&a, &b) && differed++ < SHOWN)
		fprintf(stderr, "%s: with the prefilter %s [%s] \"%s\", "
		    "without %s [%s] \"%s\"\n", where, action_name(a.action),
		    a.rules, a.reason, action_name(b.action), b.rules,
		    b.reason);
	decision_free(&a);
	decision_free(&b);
	entry_free(&e);
}

static void
tsv(struct side *on, struct side *off, const char *path, size_t textcol,
    size_t limit)
{
	struct bytes	 kv[10];
	char		*line = NULL, *f[5], *p, where[64];
	size_t		 cap = 0, i, n, count = 0;
	ssize_t		 len;
	FILE		*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, fp)) > 0 && count < limit) {
		if (line[0] == '#')
			continue;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		for (n = 0, p = line; n < 5 && p != NULL; n++)
			f[n] = strsep(&p, "\t");
		if (n <= textcol)
			continue;
		i = 0;
		kv[i++] = (struct bytes){ "id", 2 };
		kv[i++] = (struct bytes){ f[0], strlen(f[0]) };
		kv[i++] = (struct bytes){ "author", 6 };
		kv[i++] = (struct bytes){ f[1], strlen(f[1]) };
		kv[i++] = (struct bytes){ "author_age_days", 15 };
		kv[i++] = (struct bytes){ f[2], strlen(f[2]) };
		kv[i++] = (struct bytes){ "text", 4 };
		kv[i++] = (struct bytes){ f[textcol], strlen(f[textcol]) };
		snprintf(where, sizeof where, "%s:%zu", path, ++count);
		compare(on, off, kv, i / 2, where);
	}
	free(line);
	fclose(fp);
}

/* Every BLNS string as a text, alone and after a pharma word. */
static void
blns(struct side *on, struct side *off, const char *path)
{
	struct base64_decode_ctx	 ctx;
	struct bytes			 kv[4];
	char				 line[65536], where[64];
	uint8_t				 out[65536 + 16];
	size_t				 n, len, count = 0;
	FILE				*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		len = strcspn(line, "\r\n");
		if (len == 0 || line[0] == '#')
			continue;
		base64_decode_init(&ctx);
		n = sizeof out - 16;
		if (!base64_decode_update(&ctx, &n, out + 16, len, line) ||
		    !base64_decode_final(&ctx))
			continue;
		memcpy(out, "buy viagra now: ", 16);
		kv[0] = (struct bytes){ "id", 2 };
		kv[1] = (struct bytes){ "c", 1 };
		kv[2] = (struct bytes){ "text", 4 };
		kv[3] = (struct bytes){ (char *)out + 16, n };
		snprintf(where, sizeof where, "%s:%zu", path, ++count);
		compare(on, off, kv, 2, where);
		kv[3] = (struct bytes){ (char *)out, n + 16 };
		compare(on, off, kv, 2, where);
	}
	fclose(fp);
}

int
main(int argc, char **argv)
{
	struct side	on, off;
	size_t		limit = (size_t)-1;
	int		i;

	if (argc < 2) {
		fprintf(stderr, "usage: prefilter_diff RULES_DIR [--tsv FILE] "
		    "[--blns FILE] [--limit N] ...\n");
		return 2;
	}
	load(&on, argv[1], 1);
	load(&off, argv[1], 0);
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--tsv") == 0)
			tsv(&on, &off, argv[i + 1], 4, limit);
		else if (strcmp(argv[i], "--thread") == 0)
			tsv(&on, &off, argv[i + 1], 3, limit);
		else if (strcmp(argv[i], "--blns") == 0)
			blns(&on, &off, argv[i + 1]);
		else if (strcmp(argv[i], "--limit") == 0)
			limit = strtoul(argv[i + 1], NULL, 10);
	}
	printf("%s: %zu rules (%zu prefiltered, %zu always run); %zu "
	    "comments decided both ways, %zu differ\n", argv[1],
	    on.rs->nrules, on.rs->prefilter->prefiltered,
	    on.rs->prefilter->always, compared, differed);
	matcher_free(on.m);
	matcher_free(off.m);
	ruleset_free(on.rs);
	ruleset_free(off.rs);
	return compared == 0 || differed != 0;
}
