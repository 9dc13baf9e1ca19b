/*
 * Rule files -> struct ruleset. Each *.yaml file of the directory, in
 * lexical order, is a list of rules. Every error is reported as
 * file:line:column and loading goes on, so one -t run shows them all.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <pcre2.h>

#include "bayes.h"
#include "classify.h"
#include "clock.h"
#include "condition.h"
#include "hscheck.h"
#include "lexicon.h"
#include "literals.h"
#include "matcher.h"
#include "normalize.h"
#include "pattern.h"
#include "prefilter.h"
#include "precision.h"
#include "ratelimit.h"
#include "rules_list.h"
#include "ladder.h"
#include "rules_load.h"
#include "xmalloc.h"
#include "yfile.h"

#define RULE_NAME_MAX	64

static const char *const rule_keys[] = { "name", "match", "words", "field",
    "except", "when", "rate_limit", "action", "reason", "final", "mode",
    "caseless", "normalize", "tests", "words_file", "valid_from",
    "valid_until", "min_precision", "min_verdicts", "classify",
    "min_probability", "escalate", NULL };
static const char *const test_keys[] = { "match", "no_match", NULL };

struct loader {
	struct ruleset			*rs;
	struct sha256_ctx		 hash;	/* what the ruleset is made of */
	struct normalizer		*nz;	/* for words under normalize */
	size_t				 cap;
	const struct rules_options	*opts;
	struct diag			*d;
	struct yfile			*yf;
	const char			*file;
	int				 hs_checked;
	char				*hs_why; /* libhs is not to be trusted */
	struct lexicon			*lexicon; /* spacing's, for the ruleset */
};

static int	 cmp_names(const void *, const void *);
static int	 load_except(struct loader *, struct rule *, yaml_node_t *, int);
static int	 load_examples(struct loader *, struct rule *, yaml_node_t *);
static int	 check_name(struct loader *, yaml_node_t *);
static int	 load_normalize(struct loader *, yaml_node_t *, unsigned *);
static void	 load_rule(struct loader *, yaml_node_t *);
static int	 load_window(struct loader *, struct rule *, yaml_node_t *);
static const char *libhs_unusable(struct loader *);
static unsigned	 written_in(struct yfile *, yaml_node_t *, yaml_node_t *,
		    struct lexicon *);
static void	 lexicon_of_pattern(struct loader *, const char *, int);
static void	 load_file(struct loader *, const char *, const char *,
		    size_t);
static void	 ruleset_hash_finish(struct ruleset *, struct sha256_ctx *,
		    const struct rules_options *);

static int
load_except(struct loader *l, struct rule *r, yaml_node_t *n, int caseless)
{
	yaml_node_item_t	*it;
	yaml_node_t		*p;
	size_t			 count = 1;
	int			 rc = 0;

	if (n->type == YAML_MAPPING_NODE) {
		yfile_error(l->d, l->yf, n, "except must be a regex or a list "
		    "of regexes");
		return -1;
	}
	if (n->type == YAML_SEQUENCE_NODE)
		count = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
	r->except = xcalloc(count, sizeof *r->except);
	for (size_t i = 0; i < count; i++) {
		if (n->type == YAML_SCALAR_NODE)
			p = n;
		else {
			it = n->data.sequence.items.start + i;
			p = yfile_node(l->yf, *it);
			if (yfile_want_scalar(l->d, l->yf, p, "an except "
			    "regex") != 0) {
				rc = -1;
				continue;
			}
		}
		r->except[r->nexcept] = pattern_compile(l->d, l->yf, p,
		    caseless, l->opts->jit, NULL);
		if (r->except[r->nexcept] == NULL)
			rc = -1;
		else
			r->nexcept++;
	}
	return rc;
}

