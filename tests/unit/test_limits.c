/* when conditions and rate-limit rules: parsing, evaluation, keys. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "condition.h"
#include "decision.h"
#include "ladder.h"
#include "ratelimit.h"

#define B(s)	((struct bytes){ (s), strlen(s) })

static void
expect_error(const char *yaml, const char *msg)
{
	struct diag	d;
	size_t		i;

	diag_init(&d);
	assert_null(test_load(yaml, &d));
	for (i = 0; i < d.n; i++)
		if (strstr(d.lines[i], msg) != NULL)
			break;
	if (i == d.n) {
		for (i = 0; i < d.n; i++)
			print_error("got: %s\n", d.lines[i]);
		fail_msg("expected '%s'", msg);
	}
	diag_free(&d);
}

/* An entry from "k=v" strings; id and text are added if missing. */
static void
make_entry(struct entry *e, const char *const *kv, size_t n)
{
	struct entry_limits	 lim;
	struct bytes		 b[40];
	size_t			 i, m = 0;
	const char		*eq;

	for (i = 0; i < n; i++) {
		eq = strchr(kv[i], '=');
		b[2 * m] = (struct bytes){ kv[i], (size_t)(eq - kv[i]) };
		b[2 * m + 1] = B(eq + 1);
		m++;
	}
	entry_limits_default(&lim);
	entry_init(e, B("1700000000000-0"), b, m, &lim);
}

/* How many rate limits the comment of kv counts toward, with m and rs. */
static size_t
nchecks_of(struct matcher *m, const struct ruleset *rs,
    const char *const *kv, size_t n)
{
	struct entry	e;
	struct decision	d;
	size_t		k;

	make_entry(&e, kv, n);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	k = d.nchecks;
	decision_free(&d);
	entry_free(&e);
	return k;
}

static int
meets(const struct ruleset *rs, const char *const *kv, size_t n)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct entry		 e;
	struct hit		 h;
	enum match_result	 r;

	ruleset_options_default(&o);
	m = matcher_new(&o);
	make_entry(&e, kv, n);
	r = matcher_rule(m, &rs->rules[0], &e, &h);
	entry_free(&e);
	matcher_free(m);
	return (int)r;
}
#define MEETS(rs, ...)	meets((rs), (const char *const []){ __VA_ARGS__ }, \
    sizeof((const char *const []){ __VA_ARGS__ }) / sizeof(char *))

