/* Decision precedence, final, shadow, errors and malformed entries. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "clock.h"
#include "decision.h"

struct fixture {
	struct ruleset	*rs;
	struct matcher	*m;
};

static int
setup(void **state)
{
	struct fixture		*f = calloc(1, sizeof *f);
	struct rules_options	 o;
	struct diag		 d;

	diag_init(&d);
	f->rs = test_load(TEST_DECISION_RULES, &d);
	assert_non_null(f->rs);
	ruleset_options_default(&o);
	f->m = matcher_new(&o);
	diag_free(&d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	ruleset_free(f->rs);
	matcher_free(f->m);
	free(f);
	return 0;
}

/* Decides a comment with text and author; checks all three strings. */
static enum action
check(void **state, const char *author, const char *text, const char *rules,
    const char *shadow, const char *reason)
{
	struct fixture		*f = *state;
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[6] = {
		{ "id", 2 }, { "c1", 2 }, { "text", 4 }, { text, strlen(text) },
		{ "author", 6 }, { author, strlen(author) } };
	enum action		 a;

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 3, &lim);
	decision_make(f->m, f->rs, &e, ACTION_APPROVE, &d);
	assert_string_equal(d.rules, rules);
	assert_string_equal(d.shadow, shadow);
	assert_string_equal(d.reason, reason);
	a = d.action;
	decision_free(&d);
	entry_free(&e);
	return a;
}

static void
test_no_match(void **state)
{
	assert_int_equal(check(state, "bob", "a fine comment", "", "", ""),
	    ACTION_APPROVE);
}

static void
test_most_severe_wins(void **state)
{
	/* Every matching rule is named; the reject decides and gives the reason. */
	assert_int_equal(check(state, "bob", "thanks, see http://x viagra",
	    "link,spam,thanks", "", "pharma spam"), ACTION_REJECT);
	assert_int_equal(check(state, "bob", "http://x thanks", "link,thanks",
	    "", "has a link"), ACTION_FLAG);
	/* Two rejects: the first in rule order gives the reason. */
	assert_int_equal(check(state, "bob", "cialis viagra", "spam,spam2", "",
	    "pharma spam"), ACTION_REJECT);
	assert_int_equal(check(state, "bob", "thanks", "thanks", "", "thanks"),
	    ACTION_APPROVE);
}

static void
test_final(void **state)
{
	/* The final rule decides alone: the others are not run. */
	assert_int_equal(check(state, "editor", "viagra http://x", "trusted",
	    "", "trusted"), ACTION_APPROVE);
}

static void
test_shadow(void **state)
{
	/* Shadow rules are named apart and never change the decision. */
	assert_int_equal(check(state, "bob", "you idiot", "", "trial", ""),
	    ACTION_APPROVE);
	assert_int_equal(check(state, "bob", "idiot http://x", "link", "trial",
	    "has a link"), ACTION_FLAG);
	/* A shadow final rule stops nothing. */
	assert_int_equal(check(state, "bob", "hello viagra", "spam",
	    "shadow-final", "pharma spam"), ACTION_REJECT);
}

static void
test_default_action(void **state)
{
	struct fixture		*f = *state;
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { "hi", 2 } };

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(f->m, f->rs, &e, ACTION_FLAG, &d);
	assert_int_equal(d.action, ACTION_FLAG);
	assert_string_equal(d.rules, "");
	decision_free(&d);
	entry_free(&e);
}

static void
test_malformed_and_too_long(void **state)
{
	struct fixture		*f = *state;
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { "viagra viagra", 13 } };

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv + 2, 1, &lim);
	decision_make(f->m, f->rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, ACTION_FLAG);
	assert_string_equal(d.reason, "malformed: no id field");
	decision_free(&d);
	entry_free(&e);

	lim.max_text = 5;
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(f->m, f->rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, ACTION_FLAG);
	assert_string_equal(d.reason, "too long: the text has 13 bytes");
	assert_string_equal(d.rules, "");
	decision_free(&d);
	entry_free(&e);
}