static int
load_examples(struct loader *l, struct rule *r, yaml_node_t *n)
{
	yaml_node_t		*list, *ex;
	yaml_node_item_t	*it;
	int			 must, rc = 0;
	size_t			 cap = 0;

	if (yfile_mapping_check(l->d, l->yf, n, test_keys, "tests") != 0)
		return -1;
	for (must = 1; must >= 0; must--) {
		list = yfile_find(l->yf, n, must ? "match" : "no_match");
		if (list == NULL)
			continue;
		if (list->type != YAML_SEQUENCE_NODE) {
			yfile_error(l->d, l->yf, list, "tests: %s must be a "
			    "list of example texts", must ? "match" :
			    "no_match");
			rc = -1;
			continue;
		}
		for (it = list->data.sequence.items.start;
		    it < list->data.sequence.items.top; it++) {
			ex = yfile_node(l->yf, *it);
			if (yfile_want_scalar(l->d, l->yf, ex, "an example") != 0) {
				rc = -1;
				continue;
			}
			if (r->nexamples == cap) {
				cap = cap ? cap * 2 : 4;
				r->examples = xreallocarray(r->examples, cap,
				    sizeof *r->examples);
			}
			r->examples[r->nexamples].text = xstrndup(yfile_scalar(ex),
			    ex->data.scalar.length);
			r->examples[r->nexamples].len = ex->data.scalar.length;
			r->examples[r->nexamples].must_match = must;
			r->examples[r->nexamples].line = yfile_line(ex);
			r->nexamples++;
		}
	}
	return rc;
}

/* normalize: true (every stage), false, or a list of stage names. */
static int
load_normalize(struct loader *l, yaml_node_t *n, unsigned *stages)
{
	yaml_node_item_t	*it;
	yaml_node_t		*s;
	struct diag		 quiet;
	unsigned		 bit;
	int			 on, is_bool, rc = 0;

	*stages = 0;
	/* A boolean, or else the message says what normalize takes. */
	diag_init(&quiet);
	is_bool = n->type == YAML_SCALAR_NODE && yfile_bool(&quiet, l->yf, n,
	    &on) == 0;
	diag_free(&quiet);
	if (is_bool) {
		*stages = on ? NORM_ALL : 0;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.start == n->data.sequence.items.top) {
		yfile_error(l->d, l->yf, n, "normalize must be true, false or a "
		    "list of stages");
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		s = yfile_node(l->yf, *it);
		if (yfile_want_scalar(l->d, l->yf, s, "a normalize stage") != 0) {
			rc = -1;
			continue;
		}
		if (normalize_stage_parse(yfile_scalar(s), &bit) != 0) {
			yfile_error(l->d, l->yf, s, "unknown normalize stage '%s' "
			    "(stages: nfkc, casefold, invisible, diacritics, "
			    "confusables, leet, repeats, spacing)",
			    yfile_scalar(s));
			rc = -1;
		} else if (*stages & bit) {
			yfile_error(l->d, l->yf, s, "normalize stage '%s' given "
			    "twice", yfile_scalar(s));
			rc = -1;
		}
		*stages |= bit;
	}
	return rc;
}

/* Names go into comma-separated stream fields: keep them to a safe alphabet. */
static int
check_name(struct loader *l, yaml_node_t *n)
{
	const char	*s = yfile_scalar(n);
	size_t		 i, len = n->data.scalar.length;
	struct rule	*other;

	if (len == 0 || len > RULE_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != len) {
		yfile_error(l->d, l->yf, n, "rule name must be 1 to %d letters, "
		    "digits, '-', '_' or '.', not '%s'", RULE_NAME_MAX, s);
		return -1;
	}
	for (i = 0; i < l->rs->nrules; i++) {
		other = &l->rs->rules[i];
		if (strcmp(other->name, s) == 0) {
			yfile_error(l->d, l->yf, n, "duplicate rule name '%s' "
			    "(first defined at %s:%zu)", s, other->file,
			    other->line);
			return -1;
		}
	}
	return 0;
}