static void
test_numeric(void **state)
{
	struct ruleset	*rs;

	rs = test_load_ok("- name: new\n  when: { age: '< 2', karma: '>= -5' }\n"
	    "  action: flag\n");
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=1", "karma=0"), 1);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=1.99", "karma=-5"), 1);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=2", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=1", "karma=-6"), 0);
	/* Missing or non-numeric: the condition is not met, nothing breaks. */
	assert_int_equal(MEETS(rs, "id=1", "text=t", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=young", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=nan", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age=1e999", "karma=0"), 0);
	assert_int_equal(MEETS(rs, "id=1", "text=t", "age= 1 ", "karma=0"), 1);
	ruleset_free(rs);

	rs = test_load_ok("- name: eq\n  when: { n: '== 3', m: '!= 0', k: 7 }\n"
	    "  action: flag\n");
	assert_int_equal(MEETS(rs, "n=3.0", "m=1", "k=7"), 1);
	assert_int_equal(MEETS(rs, "n=3", "m=0", "k=7"), 0);
	assert_int_equal(MEETS(rs, "n=3", "m=x", "k=7"), 0);
	assert_int_equal(MEETS(rs, "n=3", "m=1", "k=7.5"), 0);
	ruleset_free(rs);
}

static void
test_strings_and_regex(void **state)
{
	struct ruleset	*rs;

	rs = test_load_ok("- name: s\n  when: { author: '^(editor|staff-.*)$', "
	    "thread: '== a42', lang: '!= en' }\n  action: approve\n");
	assert_int_equal(MEETS(rs, "author=staff-jo", "thread=a42", "lang=fr"), 1);
	assert_int_equal(MEETS(rs, "author=EDITOR", "thread=a42", "lang=fr"), 1);
	assert_int_equal(MEETS(rs, "author=bob", "thread=a42", "lang=fr"), 0);
	assert_int_equal(MEETS(rs, "author=editor", "thread=a421", "lang=fr"), 0);
	assert_int_equal(MEETS(rs, "author=editor", "thread=a42", "lang=en"), 0);
	/* != on a missing field is not met either. */
	assert_int_equal(MEETS(rs, "author=editor", "thread=a42"), 0);
	ruleset_free(rs);

	/* when together with match: both must hold. */
	rs = test_load_ok("- name: links\n  match: 'https?://'\n"
	    "  when: { author_age_days: '< 2' }\n  action: flag\n");
	assert_int_equal(MEETS(rs, "text=see http://x", "author_age_days=1"), 1);
	assert_int_equal(MEETS(rs, "text=see http://x", "author_age_days=9"), 0);
	assert_int_equal(MEETS(rs, "text=no link", "author_age_days=1"), 0);
	ruleset_free(rs);
}

static void
test_errors(void **state)
{
	expect_error("- name: x\n  when: { age: '< young' }\n  action: flag\n",
	    "rules.yaml:2:19: expected a number after '<', not 'young'");
	expect_error("- name: x\n  when: { author: '(' }\n  action: flag\n",
	    "rules.yaml:2:21: bad regex: missing closing parenthesis");
	expect_error("- name: x\n  when: [age]\n  action: flag\n",
	    "rules.yaml:2:9: when must be a mapping");
	expect_error("- name: x\n  when: { a: 1, a: 2 }\n  action: flag\n",
	    "rules.yaml:2:17: duplicate field 'a' in when");
	expect_error("- name: x\n  rate_limit: { key: author, max: 5, per: 60 }\n"
	    "  action: flag\n", "rules.yaml:2:43: expected a duration such as "
	    "500ms, 60s, 10m, 2h or 1d, not '60'");
	expect_error("- name: x\n  rate_limit: { key: author, max: 5, per: 2w }\n"
	    "  action: flag\n", "rules.yaml:2:43: expected a duration");
	expect_error("- name: x\n  rate_limit: { key: author, max: -1, per: 1s }\n"
	    "  action: flag\n", "rules.yaml:2:35: expected a whole number");
	expect_error("- name: x\n  rate_limit: { key: author, max: 20000, per: 1s }"
	    "\n  action: flag\n", "rules.yaml:2:35: 20000 is out of range");
	expect_error("- name: x\n  rate_limit: { max: 5, per: 1s }\n  action: flag\n",
	    "rules.yaml:2:15: rate_limit needs a key");
	expect_error("- name: x\n  rate_limit: { key: [a, a], max: 5, per: 1s }\n"
	    "  action: flag\n", "rules.yaml:2:26: key field 'a' given twice");
	expect_error("- name: x\n  rate_limit: { key: a, max: 5, per: 1s, "
	    "burst: 2 }\n  action: flag\n", "rules.yaml:2:42: unknown key "
	    "'burst' in rate_limit");
	expect_error("- name: x\n  rate_limit: { key: a, max: 5, per: 1s }\n"
	    "  final: true\n  action: flag\n", "rules.yaml:3:10: a rate_limit "
	    "rule cannot be final");
	expect_error("- name: x\n  when: { a: 1 }\n  action: flag\n"
	    "  tests: { match: [x] }\n", "rules.yaml:4:10: tests need match, "
	    "words or words_file");
	expect_error("- name: x\n  rate_limit: { key: a, max: 5, per: 1s, "
	    "distinct: '' }\n  action: flag\n", "rules.yaml:2:52: distinct "
	    "needs a field name");
	expect_error("- name: x\n  rate_limit: { key: [near_text, near_text], "
	    "max: 4, per: 1h }\n  action: flag\n", "rules.yaml:2:34: key field "
	    "'near_text' given twice");
	expect_error("- name: x\n  rate_limit: { key: near_text, max: 65, "
	    "per: 1h }\n  action: flag\n", "a near_text limit's max is at "
	    "most 64");
	expect_error("- name: x\n  rate_limit: { key: author, max: 4, "
	    "per: 1h, similarity: 0.8 }\n  action: flag\n", "similarity is "
	    "for key: near_text");
	expect_error("- name: x\n  rate_limit: { key: near_text, max: 4, "
	    "per: 1h, similarity: 1.5 }\n  action: flag\n", "similarity must "
	    "be a number above 0 and at most 1");
	expect_error("- name: x\n  rate_limit: { key: a, max: 5, per: 1s, "
	    "distinct: [a, b] }\n  action: flag\n", "rules.yaml:2:52: ");
}

/* The key of the first rule of rs, with its text view as the daemon has. */
static char *
key_of(const struct ruleset *rs, const char *const *kv, size_t n)
{
	struct rules_options	 o;
	struct matcher		*m;
	const struct rule	*r = &rs->rules[0];
	struct entry		 e;
	char			*k;

	ruleset_options_default(&o);
	m = matcher_new(&o);
	make_entry(&e, kv, n);
	matcher_begin(m, rs, &e);
	k = ratelimit_key(r->limit, r->name, &e, decision_folded_text(m, r,
	    &e));
	entry_free(&e);
	matcher_free(m);
	return k;
}
#define KEY(rs, ...)	key_of((rs), (const char *const []){ __VA_ARGS__ }, \
    sizeof((const char *const []){ __VA_ARGS__ }) / sizeof(char *))