/*
 * Decides a 3,000-byte "aaa...a!" text with the rules in yaml and a match limit
 * low enough for '(a+)+$' to hit it, and checks the outcome.
 */
static void
check_pathological(const char *yaml, enum action action,
    const char *rules, const char *reason)
{
	struct matcher		*m;
	struct ruleset		*rs;
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	char			 text[TEST_SLOW_LEN];
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { text, sizeof text } };

	rs = test_load_ok_prefilter(yaml, 0);
	m = test_slow_matcher(text);
	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, action);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.rules, rules);
	assert_string_equal(d.reason, reason);
	decision_free(&d);
	entry_free(&e);
	matcher_free(m);
	ruleset_free(rs);
}

/* A rule that cannot run flags the comment and is named: fail safe. */
static void
test_rule_error_flags(void **state)
{
	check_pathological(TEST_SLOW_RULES, ACTION_FLAG,
	    "slow,ok", "rule error: slow could not run");
}

/* A final rule that cannot run still flags, though a later one decides. */
static void
test_final_after_error(void **state)
{
	check_pathological("- name: slow\n  match: '(a+)+$'\n  action: reject\n"
	    "  final: true\n- name: ok\n  match: 'a!'\n  action: approve\n"
	    "  final: true\n", ACTION_FLAG, "slow,ok",
	    "rule error: slow could not run");
}

/*
 * With the prefilter, a rule whose required literals are not in a text is
 * not run at all (its run count stays 0), and one whose are is run; a
 * rule that requires none (it may match anything) always runs.
 */
static void
test_prefilter_runs_only_candidates(void **state)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct ruleset		*rs = test_load_ok(
	    "- name: pharma\n  words: [viagra, cialis]\n  action: reject\n"
	    "- name: caps\n  match: '^(?(?=\\d)\\d+|\\P{Ll}+)$'\n"
	    "  action: flag\n");
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { "a plain comment", 15 } };

	ruleset_options_default(&o);
	m = matcher_new(&o);
	assert_non_null(rs->prefilter);
	assert_int_equal(rs->prefilter->path[0], PATH_EXACT);
	/* A conditional is not rewritten, and requires no literal. */
	assert_int_equal(rs->prefilter->path[1], PATH_ALWAYS);
	assert_int_equal(rs->prefilter->prefiltered, 1);
	assert_int_equal(rs->prefilter->always, 1);
	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_string_equal(d.rules, "");
	assert_int_equal(rs->rules[0].stats->runs, 0);
	assert_int_equal(rs->rules[1].stats->runs, 1);
	decision_free(&d);
	entry_free(&e);
	kv[3] = (struct bytes){ "Buy CIALIS", 10 };
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_string_equal(d.rules, "pharma");
	assert_int_equal(rs->rules[0].stats->runs, 1);
	decision_free(&d);
	entry_free(&e);
	matcher_free(m);
	ruleset_free(rs);
}