/* valid_from and valid_until: ISO 8601 times, from before until. */
static int
load_window(struct loader *l, struct rule *r, yaml_node_t *n)
{
	static const char *const keys[2] = { "valid_from", "valid_until" };
	int64_t		*at[2] = { &r->valid_from, &r->valid_until };
	yaml_node_t	*v[2];
	size_t		 i;

	r->valid_from = INT64_MIN;
	r->valid_until = INT64_MAX;
	for (i = 0; i < 2; i++) {
		if ((v[i] = yfile_find(l->yf, n, keys[i])) == NULL)
			continue;
		if (yfile_want_scalar(l->d, l->yf, v[i], keys[i]) != 0)
			return -1;
		if (clock_parse_iso8601(yfile_scalar(v[i]), at[i]) != 0) {
			yfile_error(l->d, l->yf, v[i], "%s must be a time such "
			    "as 2026-11-03T06:00:00Z (ISO 8601, UTC unless it "
			    "has an offset), not '%s'", keys[i], yfile_scalar(v[i]));
			return -1;
		}
	}
	if (v[0] != NULL && v[1] != NULL && r->valid_from >= r->valid_until) {
		yfile_error(l->d, l->yf, v[1], "valid_until must come after "
		    "valid_from");
		return -1;
	}
	if (v[0] != NULL || v[1] != NULL)
		l->rs->timed++;
	return 0;
}

/*
 * Why the libhs this process runs on must not be trusted with literal
 * scans, or NULL: checked once a load, when first needed.
 */
static const char *
libhs_unusable(struct loader *l)
{
	if (!l->hs_checked) {
		l->hs_checked = 1;
		if (hscheck_literals(&l->hs_why) == 0)
			l->hs_why = NULL;
	}
	return l->hs_why;
}

/*
 * The scripts (NORM_SCRIPT_*) a match: pattern or a words: list is
 * written in; the list's words go into lexicon too, unless it is NULL.
 */
static unsigned
written_in(struct yfile *yf, yaml_node_t *match, yaml_node_t *words,
    struct lexicon *lexicon)
{
	yaml_node_item_t	*it;
	yaml_node_t		*w;
	unsigned		 scripts = 0;

	if (match != NULL && match->type == YAML_SCALAR_NODE)
		return normalize_scripts(yfile_scalar(match),
		    match->data.scalar.length, 1);
	if (words == NULL || words->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = words->data.sequence.items.start;
	    it < words->data.sequence.items.top; it++) {
		w = yfile_node(yf, *it);
		if (w == NULL || w->type != YAML_SCALAR_NODE)
			continue;
		scripts |= normalize_scripts(yfile_scalar(w),
		    w->data.scalar.length, 0);
		if (lexicon != NULL)
			lexicon_add_text(lexicon, yfile_scalar(w),
			    w->data.scalar.length);
	}
	return scripts;
}

/* The literals a pattern requires, as words of the lexicon. */
static void
lexicon_of_pattern(struct loader *l, const char *pattern, int caseless)
{
	struct literals	lits;
	size_t		i, j;

	if (literals_required(pattern, caseless, &lits) != 0)
		return;
	for (i = 0; i < lits.nset; i++)
		for (j = 0; j < lits.set[i].n; j++)
			lexicon_add_text(l->lexicon, lits.set[i].s[j],
			    lits.set[i].len[j]);
	literals_free(&lits);
}