static void
test_keys(void **state)
{
	struct ruleset	*rs;
	char		*k1, *k2;

	rs = test_load_ok("- name: flood\n  rate_limit: { key: [author, thread], "
	    "max: 5, per: 60s }\n  action: flag\n");
	assert_int_equal(rs->rules[0].limit->max, 5);
	assert_int_equal(rs->rules[0].limit->per_ms, 60000);
	k1 = KEY(rs, "author=alice", "thread=a42");
	assert_string_equal(k1, "flood:5:alice3:a42");
	free(k1);
	/* Lengths keep ("ab", "c") and ("a", "bc") apart. */
	k1 = KEY(rs, "author=ab", "thread=c");
	k2 = KEY(rs, "author=a", "thread=bc");
	assert_string_not_equal(k1, k2);
	free(k1);
	free(k2);
	/* A missing or empty key field: the comment does not count. */
	assert_null(KEY(rs, "author=alice"));
	assert_null(KEY(rs, "author=", "thread=a42"));
	/* Long or odd values are hashed: bounded and printable. */
	k1 = KEY(rs, "author=a name with spaces", "thread=x");
	assert_int_equal(strlen(k1), strlen("flood:#:") + 32);
	assert_non_null(strstr(k1, "flood:#:"));
	free(k1);
	ruleset_free(rs);

	rs = test_load_ok("- name: dup\n"
	    "  rate_limit: { key: text, max: 3, per: 10m }\n"
	    "  action: flag\n");
	assert_int_equal(rs->rules[0].limit->per_ms, 600000);
	k1 = KEY(rs, "text=Sign the PETITION!!!");
	k2 = KEY(rs, "text=sign   the petition");
	assert_string_equal(k1, k2);
	assert_int_equal(strlen(k1), strlen("dup:#:") + 32);
	free(k2);
	k2 = KEY(rs, "text=sign the petitions");
	assert_string_not_equal(k1, k2);
	free(k1);
	free(k2);
	assert_null(KEY(rs, "text=!!! 😀"));
	ruleset_free(rs);
}

/* distinct: the value's identity, the text folded; missing is none. */
static void
test_distinct(void **state)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct ruleset		*rs;
	struct entry		 e;
	struct decision		 d;
	const char *const	 a1[] = { "id=1", "text=Same Words!", "thread=t",
				    "author=alice" };
	const char *const	 a2[] = { "id=2", "text=same words", "thread=t",
				    "author=bob" };
	const char *const	 anon[] = { "id=3", "text=x", "thread=t" };
	char			*id1;

	rs = test_load_ok(
	    "- name: swarm\n  rate_limit: { key: thread, max: 3, per: 1h, "
	    "distinct: author }\n  action: flag\n"
	    "- name: texts\n  rate_limit: { key: author, max: 3, per: 1h, "
	    "distinct: text }\n  action: flag\n");
	assert_string_equal(rs->rules[0].limit->distinct, "author");
	ruleset_options_default(&o);
	m = matcher_new(&o);
	make_entry(&e, a1, 4);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.nchecks, 2);
	/* Its windows apart from those of the rule without distinct. */
	assert_string_equal(d.checks[0].key, "swarm:d:1:t");
	assert_int_equal(strlen(d.checks[0].id), RATELIMIT_ID_LEN);
	assert_int_equal(strspn(d.checks[0].id, "0123456789abcdef"),
	    RATELIMIT_ID_LEN);
	id1 = strdup(d.checks[1].id);
	decision_free(&d);
	entry_free(&e);

	make_entry(&e, a2, 4);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.nchecks, 2);
	assert_string_equal(d.checks[1].id, id1);	/* the same text, folded */
	assert_string_not_equal(d.checks[0].id, id1);
	decision_free(&d);
	entry_free(&e);
	free(id1);

	/* No author: not counted by swarm. */
	assert_int_equal(nchecks_of(m, rs, anon, 3), 0);
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * near_text: the key of the other fields under "n:", the folded text's
 * signature (a copy with a word changed shares most values, an unrelated
 * text few), and how many values must be equal for the similarity.
 */
