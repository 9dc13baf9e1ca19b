/*
 * The differential test of the prefilter: every comment given is decided
 * by the same rules with the prefilter and without it, and the two must
 * agree on everything a decision says: the action, the rules and shadow
 * rules named, the reason, the rule errors, every hit with its rule and
 * its spans (in the original and in the view), and the rate-limit keys.
 *
 *     prefilter_diff RULES_DIR [--tsv CORPUS.tsv] [--thread THREAD.tsv]
 *                    [--blns BLNS.base64.txt] [--random N] [--long N]
 *                    [--seed S]
 *                    [--limit N] [--no-jit] [--no-errors]
 *                    [--moderatord PATH] ...
 *
 * --no-errors: a rule that hits PCRE2's match or depth limit on any of
 * the comments fails the run (the shipped rules must never: a comment
 * they cannot judge is flagged for a human). Without it, a comment on
 * which the only difference is such a rule error without the prefilter,
 * on a rule the prefilter did not name, is counted apart, not as a
 * difference: the automaton proved the rule cannot match there.
 * CORPUS.tsv: id, author, author_age_days, thread, text (bench/corpus.py
 * --tsv); THREAD.tsv: id, author, author_age_days, text[, expected] (the
 * sample threads); --random: N comments made of the words the rules look
 * for (random_comments.c), from seed S (default: the time, printed);
 * --long: N comments of 64 KiB, each random comments joined.
 *
 * The prefilter side reads each comment's text at another alignment
 * (libhs once dropped literal matches depending on the text's address),
 * and a prefilter that is off counts as a failure: there is nothing to
 * compare then. Beyond the decision, each rule is checked alone: every
 * rule whose pattern PCRE2 matches must have been named by the automaton
 * or its literals (a rewrite that narrows is a bug, even where a final
 * rule hides it from the decision). A difference names the comment, each rule that differs
 * with its file:line and view, the view's text, and a one-line
 * reproducer with moderatord --explain. Exits 0 if every comment agrees,
 * 1 (after listing up to 20) if not, 2 on a usage or input error.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/base64.h>

#include "decision.h"
#include "normalize.h"
#include "prefilter.h"
#include "random_comments.h"
#include "rules_load.h"
#include "shifted.h"

#define SHOWN		20

struct side {
	struct ruleset	*rs;
	struct matcher	*m;
};

struct run {
	struct side	 on;
	struct side	 off;
	const char	*dir;
	const char	*moderatord;
	struct shifted	 shifted;	/* the text at another alignment */
	size_t		 compared;
	size_t		 differed;
	size_t		 matched;	/* comments some rule matched */
	size_t		 missed;	/* rules PCRE2 matched, not named */
	size_t		 errored;	/* comments a rule could not run on */
	size_t		 ruled_out;	/* ... that the automaton ruled out */
	int		 no_errors;	/* --no-errors: each one fails */
	unsigned char	*named;		/* per rule, for one comment */
};

static void	load(struct side *, const char *, int, int);
static int	same(const struct decision *, const struct decision *);
static int	has_hit(const struct decision *, size_t);
static int	rule_differs(const struct decision *, const struct decision *,
		    size_t, int *, int *);
static int	ruled_out(const struct run *, const struct decision *,
		    const struct decision *);
static void	print_quoted(FILE *, const char *, size_t, const char *);
static void	span(const struct textview *, const struct hit *,
		    const char *);
static void	report(struct run *, const struct entry *,
		    const struct decision *, const struct decision *,
		    const char *);
static void	compare(struct run *, const struct bytes *, size_t,
		    const char *);

static void
load(struct side *s, const char *dir, int prefilter, int jit)
{
	struct rules_options	o;
	struct diag		d;

	ruleset_options_default(&o);
	o.prefilter = prefilter;
	o.jit = jit;
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

/* The hit of rule index r in d, as an index into d->hits, or -1. */
static int
has_hit(const struct decision *d, size_t r)
{
	size_t	i;

	for (i = 0; i < d->nhits; i++)
		if (d->hits[i].rule->index == r)
			return (int)i;
	return -1;
}

/*
 * s as a printf(1) format in single quotes, tail (escapes of its own)
 * after it: what a shell passes through unchanged, every other byte as
 * an octal escape.
 */
static void
print_quoted(FILE *fp, const char *s, size_t len, const char *tail)
{
	size_t		i;
	unsigned char	c;

	fputc('\'', fp);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\'')
			fputs("'\\''", fp);
		else if (c == '%')
			fputs("%%", fp);
		else if (c == '\\')
			fputs("\\\\", fp);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(fp, "\\%03o", c);
		else
			fputc(c, fp);
	}
	fprintf(fp, "%s'", tail);
}

