/* Rule loading and matching: no Redis. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "diag.h"
#include "matcher.h"
#include "rules_load.h"

static struct matcher *
matcher(void)
{
	struct rules_options	o;

	ruleset_options_default(&o);
	return matcher_new(&o);
}

/* 1 if rule name of rs matches text, 0 if not, -1 on error. */
static int
matches(struct ruleset *rs, const char *name, const char *text, size_t len)
{
	struct matcher	*m = matcher();
	struct hit	 h;
	size_t		 i;
	int		 rc = -2;

	for (i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].name, name) == 0)
			rc = matcher_text(m, &rs->rules[i], text, len, &h);
	matcher_free(m);
	assert_int_not_equal(rc, -2);
	return rc;
}
#define M(rs, n, t)	matches((rs), (n), (t), strlen(t))

static void
test_good_file(void **state)
{
	struct diag	 d;
	struct ruleset	*rs;
	struct rule	*r;

	diag_init(&d);
	rs = test_load(
	    "- name: pharma\n"
	    "  match: '\\b(viagra|cialis)\\b'\n"
	    "  except: ['\\bviagra trials?\\b']\n"
	    "  action: reject\n"
	    "  reason: pharmaceutical spam\n"
	    "  tests:\n"
	    "    match: ['Buy VIAGRA']\n"
	    "    no_match: ['the viagra trial']\n"
	    "- name: links\n"
	    "  field: url\n"
	    "  match: 'https?://'\n"
	    "  action: flag\n"
	    "  final: yes\n"
	    "- name: trial\n"
	    "  words: [a, b]\n"
	    "  action: approve\n"
	    "  mode: shadow\n", &d);
	assert_int_equal(d.n, 0);
	assert_non_null(rs);
	assert_int_equal(rs->nrules, 3);
	r = &rs->rules[0];
	assert_string_equal(r->name, "pharma");
	assert_int_equal(r->line, 1);
	assert_string_equal(r->field, "text");
	assert_int_equal(r->action, ACTION_REJECT);
	assert_string_equal(r->reason, "pharmaceutical spam");
	assert_int_equal(r->nexcept, 1);
	assert_int_equal(r->nexamples, 2);
	assert_int_equal(r->examples[0].line, 7);
	assert_int_equal(r->examples[1].must_match, 0);
	r = &rs->rules[1];
	assert_string_equal(r->field, "url");
	assert_true(r->final);
	assert_string_equal(r->reason, "links");	/* defaults to the name */
	assert_true(rs->rules[2].shadow);
	ruleset_free(rs);
}

static void
test_files_in_order(void **state)
{
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*rs;
	char			*dir = test_mkdtemp();

	free(test_write(dir, "b.yaml", "- {name: b, match: b, action: flag}\n"));
	free(test_write(dir, "a.yaml", "- {name: a, match: a, action: flag}\n"));
	free(test_write(dir, "c.yml", "- {name: c, match: c, action: flag}\n"));
	free(test_write(dir, ".hidden.yaml", "garbage: ["));
	free(test_write(dir, "empty.yaml", "# nothing yet\n"));
	ruleset_options_default(&o);
	diag_init(&d);
	rs = rules_load_dir(dir, &o, &d);
	assert_non_null(rs);
	assert_int_equal(rs->nfiles, 3);
	assert_int_equal(rs->nrules, 2);
	assert_string_equal(rs->rules[0].name, "a");
	assert_string_equal(rs->rules[1].name, "b");
	assert_int_equal(rs->file_rules[2], 0);
	ruleset_free(rs);
	test_rmdir(dir);
	diag_free(&d);
}

static void
test_empty_dir(void **state)
{
	struct rules_options	 o;
	struct diag		 d;
	char			*dir = test_mkdtemp();

	ruleset_options_default(&o);
	diag_init(&d);
	assert_null(rules_load_dir(dir, &o, &d));
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.lines[0], "no *.yaml rule files"));
	diag_free(&d);
	assert_null(rules_load_dir("/nonexistent/rules", &o, &d));
	assert_non_null(strstr(d.lines[0], "/nonexistent/rules: cannot read"));
	diag_free(&d);
	test_rmdir(dir);
}

/* Each error ends in "file:line:column: message"; check the tail. */
static void
expect_error(const char *yaml, const char *where_msg)
{
	struct diag	 d;
	struct ruleset	*rs;
	size_t		 i;
	int		 found = 0;

	diag_init(&d);
	rs = test_load(yaml, &d);
	assert_null(rs);
	for (i = 0; i < d.n; i++)
		if (strstr(d.lines[i], where_msg) != NULL)
			found = 1;
	if (!found) {
		for (i = 0; i < d.n; i++)
			print_error("got: %s\n", d.lines[i]);
		fail_msg("expected '%s'", where_msg);
	}
	diag_free(&d);
}

