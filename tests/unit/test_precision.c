/*
 * Rules' precision: the Wilson interval, min_precision and min_verdicts,
 * the definition hash that lifts a demotion, what a demotion does to a
 * decision, and verdict entries parsed.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "decision.h"
#include "matcher.h"
#include "precision.h"
#include "verdict_proto.h"

#define B(s)	((struct bytes){ (s), strlen(s) })

static void
test_wilson(void **state)
{
	double	lo, hi;

	precision_wilson(0, 0, &lo, &hi);
	assert_true(lo == 0 && hi == 1);
	/* 2 of 10: about [0.057, 0.510] (the textbook value). */
	precision_wilson(2, 8, &lo, &hi);
	assert_true(lo > 0.056 && lo < 0.058);
	assert_true(hi > 0.509 && hi < 0.511);
	precision_wilson(10, 0, &lo, &hi);
	assert_true(hi > 0.9999 && hi <= 1 && lo > 0.72 && lo < 0.73);
	/* More verdicts, a narrower interval around the same precision. */
	precision_wilson(200, 800, &lo, &hi);
	assert_true(lo > 0.17 && hi < 0.23);
}

static void
expect_error(const char *yaml, const char *msg)
{
	struct diag	d;

	diag_init(&d);
	assert_null(test_load(yaml, &d));
	assert_true(d.n > 0);
	if (strstr(d.lines[0], msg) == NULL)
		fail_msg("got '%s', expected '%s'", d.lines[0], msg);
	diag_free(&d);
}

static void
test_keys(void **state)
{
	struct ruleset	*rs, *rs2;

	rs = test_load_ok("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: 0.7\n  min_verdicts: 12\n"
	    "- name: b\n  match: y\n  action: flag\n");
	assert_true(rs->rules[0].min_precision == 0.7);
	assert_int_equal(rs->rules[0].min_verdicts, 12);
	assert_true(rs->rules[1].min_precision < 0);
	assert_int_equal(rs->rules[1].min_verdicts, RULES_DEFAULT_MIN_VERDICTS);
	assert_int_equal(strlen(rs->rules[0].def), 16);
	/* Its tests and floor are not its definition; what it matches is. */
	rs2 = test_load_ok("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: 0.9\n  tests: { match: [x] }\n"
	    "- name: b\n  match: 'y+'\n  action: flag\n");
	assert_string_equal(rs->rules[0].def, rs2->rules[0].def);
	assert_string_not_equal(rs->rules[1].def, rs2->rules[1].def);
	ruleset_free(rs);
	ruleset_free(rs2);

	expect_error("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: 1.5\n", "rules.yaml:4:18: min_precision must be");
	expect_error("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: high\n", "min_precision must be a number");
	expect_error("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: 0\n", "min_precision must be");
	expect_error("- name: a\n  match: x\n  action: flag\n"
	    "  min_verdicts: 5\n", "min_verdicts needs min_precision");
	expect_error("- name: a\n  match: x\n  action: flag\n"
	    "  min_precision: 0.5\n  min_verdicts: 0\n", "out of range");
}

/* A demoted rule acts one step milder, and is named where it now stands. */
static void
test_demoted_decision(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs;
	struct matcher		*m;
	struct entry		 e;
	struct entry_limits	 lim;
	struct decision		 d;
	struct bytes		 kv[4] = { B("id"), B("c1"), B("text"),
				    B("buy viagra, idiot") };

	rs = test_load_ok("- name: pills\n  match: viagra\n  action: reject\n"
	    "- name: insult\n  match: idiot\n  action: flag\n");
	ruleset_options_default(&o);
	m = matcher_new(&o);
	entry_limits_default(&lim);
	entry_init(&e, B("1-0"), kv, 2, &lim);
	rs->rules[0].stats->demoted = DEMOTED_FLAG;
	rs->rules[1].stats->demoted = DEMOTED_SHADOW;
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, ACTION_FLAG);
	assert_string_equal(d.rules, "pills");
	assert_string_equal(d.shadow, "insult");
	decision_free(&d);
	rs->rules[0].stats->demoted = DEMOTED_NONE;
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, ACTION_REJECT);
	decision_free(&d);
	entry_free(&e);
	matcher_free(m);
	ruleset_free(rs);
}

static void
test_verdict_parse(void **state)
{
	struct verdict	v;
	struct bytes	ok[6] = { B("id"), B("c1"), B("verdict"), B("remove"),
			    B("decision_entry"), B("5-1") };
	struct bytes	bad[4] = { B("id"), B("c1"), B("verdict"), B("meh") };
	struct bytes	noid[2] = { B("verdict"), B("approve") };

	verdict_parse(&v, "9-0", ok, 3);
	assert_string_equal(v.sid, "9-0");
	assert_string_equal(v.id, "c1");
	assert_string_equal(v.verdict, "remove");
	assert_string_equal(v.entry, "5-1");
	assert_string_equal(v.bad, "");
	verdict_clear(&v);
	verdict_parse(&v, "9-1", bad, 2);
	assert_string_equal(v.bad, "the verdict is neither approve nor remove");
	verdict_clear(&v);
	verdict_parse(&v, "9-2", noid, 1);
	assert_string_equal(v.bad, "no id");
	verdict_clear(&v);
	verdict_parse(&v, "9-3", NULL, 0);
	assert_string_equal(v.bad, "no id");
	verdict_clear(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_demoted_decision),
		cmocka_unit_test(test_verdict_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