/*
 * Whether a and b disagree on rule r: one matched it and not the other,
 * or at another span, or with another error. *ha, *hb: its hits, or -1.
 */
static int
rule_differs(const struct decision *a, const struct decision *b, size_t r,
    int *ha, int *hb)
{
	*ha = has_hit(a, r);
	*hb = has_hit(b, r);
	if (*ha < 0 && *hb < 0)
		return 0;
	return *ha < 0 || *hb < 0 || a->hits[*ha].start != b->hits[*hb].start ||
	    a->hits[*ha].end != b->hits[*hb].end ||
	    a->hits[*ha].error != b->hits[*hb].error;
}

/*
 * Whether every rule a (with the prefilter) and b (without) disagree on
 * is one that PCRE2 could not finish on without the prefilter, and that
 * the prefilter did not name: the automaton proved it cannot match (it
 * never reports less than PCRE2 matches: the MISSED check), so only the
 * fail-safe flag of a rule error is lost, which is the automaton's gain.
 */
static int
ruled_out(const struct run *run, const struct decision *a,
    const struct decision *b)
{
	size_t	i;
	int	ha, hb, any = 0;

	for (i = 0; i < run->off.rs->nrules; i++) {
		if (!rule_differs(a, b, i, &ha, &hb))
			continue;
		if (ha >= 0 || b->hits[hb].error == 0 || run->named[i])
			return 0;
		any = 1;
	}
	return any;
}

/* The span of hit h (if any) in view tv, as matched "with"/"without". */
static void
span(const struct textview *tv, const struct hit *h, const char *side)
{
	if (h == NULL || h->vend > tv->len || h->vstart > h->vend)
		return;
	fprintf(stderr, "    matched %s the prefilter at view[%zu..%zu] "
	    "(text[%zu..%zu], error %d): ", side, h->vstart, h->vend, h->start,
	    h->end, h->error);
	print_quoted(stderr, tv->p + h->vstart, h->vend - h->vstart, "");
	fputc('\n', stderr);
}

/* Says how a (with the prefilter) and b (without) differ on comment e. */
static void
report(struct run *run, const struct entry *e, const struct decision *a,
    const struct decision *b, const char *where)
{
	const struct ruleset_view	*v;
	const struct textview		*tv;
	const struct rule		*r;
	const struct field		*f;
	size_t				 i, s;
	int				 ha, hb;

	fprintf(stderr, "%s: DIFFERS: with the prefilter %s [%s] \"%s\", "
	    "without %s [%s] \"%s\"\n  comment: ", where,
	    action_name(a->action), a->rules, a->reason,
	    action_name(b->action), b->rules, b->reason);
	print_quoted(stderr, e->text->value, e->text->value_len, "");
	fputc('\n', stderr);
	for (i = 0; i < run->off.rs->nrules; i++) {
		if (!rule_differs(a, b, i, &ha, &hb))
			continue;
		r = &run->off.rs->rules[i];
		v = &run->off.rs->views[r->view];
		fprintf(stderr, "  rule %s (%s:%zu): %s with the prefilter, %s "
		    "without; its view: field %s", r->name, r->file, r->line,
		    ha >= 0 ? "matched" : "not matched",
		    hb >= 0 ? "matched" : "not matched", v->field);
		for (s = 1; s <= NORM_ALL; s <<= 1)
			if (v->stages & s)
				fprintf(stderr, "%s%s", s == (v->stages &
				    -v->stages) ? " normalize: " : ",",
				    normalize_stage_name((unsigned)s));
		fprintf(stderr, ", path: %s\n", prefilter_path_name(
		    (enum prefilter_path)run->on.rs->prefilter->path[i]));
		if ((tv = matcher_view(run->off.m, r->view, v->field, v->stages,
		    e)) != NULL && v->stages != 0) {
			fputs("    the view's text: ", stderr);
			print_quoted(stderr, tv->p, tv->len, "");
			fputc('\n', stderr);
		}
		if (tv != NULL)
			span(tv, ha >= 0 ? &a->hits[ha] : NULL, "with");
		if (tv != NULL)
			span(tv, hb >= 0 ? &b->hits[hb] : NULL, "without");
	}
	fputs("  reproduce: printf ", stderr);
	print_quoted(stderr, e->text->value, e->text->value_len, "\\n");
	fprintf(stderr, " | %s --explain -r %s", run->moderatord, run->dir);
	for (i = 0; i < e->nfields; i++) {
		f = &e->fields[i];
		if (&e->fields[i] == e->text || strcmp(f->name, "id") == 0)
			continue;
		fprintf(stderr, " %s='", f->name);
		for (s = 0; s < f->value_len; s++)
			fputs(f->value[s] == '\'' ? "'\\''" : (char[]){
			    f->value[s], '\0' }, stderr);
		fputc('\'', stderr);
	}
	fputs("   (and the same with -c FILE holding 'rules: {prefilter: "
	    "false}')\n", stderr);
}

