/*
 * Deciding a batch: each item gets its own decision (precedence, final,
 * shadow, malformed, too long, poison, rule errors) and its rate-limit
 * checks against the batch's own copies of the limits, all of which
 * outlive the ruleset that decided them.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "batch.h"

static const char rules_yaml[] = TEST_DECISION_RULES
    "- name: flood\n"
    "  rate_limit: { key: author, max: 2, per: 1m }\n"
    "  action: flag\n"
    "  reason: too fast\n"
    "- name: copies\n"
    "  rate_limit: { key: [author, thread], max: 5, per: 10m }\n"
    "  action: reject\n"
    "  mode: shadow\n";

/* One input: text and author ("" for none), and what it must become. */
struct item_case {
	const char	*text;
	const char	*author;
	int		 poison;
	enum action	 action;
	const char	*rules;
	const char	*shadow;
	const char	*reason;
	int		 final;
	const char	*order_of;	/* the deciding rule, or NULL */
	const char	*checks;	/* "limit=key;..." */
};

static const struct item_case cases[] = {
	{ "a fine comment", "bob", 0, ACTION_APPROVE, "", "", "", 0, NULL,
	    "flood=flood:3:bob;" },
	{ "thanks http://x viagra", "bob", 0, ACTION_REJECT, "link,spam,thanks",
	    "", "pharma spam", 0, "spam", "flood=flood:3:bob;" },
	{ "http://x thanks", "", 0, ACTION_FLAG, "link,thanks", "",
	    "has a link", 0, "link", "" },
	{ "viagra http://x", "editor", 0, ACTION_APPROVE, "trusted", "",
	    "trusted", 1, "trusted", "flood=flood:6:editor;" },
	{ "you idiot", "carol", 0, ACTION_APPROVE, "", "trial", "", 0, NULL,
	    "flood=flood:5:carol;" },
	{ "viagra", "dave", 1, ACTION_FLAG, "", "", "delivered too often", 0,
	    NULL, "" },
};

static const char *
rule_name_at(const struct ruleset *rs, size_t order)
{
	return order < rs->nrules ? rs->rules[order].name : NULL;
}

static void
fill(struct batch *b, const struct item_case *c, const char *thread)
{
	struct entry_limits	 lim;
	struct batch_item	*it = &b->items[b->n++];
	struct bytes		 kv[8] = {
		{ "id", 2 }, { "c1", 2 }, { "text", 4 },
		{ c->text, strlen(c->text) }, { "thread", 6 },
		{ thread, strlen(thread) }, { "author", 6 },
		{ c->author, strlen(c->author) } };

	entry_limits_default(&lim);
	entry_init(&it->entry, (struct bytes){ "1-0", 3 }, kv,
	    *c->author ? 4 : 3, &lim);
	it->poison = c->poison;
}

/* The item's checks as "limit=key;...", with limits by name. */
static char *
checks_of(const struct batch *b, const struct batch_item *it)
{
	char	*s = strdup(""), *t;
	size_t	 i;

	for (i = 0; i < it->nchecks; i++) {
		assert_true(it->checks[i].limit < b->nlimits);
		if (asprintf(&t, "%s%s=%s;", s,
		    b->limits[it->checks[i].limit].name,
		    it->checks[i].key) < 0)
			abort();
		free(s);
		s = t;
	}
	return s;
}

static void
test_items(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(rules_yaml);
	struct matcher		*m;
	struct batch		*b;
	const struct item_case	*c;
	struct batch_item	*it;
	char			*checks;
	size_t			 i, n = sizeof cases / sizeof cases[0];

	ruleset_options_default(&o);
	m = matcher_new(&o);
	b = batch_new(n);
	for (i = 0; i < n; i++)
		fill(b, &cases[i], "");
	batch_decide(m, rs, ACTION_APPROVE, b);
	for (i = 0; i < n; i++) {
		c = &cases[i];
		it = &b->items[i];
		if (c->order_of != NULL)
			assert_string_equal(rule_name_at(rs, it->order),
			    c->order_of);
		else
			assert_int_equal(it->order, SIZE_MAX);
	}
	/* Nothing of the ruleset is kept: free it before looking. */
	ruleset_free(rs);
	matcher_free(m);
	for (i = 0; i < n; i++) {
		c = &cases[i];
		it = &b->items[i];
		assert_int_equal(it->action, c->action);
		assert_string_equal(it->rules, c->rules);
		assert_string_equal(it->shadow, c->shadow);
		assert_string_equal(it->reason, c->reason);
		assert_int_equal(it->final, c->final);
		assert_int_equal(it->errors, 0);
		assert_null(it->slow_rule);
		checks = checks_of(b, it);
		assert_string_equal(checks, c->checks);
		free(checks);
	}
	/* One copy of flood for the four items that count toward it. */
	assert_int_equal(b->nlimits, 1);
	assert_string_equal(b->limits[0].name, "flood");
	assert_string_equal(b->limits[0].reason, "too fast");
	assert_int_equal(b->limits[0].action, ACTION_FLAG);
	assert_int_equal(b->limits[0].max, 2);
	assert_int_equal(b->limits[0].per_ms, 60000);
	assert_false(b->limits[0].shadow);
	batch_free(b);
}