static void
test_errors(void **state)
{
	expect_error("- name: x\n  match: [\n", "rules.yaml:3:1: did not find");
	expect_error("- name: x\n  matsh: a\n  action: flag\n",
	    "rules.yaml:2:3: unknown key 'matsh' in a rule");
	/* The column points into the pattern: ')' at offset 3 -> column 13. */
	expect_error("- name: x\n  match: 'ab)c'\n  action: flag\n",
	    "rules.yaml:2:13: bad regex: unmatched closing parenthesis "
	    "(at offset 2)");
	/* '' is one quote in the value, two columns in the file. */
	expect_error("- name: x\n  match: 'it''s (a'\n  action: flag\n",
	    "rules.yaml:2:19: bad regex: missing closing parenthesis");
	expect_error("- name: x\n  match: a\n  except: ['(']\n  action: flag\n",
	    "rules.yaml:3:14: bad regex: missing closing parenthesis");
	expect_error("- name: x\n  match: a\n  action: flag\n"
	    "- name: x\n  match: b\n  action: flag\n",
	    "rules.yaml:4:9: duplicate rule name 'x' (first defined at ");
	expect_error("- name: x\n  match: a\n  action: block\n",
	    "rules.yaml:3:11: action must be approve, flag or reject");
	expect_error("- name: x\n  match: a\n", "rules.yaml:1:3: rule x has no "
	    "action");
	expect_error("- name: x\n  action: flag\n", "rules.yaml:1:3: rule x "
	    "needs match, words, words_file, classify, when, rate_limit or "
	    "escalate");
	expect_error("- name: x\n  match: a\n  words: [a]\n  action: flag\n",
	    "rules.yaml:3:10: a rule has one of match, words, words_file and "
	    "classify");
	expect_error("- name: x\n  match: a\n  classify: spam\n  action: flag\n",
	    "rules.yaml:3:13: a rule has one of match, words, words_file and "
	    "classify");
	expect_error("- name: x\n  classify: eggs\n  action: flag\n",
	    "rules.yaml:2:13: classify must be spam or ham, not 'eggs'");
	expect_error("- name: x\n  classify: spam\n  min_probability: 2\n"
	    "  action: flag\n", "rules.yaml:3:20: min_probability must be a "
	    "number above 0 and at most 1");
	expect_error("- name: x\n  match: a\n  min_probability: 0.9\n"
	    "  action: flag\n", "rules.yaml:3:20: min_probability needs "
	    "classify");
	expect_error("- name: x\n  classify: spam\n  rate_limit: {key: author, "
	    "max: 1, per: 1m}\n  action: flag\n", "rules.yaml:2:13: a "
	    "rate_limit rule cannot classify");
	expect_error("- name: 'a,b'\n  match: a\n  action: flag\n",
	    "rules.yaml:1:9: rule name must be");
	expect_error("- name: x\n  match: a\n  action: flag\n  final: maybe\n",
	    "rules.yaml:4:10: expected true or false, not 'maybe'");
	expect_error("- name: x\n  match: a\n  action: flag\n  mode: dry\n",
	    "rules.yaml:4:9: mode must be live or shadow");
	expect_error("- name: x\n  match: a\n  action: flag\n  tests: {match: a}\n",
	    "rules.yaml:4:18: tests: match must be a list");
	expect_error("- name: x\n  match: a\n  name: y\n  action: flag\n",
	    "rules.yaml:3:3: duplicate key 'name' in a rule");
	expect_error("name: x\n", "rules.yaml:1:1: a rule file must be a list");
	expect_error("- name: x\n  words: []\n  action: flag\n",
	    "rules.yaml:2:10: words must be a non-empty list");
	expect_error("- name: x\n  match: '(*NO_JIT)a+'\n  action: flag\n",
	    "rules.yaml:2:11: the verb (*NO_JIT) is not allowed");
	expect_error("- name: x\n  match: '(*UCP)(*LIMIT_MATCH=99999999)a'\n"
	    "  action: flag\n", "rules.yaml:2:17: the verb "
	    "(*LIMIT_MATCH=99999999) is not allowed");
	expect_error("- name: x\n  match: a\n  except: '(*NO_START_OPT)b'\n"
	    "  action: flag\n", "rules.yaml:3:12: the verb (*NO_START_OPT) is "
	    "not allowed");
	expect_error("- name: x\n  match: a\n  action: flag\n---\n- name: y\n",
	    "rules.yaml:4:1: only one YAML document");
}

/* All errors of a file come out of one run, ntpd parse.y style. */
static void
test_all_errors_reported(void **state)
{
	struct diag	 d;

	diag_init(&d);
	assert_null(test_load("- name: x\n  match: '('\n  action: flag\n"
	    "- name: y\n  match: a\n  action: nope\n"
	    "- name: z\n  match: a\n  action: flag\n  bogus: 1\n", &d));
	assert_int_equal(d.n, 3);
	diag_free(&d);
}