/*
 * Decides the comment of kv (n pairs) both ways; reports a difference.
 * The prefilter side reads the text at one of 64 alignments.
 */
static void
compare(struct run *run, const struct bytes *kv, size_t n, const char *where)
{
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 a, b;
	size_t			 i;

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, n, &lim);
	shifted_text(&run->shifted, &e, run->compared);
	decision_make(run->on.m, run->on.rs, &e, ACTION_APPROVE, &a);
	for (i = 0; i < run->on.rs->nrules; i++)
		run->named[i] = (unsigned char)matcher_wants(run->on.m,
		    &run->on.rs->rules[i], &e);
	shifted_restore(&run->shifted, &e);
	decision_make(run->off.m, run->off.rs, &e, ACTION_APPROVE, &b);
	run->compared++;
	run->matched += b.nhits > 0;
	if (same(&a, &b))
		;
	else if (!run->no_errors && ruled_out(run, &a, &b))
		run->ruled_out++;
	else if (run->differed++ < SHOWN)
		report(run, &e, &a, &b, where);
	for (i = 0; run->no_errors && i < b.nhits; i++)
		if (b.hits[i].error != 0 && run->errored++ < SHOWN) {
			fprintf(stderr, "%s: RULE ERROR: rule %s (%s:%zu) hit "
			    "PCRE2's limit (error %d) on the comment ", where,
			    b.hits[i].rule->name, b.hits[i].rule->file,
			    b.hits[i].rule->line, b.hits[i].error);
			print_quoted(stderr, e.text->value, e.text->value_len,
			    "");
			fputc('\n', stderr);
		}
	for (i = 0; i < run->off.rs->nrules; i++) {
		const struct rule	*r = &run->off.rs->rules[i];
		struct hit		 h;

		if (r->match == NULL || r->nwhen != 0 || run->named[i] ||
		    matcher_rule(run->off.m, r, &e, &h) != MATCH_HIT)
			continue;
		if (run->missed++ < SHOWN) {
			fprintf(stderr, "%s: MISSED: rule %s (%s:%zu, path %s) "
			    "matches, and was not named\n  comment: ", where,
			    r->name, r->file, r->line, prefilter_path_name(
			    (enum prefilter_path)run->on.rs->prefilter->path[i]));
			print_quoted(stderr, e.text->value, e.text->value_len,
			    "");
			fputc('\n', stderr);
		}
	}
	decision_free(&a);
	decision_free(&b);
	entry_free(&e);
}

static void
tsv(struct run *run, const char *path, size_t textcol, size_t limit)
{
	struct bytes	 kv[10];
	char		*line = NULL, *f[5], *p, where[4200];
	size_t		 cap = 0, i, n, count = 0, lineno = 0;
	ssize_t		 len;
	FILE		*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, fp)) > 0 && count < limit) {
		lineno++;
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
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		count++;
		compare(run, kv, i / 2, where);
	}
	free(line);
	fclose(fp);
}

/* Every BLNS string as a text, alone and after a pharma word. */
static void
blns(struct run *run, const char *path)
{
	struct base64_decode_ctx	 ctx;
	struct bytes			 kv[4];
	char				 line[65536], where[4200];
	uint8_t				 out[65536 + 16];
	size_t				 n, len, lineno = 0;
	FILE				*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
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
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		compare(run, kv, 2, where);
		kv[3] = (struct bytes){ (char *)out, n + 16 };
		compare(run, kv, 2, where);
	}
	fclose(fp);
}

/* n comments made of the rules' words, from seed. */
/*
 * n random comments from seed; long: each of random comments joined up
 * to the longest text an entry may have (64 KiB), where a scan's or a
 * rewrite's bounded repeats would show.
 */