static void
test_near_text(void **state)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct ruleset		*rs;
	struct entry		 e;
	struct decision		 d;
	struct neardup_sig	 first;
	const char *const	 a1[] = { "id=1", "thread=t", "author=alice",
	    "text=Vote them all out, the council lied to every one of us "
	    "about the new bridge" };
	const char *const	 a2[] = { "id=2", "thread=t", "author=bob",
	    "text=VOTE them all out!! the council lied to every single one "
	    "of us about the new bridge" };
	const char *const	 a3[] = { "id=3", "thread=t", "author=carol",
	    "text=The match last night was the best I have seen in years, "
	    "well played" };
	const char *const	 a4[] = { "id=4", "thread=t", "author=dan",
	    "text=!!! ???" };

	rs = test_load_ok(
	    "- name: brigade\n  rate_limit: { key: near_text, max: 4, per: 1h, "
	    "distinct: author }\n  action: flag\n"
	    "- name: thread-brigade\n  rate_limit: { key: [thread, near_text], "
	    "max: 4, per: 1h, similarity: 0.5 }\n  action: flag\n");
	assert_true(rs->rules[0].limit->near);
	assert_int_equal(rs->rules[0].limit->nfields, 0);
	assert_int_equal(ratelimit_near_need(rs->rules[0].limit), 45);
	assert_int_equal(ratelimit_near_need(rs->rules[1].limit), 32);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	make_entry(&e, a1, 4);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.nchecks, 2);
	assert_string_equal(d.checks[0].key, "brigade:n:d:");
	assert_string_equal(d.checks[1].key, "thread-brigade:n:1:t");
	assert_non_null(d.checks[0].sig);
	assert_non_null(d.checks[0].id);
	assert_null(d.checks[1].id);
	first = *d.checks[0].sig;
	decision_free(&d);
	entry_free(&e);

	make_entry(&e, a2, 4);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_true(neardup_similarity(&first, d.checks[0].sig) >= 0.7);
	decision_free(&d);
	entry_free(&e);

	make_entry(&e, a3, 4);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_true(neardup_similarity(&first, d.checks[0].sig) < 0.3);
	decision_free(&d);
	entry_free(&e);

	/* Folds to nothing: not counted. */
	assert_int_equal(nchecks_of(m, rs, a4, 4), 0);
	matcher_free(m);
	ruleset_free(rs);
}

/*
 * escalate: parsed into a rule whose window holds strikes (key
 * "<rule>:s:<fields>"), its spec read back as written, and the step that
 * applies by strikes, for and the last strike's time.
 */