/* A key of several fields, and a shadow limit, copied as such. */
static void
test_shadow_limit(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(rules_yaml);
	struct matcher		*m;
	struct batch		*b;
	char			*checks;
	const struct item_case	 c = { "hello", "erin", 0, ACTION_APPROVE,
				    "", "", "", 0, NULL, NULL };

	ruleset_options_default(&o);
	m = matcher_new(&o);
	b = batch_new(1);
	fill(b, &c, "a42");
	batch_decide(m, rs, ACTION_FLAG, b);
	ruleset_free(rs);
	matcher_free(m);
	/* The default action applies when nothing matched. */
	assert_int_equal(b->items[0].action, ACTION_FLAG);
	checks = checks_of(b, &b->items[0]);
	assert_string_equal(checks, "flood=flood:4:erin;"
	    "copies=copies:4:erin3:a42;");
	free(checks);
	assert_int_equal(b->nlimits, 2);
	assert_true(b->limits[1].shadow);
	assert_int_equal(b->limits[1].action, ACTION_REJECT);
	assert_int_equal(b->limits[1].order, 8);
	batch_free(b);
}

static void
test_malformed_and_too_long(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(rules_yaml);
	struct matcher		*m;
	struct batch		*b;
	struct entry_limits	 lim;
	struct bytes		 kv[6] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { "viagra viagra", 13 },
				    { "author", 6 }, { "bob", 3 } };

	ruleset_options_default(&o);
	m = matcher_new(&o);
	b = batch_new(2);
	entry_limits_default(&lim);
	entry_init(&b->items[0].entry, (struct bytes){ "1-0", 3 }, kv + 2, 2,
	    &lim);
	lim.max_text = 5;
	entry_init(&b->items[1].entry, (struct bytes){ "1-1", 3 }, kv, 3,
	    &lim);
	b->n = 2;
	batch_decide(m, rs, ACTION_APPROVE, b);
	assert_int_equal(b->items[0].action, ACTION_FLAG);
	assert_string_equal(b->items[0].reason, "malformed: no id field");
	assert_string_equal(b->items[0].rules, "");
	assert_int_equal(b->items[1].action, ACTION_FLAG);
	assert_string_equal(b->items[1].reason,
	    "too long: the text has 13 bytes");
	/* Neither is matched, nor counted toward a rate limit. */
	assert_int_equal(b->items[0].nchecks + b->items[1].nchecks, 0);
	assert_int_equal(b->nlimits, 0);
	batch_free(b);
	matcher_free(m);
	ruleset_free(rs);
}

/* A rule that cannot run (the match limit) flags its item and is named. */
static void
test_rule_error(void **state)
{
	struct ruleset		*rs = test_load_ok_prefilter(TEST_SLOW_RULES, 0);
	struct matcher		*m;
	struct batch		*b;
	struct entry_limits	 lim;
	char			 text[TEST_SLOW_LEN];
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { text, sizeof text } };

	m = test_slow_matcher(text);
	entry_limits_default(&lim);
	b = batch_new(1);
	entry_init(&b->items[0].entry, (struct bytes){ "1-0", 3 }, kv, 2,
	    &lim);
	b->n = 1;
	batch_decide(m, rs, ACTION_APPROVE, b);
	ruleset_free(rs);
	matcher_free(m);
	assert_int_equal(b->items[0].action, ACTION_FLAG);
	assert_int_equal(b->items[0].errors, 1);
	assert_string_equal(b->items[0].rules, "slow,ok");
	assert_string_equal(b->items[0].reason,
	    "rule error: slow could not run");
	batch_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_shadow_limit),
		cmocka_unit_test(test_malformed_and_too_long),
		cmocka_unit_test(test_rule_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