static void
random_text(struct run *run, size_t n, uint64_t seed, int long_)
{
	struct random_comments	 rc;
	struct bytes		 kv[8];
	const char		*text;
	char			 where[64], age[24], *joined = NULL;
	size_t			 i, len, jlen;

	random_comments_init(&rc, run->off.rs, seed);
	if (long_)
		joined = malloc(ENTRY_DEFAULT_MAX_TEXT);
	for (i = 0; i < n; i++) {
		text = random_comments_next(&rc, &len);
		for (jlen = 0; long_; jlen += len) {
			if (jlen + len + 1 >= ENTRY_DEFAULT_MAX_TEXT)
				break;
			memcpy(joined + jlen, text, len);
			joined[jlen + len] = '\n';
			jlen++;
			text = random_comments_next(&rc, &len);
		}
		if (long_) {
			text = joined;
			len = jlen;
		}
		snprintf(age, sizeof age, "%u", (unsigned)
		    (random_comments_u64(&rc) % 400));
		kv[0] = (struct bytes){ "id", 2 };
		kv[1] = (struct bytes){ "r", 1 };
		kv[2] = (struct bytes){ "author", 6 };
		kv[3] = (struct bytes){ "someone", 7 };
		kv[4] = (struct bytes){ "author_age_days", 15 };
		kv[5] = (struct bytes){ age, strlen(age) };
		kv[6] = (struct bytes){ "text", 4 };
		kv[7] = (struct bytes){ text, len };
		snprintf(where, sizeof where, "random %scomment %zu of seed "
		    "%llu", long_ ? "long " : "", i + 1,
		    (unsigned long long)seed);
		compare(run, kv, 4, where);
	}
	free(joined);
	random_comments_free(&rc);
}

int
main(int argc, char **argv)
{
	struct run	 run;
	uint64_t	 seed = (uint64_t)time(NULL);
	size_t		 limit = (size_t)-1;
	int		 i, jit = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: prefilter_diff RULES_DIR [--tsv FILE] "
		    "[--thread FILE] [--blns FILE] [--random N] [--seed S] "
		    "[--limit N] [--no-jit] [--no-errors] [--moderatord PATH] "
		    "...\n");
		return 2;
	}
	memset(&run, 0, sizeof run);
	run.dir = argv[1];
	run.moderatord = "moderatord";
	/* Options that shape the run first, then the inputs in order. */
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--no-errors") == 0)
			run.no_errors = 1;
		else if (strcmp(argv[i], "--no-jit") == 0)
			jit = 0;
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--moderatord") == 0 && i + 1 < argc)
			run.moderatord = argv[++i];
	}
	load(&run.on, run.dir, 1, jit);
	load(&run.off, run.dir, 0, jit);
	run.named = calloc(run.on.rs->nrules + 1, 1);
	if (run.on.rs->prefilter->error != NULL) {
		fprintf(stderr, "%s: the prefilter is %s: nothing to compare\n",
		    run.dir, run.on.rs->prefilter->error);
		return 1;
	}
	for (i = 2; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--tsv") == 0)
			tsv(&run, argv[++i], 4, limit);
		else if (strcmp(argv[i], "--thread") == 0)
			tsv(&run, argv[++i], 3, limit);
		else if (strcmp(argv[i], "--blns") == 0)
			blns(&run, argv[++i]);
		else if (strcmp(argv[i], "--random") == 0)
			random_text(&run, strtoul(argv[++i], NULL, 10), seed, 0);
		else if (strcmp(argv[i], "--long") == 0)
			random_text(&run, strtoul(argv[++i], NULL, 10), seed, 1);
		else if (strcmp(argv[i], "--limit") == 0)
			limit = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 ||
		    strcmp(argv[i], "--moderatord") == 0)
			i++;
	}
	printf("%s: %zu rules (%zu on the automaton, %zu on literals, %zu "
	    "always run); %zu comments decided both ways (seed %llu), %zu "
	    "matched by some rule, %zu differ, %zu rule matches missed, "
	    "%zu rule errors, %zu comments spared a rule error by the "
	    "automaton\n",
	    run.dir, run.on.rs->nrules, run.on.rs->prefilter->exact +
	    run.on.rs->prefilter->hsprefilter, run.on.rs->prefilter->literal,
	    run.on.rs->prefilter->always, run.compared,
	    (unsigned long long)seed, run.matched, run.differed, run.missed,
	    run.errored, run.ruled_out);
	matcher_free(run.on.m);
	matcher_free(run.off.m);
	ruleset_free(run.on.rs);
	ruleset_free(run.off.rs);
	free(run.shifted.buf);
	free(run.named);
	return run.compared == 0 || run.differed != 0 || run.missed != 0 ||
	    run.errored != 0;
}
