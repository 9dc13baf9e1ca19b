/* Helpers shared by the unit tests: temporary rule directories. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes a fresh directory under TEST_TMPDIR (or /tmp); caller frees. */
static inline char *
test_mkdtemp(void)
{
	const char	*base = getenv("TEST_TMPDIR");
	char		*p;

	if (asprintf(&p, "%s/mdtest.XXXXXX", base ? base : "/tmp") < 0 ||
	    mkdtemp(p) == NULL)
		abort();
	return p;
}

static inline char *
test_write(const char *dir, const char *name, const char *content)
{
	char	*p;
	FILE	*f;

	if (asprintf(&p, "%s/%s", dir, name) < 0 || (f = fopen(p, "w")) == NULL)
		abort();
	fputs(content, f);
	fclose(f);
	return p;
}

static inline void
test_rmdir(char *dir)
{
	char	*cmd;

	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	free(dir);
}



#include "matcher.h"
#include "matcher.h"
#include "rules_load.h"

/* Loads a ruleset from one YAML text with options o; NULL on errors. */
static inline struct ruleset *
test_load_with(const char *yaml, const struct rules_options *o,
    struct diag *d)
{
	struct ruleset		*rs;
	char			*dir = test_mkdtemp();

	free(test_write(dir, "rules.yaml", yaml));
	rs = rules_load_dir(dir, o, d);
	test_rmdir(dir);
	return rs;
}

/* Loads a ruleset from one YAML text; NULL with the errors in d. */
static inline struct ruleset *
test_load(const char *yaml, struct diag *d)
{
	struct rules_options	 o;

	ruleset_options_default(&o);
	return test_load_with(yaml, &o, d);
}
/* Loads rules that must load (prefilter as asked); fails otherwise. */
static inline struct ruleset *
test_load_ok_prefilter(const char *yaml, int prefilter)
{
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*rs;

	ruleset_options_default(&o);
	o.prefilter = prefilter;
	diag_init(&d);
	rs = test_load_with(yaml, &o, &d);
	if (rs == NULL)
		fail_msg("%s", d.n ? d.lines[0] : "no diagnostic");
	diag_free(&d);
	return rs;
}

/* Loads rules that must load; fails the test with the first error. */
static inline struct ruleset *
test_load_ok(const char *yaml)
{
	return test_load_ok_prefilter(yaml, 1);
}

/* Rules for precedence, final and shadow: the decision and batch tests. */
#define TEST_DECISION_RULES						\
	"- name: trusted\n"						\
	"  field: author\n"						\
	"  match: '^editor$'\n"						\
	"  action: approve\n"						\
	"  final: true\n"						\
	"- name: link\n"						\
	"  match: 'https?://'\n"					\
	"  action: flag\n"						\
	"  reason: has a link\n"					\
	"- name: spam\n"						\
	"  words: [viagra]\n"						\
	"  action: reject\n"						\
	"  reason: pharma spam\n"					\
	"- name: spam2\n"						\
	"  words: [cialis]\n"						\
	"  action: reject\n"						\
	"  reason: more pharma\n"					\
	"- name: thanks\n"						\
	"  words: [thanks]\n"						\
	"  action: approve\n"						\
	"- name: trial\n"						\
	"  words: [idiot]\n"						\
	"  action: reject\n"						\
	"  mode: shadow\n"						\
	"- name: shadow-final\n"					\
	"  words: [hello]\n"						\
	"  action: approve\n"						\
	"  final: true\n"						\
	"  mode: shadow\n"

/*
 * A rule that cannot run on the text test_slow_matcher makes: '(a+)+$'
 * on "aaa...a!" runs into the matcher's match limit of 10,000. (Loaded
 * with or without the prefilter: it requires only "a", which is there.)
 */
#define TEST_SLOW_RULES							\
	"- name: slow\n  match: '(a+)+$'\n  action: approve\n"		\
	"- name: ok\n  match: 'a!'\n  action: approve\n"
#define TEST_SLOW_LEN	3000

/* Fills text (TEST_SLOW_LEN bytes) and returns a matcher it is slow on. */
static inline struct matcher *
test_slow_matcher(char *text)
{
	struct rules_options	o;

	memset(text, 'a', TEST_SLOW_LEN);
	text[TEST_SLOW_LEN - 1] = '!';
	ruleset_options_default(&o);
	o.match_limit = 10000;
	return matcher_new(&o);
}

#endif