static void
load_rule(struct loader *l, yaml_node_t *n)
{
	struct rule	 r;
	yaml_node_t	*v, *match, *words, *file, *when, *limit, *classify;
	yaml_node_t	*esc;
	const char	*s;
	int		 bad = 0, caseless = 1, islist;
	size_t		 before = l->d->n;
	unsigned	 liststages, scripts;
	struct rules_list_seen seen;

	memset(&r, 0, sizeof r);
	if (yfile_mapping_check(l->d, l->yf, n, rule_keys, "a rule") != 0) {
		if (n->type != YAML_MAPPING_NODE)
			return;
		bad = 1;
	}
	r.file = l->file;
	r.line = yfile_line(n);

	if ((v = yfile_find(l->yf, n, "name")) == NULL) {
		yfile_error(l->d, l->yf, n, "rule has no name");
		bad = 1;
	} else if (yfile_want_scalar(l->d, l->yf, v, "name") != 0 ||
	    check_name(l, v) != 0)
		bad = 1;
	else
		r.name = xstrdup(yfile_scalar(v));

	if ((v = yfile_find(l->yf, n, "caseless")) != NULL &&
	    yfile_bool(l->d, l->yf, v, &caseless) != 0)
		bad = 1;
	if ((v = yfile_find(l->yf, n, "normalize")) != NULL &&
	    load_normalize(l, v, &r.stages) != 0)
		bad = 1;
	if (r.stages != 0 && l->nz == NULL)
		l->nz = normalizer_new();

	match = yfile_find(l->yf, n, "match");
	words = yfile_find(l->yf, n, "words");
	file = yfile_find(l->yf, n, "words_file");
	when = yfile_find(l->yf, n, "when");
	limit = yfile_find(l->yf, n, "rate_limit");
	esc = yfile_find(l->yf, n, "escalate");
	classify = yfile_find(l->yf, n, "classify");
	if (classify_load(l->d, l->yf, n, &r) != 0)
		bad = 1;
	/*
	 * Spacing splits a spaced-out run at the words rules look for; a
	 * rule written in Cyrillic or Greek folds look-alikes toward it.
	 */
	if ((r.stages & NORM_SPACING) && l->lexicon == NULL)
		l->lexicon = lexicon_new();
	seen.lexicon = (r.stages & NORM_SPACING) ? l->lexicon : NULL;
	seen.scripts = 0;
	islist = file != NULL || (words != NULL && words->type ==
	    YAML_SEQUENCE_NODE && words->data.sequence.items.top -
	    words->data.sequence.items.start > RULES_LIST_REGEX_MAX);
	/*
	 * A words_file's entries tell their scripts as they are read,
	 * below; a list's entries go into the lexicon as they are read.
	 */
	if (file == NULL) {
		scripts = written_in(l->yf, match, words, islist ? NULL :
		    seen.lexicon);
		if (r.stages & NORM_CONFUSABLES)
			r.stages |= normalize_direction(scripts);
	}
	/* A word list is looked for with case folded unless caseless: false. */
	liststages = r.stages | NORM_SPACES | (caseless ? NORM_CASEFOLD : 0);
	if ((match != NULL) + (words != NULL) + (file != NULL) +
	    (classify != NULL) > 1) {
		yfile_error(l->d, l->yf, classify != NULL ? classify : file !=
		    NULL ? file : words, "a rule has one of match, words, "
		    "words_file and classify");
		bad = 1;
	} else if (classify != NULL && (limit != NULL || esc != NULL)) {
		yfile_error(l->d, l->yf, classify, "%s rule cannot classify",
		    limit != NULL ? "a rate_limit" : "an escalate");
		bad = 1;
	} else if (limit != NULL && esc != NULL) {
		yfile_error(l->d, l->yf, esc, "a rule has rate_limit or "
		    "escalate, not both");
		bad = 1;
	} else if (match == NULL && words == NULL && file == NULL &&
	    classify == NULL && when == NULL && limit == NULL && esc == NULL) {
		yfile_error(l->d, l->yf, n, "rule %s needs match, words, "
		    "words_file, classify, when, rate_limit or escalate",
		    r.name ? r.name : "without a name");
		bad = 1;
	} else if (match != NULL) {
		if ((r.match = pattern_compile(l->d, l->yf, match, caseless,
		    l->opts->jit, &r.pattern)) == NULL)
			bad = 1;
		else if (seen.lexicon != NULL)
			lexicon_of_pattern(l, r.pattern, caseless);
	} else if (islist) {
		if (l->nz == NULL)
			l->nz = normalizer_new();
		if (libhs_unusable(l) != NULL) {
			/* Its scan is the only judge of a list: refuse it. */
			yfile_error(l->d, l->yf, file != NULL ? file : words,
			    "a word list cannot be matched here: %s",
			    libhs_unusable(l));
			bad = 1;
		} else if ((r.list = file != NULL ? rules_list_file(l->d,
		    l->yf, file, &l->hash, l->file, liststages, l->nz, &seen) :
		    rules_list_words(l->d, l->yf, words, liststages, l->nz,
		    &seen)) == NULL)
			bad = 1;
		else if (file != NULL && (r.stages & NORM_CONFUSABLES)) {
			scripts = normalize_direction(seen.scripts);
			r.stages |= scripts;
			liststages |= scripts;
		}
	} else if (words != NULL && (r.match = pattern_words(l->d, l->yf,
	    words, caseless, l->opts->jit, l->nz, r.stages, &r.pattern)) ==
	    NULL)
		bad = 1;
	if (when != NULL && condition_parse_when(l->d, l->yf, when, caseless,
	    l->opts->jit, &r.when, &r.nwhen) != 0)
		bad = 1;
	if (limit != NULL) {
		r.limit = xcalloc(1, sizeof *r.limit);
		if (ratelimit_parse(l->d, l->yf, limit, r.limit) != 0)
			bad = 1;
	} else if (esc != NULL) {
		r.limit = xcalloc(1, sizeof *r.limit);
		if (ladder_parse(l->d, l->yf, esc, r.limit) != 0)
			bad = 1;
	}

	if ((v = yfile_find(l->yf, n, "except")) != NULL &&
	    load_except(l, &r, v, caseless) != 0)
		bad = 1;

	r.field = xstrdup("text");
	if ((v = yfile_find(l->yf, n, "field")) != NULL) {
		if (yfile_want_scalar(l->d, l->yf, v, "field") != 0)
			bad = 1;
		else if (v->data.scalar.length == 0) {
			yfile_error(l->d, l->yf, v, "field must not be empty");
			bad = 1;
		} else {
			free(r.field);
			r.field = xstrdup(yfile_scalar(v));
		}
	}

	if (esc != NULL) {
		/* Its steps act; what it can do at most ranks it. */
		if ((v = yfile_find(l->yf, n, "action")) != NULL) {
			yfile_error(l->d, l->yf, v, "an escalate rule takes its "
			    "actions from its steps: no action of its own");
			bad = 1;
		} else if (r.limit != NULL && r.limit->ladder != NULL &&
		    r.limit->ladder->nsteps > 0)
			r.action = ladder_top_action(r.limit->ladder);
	} else if ((v = yfile_find(l->yf, n, "action")) == NULL) {
		yfile_error(l->d, l->yf, n, "rule %s has no action (approve, "
		    "flag or reject)", r.name ? r.name : "without a name");
		bad = 1;
	} else if (yfile_want_scalar(l->d, l->yf, v, "action") != 0)
		bad = 1;
	else if (action_parse(yfile_scalar(v), &r.action) != 0) {
		yfile_error(l->d, l->yf, v, "action must be approve, flag or "
		    "reject, not '%s'", yfile_scalar(v));
		bad = 1;
	}

	if ((v = yfile_find(l->yf, n, "reason")) != NULL) {
		if (yfile_want_scalar(l->d, l->yf, v, "reason") != 0)
			bad = 1;
		else
			r.reason = xstrdup(yfile_scalar(v));
	}
	if ((v = yfile_find(l->yf, n, "final")) != NULL &&
	    yfile_bool(l->d, l->yf, v, &r.final) != 0)
		bad = 1;
	if ((v = yfile_find(l->yf, n, "mode")) != NULL) {
		s = yfile_scalar(v);
		if (s != NULL && strcmp(s, "shadow") == 0)
			r.shadow = 1;
		else if (s == NULL || strcmp(s, "live") != 0) {
			yfile_error(l->d, l->yf, v, "mode must be live or "
			    "shadow");
			bad = 1;
		}
	}
	if (load_window(l, &r, n) != 0)
		bad = 1;
	if (precision_load(l->d, l->yf, n, &r) != 0)
		bad = 1;
	if (r.final && (limit != NULL || esc != NULL)) {
		yfile_error(l->d, l->yf, yfile_find(l->yf, n, "final"), "%s "
		    "rule cannot be final", limit != NULL ? "a rate_limit" :
		    "an escalate");
		bad = 1;
	}
	if ((v = yfile_find(l->yf, n, "tests")) != NULL) {
		if (match == NULL && words == NULL && file == NULL) {
			yfile_error(l->d, l->yf, v, "tests need match, words or "
			    "words_file: they are texts to match");
			bad = 1;
		} else if (load_examples(l, &r, v) != 0)
			bad = 1;
	}

	if (bad || l->d->n != before) {
		ruleset_rule_clear(&r);
		return;
	}
	if (r.reason == NULL || *r.reason == '\0') {
		free(r.reason);
		r.reason = xstrdup(r.name);
	}
	if (l->rs->nrules == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->rs->rules = xreallocarray(l->rs->rules, l->cap,
		    sizeof *l->rs->rules);
	}
	/*
	 * A when-only rule has no text to look at; a classify rule reads
	 * the words the classifier learns by, whatever its normalize says.
	 */
	if (r.classify)
		r.stages = BAYES_STAGES;
	if (r.match == NULL && r.list == NULL && !r.classify)
		r.stages = 0;
	else {
		r.vstages = r.list != NULL ? liststages : r.stages;
		r.view = ruleset_view(l->rs, r.field, r.vstages);
	}
	r.caseless = caseless;
	if (r.limit != NULL && ratelimit_has_text(r.limit))
		r.limit->text_view = ruleset_view(l->rs, "text",
		    RATELIMIT_TEXT_STAGES);
	r.index = l->rs->nrules;
	r.stats = xcalloc(1, sizeof *r.stats);
	l->rs->classifying += r.classify != CLASSIFY_NONE;
	l->rs->rules[l->rs->nrules++] = r;
	l->rs->file_rules[l->rs->nfiles - 1]++;
}