/* ISO 8601 times: the forms rules use, and what is refused. */
static void
test_times(void **state)
{
	int64_t	ms;
	char	buf[CLOCK_ISO8601_MAX];

	assert_int_equal(clock_parse_iso8601("2026-11-03T06:00:00Z", &ms), 0);
	assert_true(ms == 1793685600000LL);
	clock_format_iso8601(ms, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-03T06:00:00Z");
	assert_int_equal(clock_parse_iso8601("2026-11-03T08:00:00+02:00",
	    &ms), 0);
	assert_true(ms == 1793685600000LL);
	assert_int_equal(clock_parse_iso8601("2026-11-03T01:30-0430", &ms), 0);
	assert_true(ms == 1793685600000LL);
	assert_int_equal(clock_parse_iso8601("2026-11-03", &ms), 0);
	assert_true(ms == 1793664000000LL);
	assert_int_equal(clock_parse_iso8601("2026-11-03T06:00:00.25Z", &ms),
	    0);
	assert_true(ms == 1793685600250LL);
	clock_format_iso8601(ms, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-03T06:00:00.250Z");
	assert_int_equal(clock_parse_iso8601("2026-11-03T06:00:00", &ms), 0);
	assert_true(ms == 1793685600000LL);		/* UTC */
	assert_int_equal(clock_parse_iso8601("2026-11-03 06:00", &ms), 0);
	assert_true(ms == 1793685600000LL);
	assert_int_equal(clock_parse_iso8601("2026-11-03T06:00:00+2", &ms), -1);
	assert_int_equal(clock_parse_iso8601("2026-13-03T06:00:00Z", &ms), -1);
	assert_int_equal(clock_parse_iso8601("2026-11-03T06:00:00Zjunk", &ms),
	    -1);
	assert_int_equal(clock_parse_iso8601("tomorrow", &ms), -1);
	assert_int_equal(clock_parse_iso8601("", &ms), -1);
}

/* A time-boxed rule decides only inside its window, as at m->at. */
static void
test_window(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(
	    "- name: surge\n  match: 'polls'\n  action: reject\n"
	    "  valid_from: 2026-11-03T06:00:00Z\n"
	    "  valid_until: 2026-11-04T06:00:00Z\n");
	struct matcher		*m;
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[4] = { { "id", 2 }, { "c1", 2 },
	    { "text", 4 }, { "the polls", 9 } };
	static const int64_t	 at[] = { 1793685599999LL, 1793685600000LL,
	    1793771999999LL, 1793772000000LL };
	static const enum action want[] = { ACTION_APPROVE, ACTION_REJECT,
	    ACTION_REJECT, ACTION_APPROVE };
	size_t			 i;

	assert_int_equal(rs->timed, 1);
	assert_true(ruleset_next_change(rs, at[0]) == at[1]);
	assert_true(ruleset_next_change(rs, at[1]) == at[3]);
	assert_true(ruleset_next_change(rs, at[3]) == INT64_MAX);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	entry_limits_default(&lim);
	for (i = 0; i < 4; i++) {
		m->at = at[i];
		entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
		decision_make(m, rs, &e, ACTION_APPROVE, &d);
		if (d.action != want[i])
			fail_msg("at %lld: %s", (long long)at[i],
			    action_name(d.action));
		decision_free(&d);
		entry_free(&e);
	}
	matcher_free(m);
	ruleset_free(rs);
}

/* The ruleset's hash: the same for the same files, another for an edit. */
static void
test_hash(void **state)
{
	struct ruleset	*a = test_load_ok("- name: x\n  match: 'a'\n"
	    "  action: flag\n");
	struct ruleset	*b = test_load_ok("- name: x\n  match: 'a'\n"
	    "  action: flag\n");
	struct ruleset	*c = test_load_ok("- name: x\n  match: 'b'\n"
	    "  action: flag\n");
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*e;

	assert_int_equal(strlen(a->hash), 12);
	assert_string_equal(a->hash, b->hash);
	assert_string_not_equal(a->hash, c->hash);
	/* The default action changes decisions: it changes the hash. */
	ruleset_options_default(&o);
	o.default_action = ACTION_FLAG;
	diag_init(&d);
	e = test_load_with("- name: x\n  match: 'a'\n  action: flag\n", &o,
	    &d);
	assert_non_null(e);
	assert_string_not_equal(a->hash, e->hash);
	diag_free(&d);
	ruleset_free(a);
	ruleset_free(b);
	ruleset_free(c);
	ruleset_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_most_severe_wins),
		cmocka_unit_test(test_final),
		cmocka_unit_test(test_final_after_error),
		cmocka_unit_test(test_shadow),
		cmocka_unit_test(test_default_action),
		cmocka_unit_test(test_malformed_and_too_long),
		cmocka_unit_test(test_rule_error_flags),
		cmocka_unit_test(test_prefilter_runs_only_candidates),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