static void
test_words_are_whole(void **state)
{
	struct ruleset	*rs;

	rs = test_load_ok("- name: w\n  words: [cunt, ass, f*ck, kill yourself]\n"
	    "  action: flag\n");
	assert_int_equal(M(rs, "w", "Scunthorpe United"), MATCH_NONE);
	assert_int_equal(M(rs, "w", "a classic assassin"), MATCH_NONE);
	assert_int_equal(M(rs, "w", "what an ass."), MATCH_HIT);
	assert_int_equal(M(rs, "w", "ASS"), MATCH_HIT);
	assert_int_equal(M(rs, "w", "f*ck off"), MATCH_HIT);
	assert_int_equal(M(rs, "w", "fuck off"), MATCH_NONE);
	assert_int_equal(M(rs, "w", "go kill   yourself"), MATCH_HIT);
	ruleset_free(rs);
}

static void
test_case_and_unicode(void **state)
{
	struct ruleset	*rs;

	rs = test_load_ok(
	    "- name: ru\n  words: ['дурак']\n  action: flag\n"
	    "- name: fr\n  match: '\\bécole\\b'\n  action: flag\n"
	    "- name: cs\n  match: 'Exact'\n  caseless: false\n  action: flag\n");
	/* UCP: \w knows Cyrillic, so a longer word is not a hit. */
	assert_int_equal(M(rs, "ru", "ты ДУРАК!"), MATCH_HIT);
	assert_int_equal(M(rs, "ru", "дураками"), MATCH_NONE);
	assert_int_equal(M(rs, "fr", "L'ÉCOLE est fermée"), MATCH_HIT);
	assert_int_equal(M(rs, "fr", "préécoles"), MATCH_NONE);
	assert_int_equal(M(rs, "cs", "Exact"), MATCH_HIT);
	assert_int_equal(M(rs, "cs", "exact"), MATCH_NONE);
	ruleset_free(rs);
}

static void
test_invalid_utf8(void **state)
{
	struct ruleset	*rs;
	const char	 junk[] = "\xff\xfe buy \xc3 viagra \xed\xa0\x80 now\x00!";

	rs = test_load_ok("- name: p\n  words: [viagra]\n  action: reject\n"
	    "- name: any\n  match: '.'\n  action: flag\n");
	assert_int_equal(matches(rs, "p", junk, sizeof junk - 1), MATCH_HIT);
	assert_int_equal(matches(rs, "any", "\xff\xff", 2), MATCH_NONE);
	assert_int_equal(matches(rs, "p", "\x80viagra\x80", 8), MATCH_HIT);
	ruleset_free(rs);
}

static void
test_except(void **state)
{
	struct ruleset	*rs;

	rs = test_load_ok("- name: p\n  match: viagra\n  except: 'trial'\n"
	    "  action: reject\n");
	assert_int_equal(M(rs, "p", "viagra"), MATCH_HIT);
	assert_int_equal(M(rs, "p", "viagra trial"), MATCH_NONE);
	ruleset_free(rs);
}

static void
test_examples(void **state)
{
	struct diag	 d;
	struct ruleset	*rs;
	struct matcher	*m = matcher();
	size_t		 total;

	rs = test_load_ok("- name: p\n  match: viagra\n  action: reject\n"
	    "  tests:\n    match: [viagra, cialis]\n"
	    "    no_match: [aspirin, 'viagra!']\n");
	diag_init(&d);
	assert_int_equal(matcher_examples(m, rs, &d, &total), 2);
	assert_int_equal(total, 4);
	assert_non_null(strstr(d.lines[0], "rules.yaml:5: rule p: example "
	    "'cialis' should match but does not"));
	assert_non_null(strstr(d.lines[1], "rules.yaml:6: rule p: example "
	    "'viagra!' should not match but does"));
	ruleset_free(rs);
	matcher_free(m);
	diag_free(&d);
}

/* A catastrophic pattern stops at the match limit instead of hanging. */
static void
test_match_limit(void **state)
{
	struct diag	 d;
	struct ruleset	*rs;
	char		 text[4096];

	memset(text, 'a', sizeof text - 2);
	text[sizeof text - 2] = '!';
	text[sizeof text - 1] = '\0';
	diag_init(&d);
	rs = test_load("- name: bad\n  match: '(a+)+$'\n  action: flag\n", &d);
	assert_non_null(rs);
	assert_int_equal(M(rs, "bad", text), MATCH_ERROR);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_files_in_order),
		cmocka_unit_test(test_empty_dir),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_words_are_whole),
		cmocka_unit_test(test_case_and_unicode),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_except),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_match_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