static void
test_ladder(void **state)
{
	struct ruleset		*rs;
	struct ladder		 back;
	const struct ladder	*lad;
	char			*spec;
	const char *const	 kv[] = { "id=1", "author=troll", "text=x" };
	char			*key;

	rs = test_load_ok(
	    "- name: repeat\n  escalate:\n    key: author\n"
	    "    strikes_from: [reject, remove]\n    decay: 7d\n"
	    "    steps:\n      - { strikes: 2, action: flag }\n"
	    "      - { strikes: 4, action: reject, for: 24h }\n"
	    "  reason: repeat offender\n");
	lad = rs->rules[0].limit->ladder;
	assert_non_null(lad);
	assert_int_equal(rs->rules[0].action, ACTION_REJECT);
	assert_int_equal(lad->from, LADDER_FROM_REJECT | LADDER_FROM_REMOVE);
	assert_int_equal(lad->decay_ms, 7ull * 86400000);
	assert_int_equal(lad->nsteps, 2);
	key = key_of(rs, kv, 3);
	assert_string_equal(key, "repeat:s:5:troll");
	free(key);
	spec = ladder_spec(lad, 0);
	assert_string_equal(spec, "rv 604800000 7d 2:flag:8589934591:0,"
	    "4:reject:12884901887:86400000");
	assert_int_equal(ladder_from_spec(spec, &back), 0);
	assert_int_equal(back.from, lad->from);
	assert_int_equal(back.nsteps, 2);
	assert_int_equal(back.steps[1].for_ms, 86400000);
	assert_int_equal(back.steps[1].action, ACTION_REJECT);
	ladder_clear(&back);
	free(spec);
	assert_int_equal(ladder_from_spec("rv 1 1s", &back), -1);
	assert_int_equal(ladder_from_spec("x 1 1s 2:flag:0:0", &back), -1);
	assert_int_equal(ladder_from_spec("r 1 1s 2:flag:0:0,junk", &back),
	    -1);
	/* 1 strike: none; 3: flag; 4 within a day of the last: reject. */
	assert_null(ladder_step_at(lad, 1, 0, 10));
	assert_int_equal(ladder_step_at(lad, 3, 0, 10)->action, ACTION_FLAG);
	assert_int_equal(ladder_step_at(lad, 4, 1000, 1000 + 86400000 - 1)->
	    action, ACTION_REJECT);
	assert_int_equal(ladder_step_at(lad, 4, 1000, 1000 + 86400000)->
	    action, ACTION_FLAG);
	ruleset_free(rs);

	expect_error("- name: x\n  escalate: { key: author, strikes_from: "
	    "[reject], decay: 7d, steps: [{ strikes: 2, action: flag }] }\n"
	    "  final: true\n", "an escalate rule cannot be final");
	expect_error("- name: x\n  escalate: { key: near_text, strikes_from: "
	    "[reject], decay: 7d, steps: [{ strikes: 2, action: flag }] }\n",
	    "an escalate key cannot be near_text");
	expect_error("- name: x\n  escalate: { key: author, strikes_from: "
	    "[reject], decay: 7d, steps: [] }\n", "escalate needs steps");
	expect_error("- name: x\n  escalate: { key: author, strikes_from: "
	    "[], decay: 7d, steps: [{ strikes: 2, action: flag }] }\n",
	    "strikes_from is a list");
	expect_error("- name: x\n  rate_limit: { key: a, max: 1, per: 1s }\n"
	    "  escalate: { key: author, strikes_from: [reject], decay: 7d, "
	    "steps: [{ strikes: 2, action: flag }] }\n  action: flag\n",
	    "rate_limit or escalate, not both");
}

/* The engine lists the checks; final rules do not stop the counting. */
static void
test_decision_checks(void **state)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct ruleset		*rs;
	struct entry		 e;
	struct decision		 d;
	const char *const	 staff[] = { "id=1", "text=hello", "author=staff-a" };
	const char *const	 anon[] = { "id=1", "text=hello" };

	rs = test_load_ok(
	    "- name: trusted\n  when: { author: '^staff-' }\n  action: approve\n"
	    "  final: true\n"
	    "- name: flood\n  rate_limit: { key: author, max: 5, per: 60s }\n"
	    "  action: flag\n"
	    "- name: links\n  match: 'http'\n"
	    "  rate_limit: { key: author, max: 1, per: 1h }\n  action: flag\n");
	ruleset_options_default(&o);
	m = matcher_new(&o);
	make_entry(&e, staff, 3);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_int_equal(d.action, ACTION_APPROVE);
	assert_true(d.final);
	assert_int_equal(d.order, 0);
	assert_string_equal(d.rules, "trusted");
	assert_int_equal(d.nchecks, 1);		/* flood; links: no match */
	assert_string_equal(d.checks[0].rule->name, "flood");
	assert_string_equal(d.checks[0].key, "flood:7:staff-a");
	decision_free(&d);
	entry_free(&e);

	make_entry(&e, anon, 2);	/* no author: no check */
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	assert_false(d.final);
	assert_int_equal(d.order, SIZE_MAX);
	assert_int_equal(d.nchecks, 0);
	decision_free(&d);
	entry_free(&e);
	matcher_free(m);
	ruleset_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_strings_and_regex),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_near_text),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_decision_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