/* Loads one file, or buf when it is not NULL (then path is its name). */
static void
load_file(struct loader *l, const char *path, const char *buf, size_t len)
{
	struct yfile		 yf;
	yaml_node_t		*root;
	yaml_node_item_t	*it;
	struct ruleset		*rs = l->rs;
	const char		*base;

	rs->files = xreallocarray(rs->files, rs->nfiles + 1, sizeof *rs->files);
	rs->file_rules = xreallocarray(rs->file_rules, rs->nfiles + 1,
	    sizeof *rs->file_rules);
	rs->files[rs->nfiles] = xstrdup(path);
	rs->file_rules[rs->nfiles] = 0;
	l->file = rs->files[rs->nfiles++];

	if ((buf != NULL ? yfile_load_mem(&yf, path, buf, len, l->d) :
	    yfile_load(&yf, path, l->d)) != 0) {
		yfile_free(&yf);
		return;
	}
	l->yf = &yf;
	/* The file's name (not its directory) and its bytes. */
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	sha256_update(&l->hash, strlen(base) + 1, (const uint8_t *)base);
	sha256_update(&l->hash, yf.len, (const uint8_t *)yf.src);
	sha256_update(&l->hash, 1, (const uint8_t *)"");
	root = yfile_root(&yf);
	if (root != NULL && root->type != YAML_SEQUENCE_NODE)
		yfile_error(l->d, &yf, root, "a rule file must be a list of "
		    "rules, each starting with '- name:'");
	else if (root != NULL) {
		for (it = root->data.sequence.items.start;
		    it < root->data.sequence.items.top; it++)
			load_rule(l, yfile_node(&yf, *it));
	}
	l->yf = NULL;
	yfile_free(&yf);
}

/*
 * The ruleset's hash: its files' names and bytes, its word files'
 * entries, and the options that change decisions (the default action,
 * PCRE2's limits), never paths or times, so every instance that loads
 * the same files says the same. 12 hex digits.
 */
static void
ruleset_hash_finish(struct ruleset *rs, struct sha256_ctx *h,
    const struct rules_options *o)
{
	uint8_t		 digest[SHA256_DIGEST_SIZE];
	char		 opts[64];
	size_t		 i;

	snprintf(opts, sizeof opts, "default_action=%d match_limit=%u "
	    "depth_limit=%u", (int)o->default_action, o->match_limit,
	    o->depth_limit);
	sha256_update(h, strlen(opts), (const uint8_t *)opts);
	sha256_digest(h, sizeof digest, digest);
	for (i = 0; i < (sizeof rs->hash - 1) / 2 && i < sizeof digest; i++)
		snprintf(rs->hash + 2 * i, 3, "%02x", digest[i]);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Loads the files paths[0..n), or, when buf is not NULL, the one file
 * text buf named paths[0]. Returns the ruleset, or NULL with every error
 * in d.
 */
static struct ruleset *
load(char **paths, size_t n, const char *buf, size_t len,
    const struct rules_options *opts, struct diag *d)
{
	struct loader	l;
	size_t		i, before = d->n;

	memset(&l, 0, sizeof l);
	l.rs = xcalloc(1, sizeof *l.rs);
	l.opts = opts;
	l.d = d;
	sha256_init(&l.hash);
	for (i = 0; i < n; i++)
		load_file(&l, paths[i], buf, len);
	ruleset_hash_finish(l.rs, &l.hash, opts);
	normalizer_free(l.nz);
	l.rs->lexicon = l.lexicon;	/* the ruleset owns it now */
	if (d->n != before) {
		ruleset_free(l.rs);
		free(l.hs_why);
		return NULL;
	}
	if (opts->prefilter)
		l.rs->prefilter = prefilter_new(l.rs, libhs_unusable(&l), opts);
	free(l.hs_why);
	l.rs->born = clock_monotonic_us();
	return l.rs;
}

/* Loads a ruleset from one file's text, named name in messages. */
struct ruleset *
rules_load_buffer(const char *name, const char *buf, size_t len,
    const struct rules_options *opts, struct diag *d)
{
	char	*path = (char *)name;

	return load(&path, 1, buf, len, opts, d);
}

/*
 * Loads every *.yaml file of dir (not hidden ones) in lexical byte order.
 * Rule examples are not run here: see rules_load_checked.
 */
struct ruleset *
rules_load_dir(const char *dir, const struct rules_options *opts,
    struct diag *d)
{
	DIR		*dp;
	struct dirent	*de;
	struct ruleset	*rs;
	char		**paths = NULL;
	size_t		 n = 0, i, len;

	if ((dp = opendir(dir)) == NULL) {
		diag_add(d, dir, 0, 0, "cannot read rules directory: %s",
		    strerror(errno));
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		paths = xreallocarray(paths, n + 1, sizeof *paths);
		/* "rules/" names its files rules/x.yaml, not rules//x.yaml. */
		xasprintf(&paths[n++], "%s%s%s", dir, *dir != '\0' &&
		    dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
	}
	closedir(dp);
	if (n == 0) {
		diag_add(d, dir, 0, 0, "no *.yaml rule files in the rules "
		    "directory");
		free(paths);
		return NULL;
	}
	qsort(paths, n, sizeof *paths, cmp_names);
	rs = load(paths, n, NULL, 0, opts, d);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rs;
}

/*
 * Loads dir as rules_load_dir does, then runs every rule's tests:
 * examples with a matcher of its own. Failing examples go into d and are
 * counted in *failed, *examples counts those run; the ruleset is returned
 * all the same (--explain works with it, the daemon refuses it). NULL if
 * the rules do not load.
 */
struct ruleset *
rules_load_checked(const char *dir, const struct rules_options *opts,
    struct diag *d, size_t *examples, size_t *failed)
{
	struct ruleset	*rs;
	struct matcher	*m;

	*examples = *failed = 0;
	if ((rs = rules_load_dir(dir, opts, d)) == NULL)
		return NULL;
	m = matcher_new(opts);
	*failed = matcher_examples(m, rs, d, examples);
	matcher_free(m);
	return rs;
}
