/*
 * The classifier's model: words of a text, counts that never go below
 * zero, and scores that follow the evidence (untrained: 0.5; learned
 * spam words: near 1; both ways at once: unsure).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "testutil.h"
#include "bayes.h"
#include "bayes_proto.h"
#include "decision.h"
#include "matcher.h"
#include "normalize.h"
#include "xmalloc.h"

#define B(s)	((struct bytes){ (s), strlen(s) })

static size_t
tokens_of(const char *s, struct bayes_token **t)
{
	return bayes_tokens(s, strlen(s), t);
}

static void
test_tokens(void **state)
{
	struct bayes_token	*t;
	const char		*s = "Buy buy, cheap-pills a! NOW  \xc3\xa9t\xc3\xa9 "
	    "now";
	char			 long_word[100];
	size_t			 n, i;

	n = tokens_of(s, &t);
	/* Buy, buy, cheap, pills, NOW, été: "a" is too short; now repeats
	 * NOW only after folding, which is the view's work, not this one. */
	assert_int_equal(n, 7);
	assert_int_equal(t[0].off, 0);
	assert_int_equal(t[0].len, 3);
	assert_memory_equal(s + t[2].off, "cheap", 5);
	assert_memory_equal(s + t[5].off, "\xc3\xa9t\xc3\xa9", 5);
	for (i = 0; i < n; i++)
		assert_int_equal(t[i].hash, bayes_hash(s + t[i].off, t[i].len));
	free(t);

	/* A word counts once. */
	n = tokens_of("spam spam spam eggs spam", &t);
	assert_int_equal(n, 2);
	assert_true(t[0].hash != t[1].hash);
	free(t);

	/* Nothing to count. */
	n = tokens_of("a ! ? . ,", &t);
	assert_int_equal(n, 0);
	free(t);

	/* A run past BAYES_WORD_MAX is one token by its start. */
	memset(long_word, 'x', sizeof long_word - 1);
	long_word[sizeof long_word - 1] = '\0';
	n = tokens_of(long_word, &t);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].len, BAYES_WORD_MAX);
	free(t);
}

static void
test_tokens_bounded(void **state)
{
	struct bayes_token	*t;
	char			*s = xmalloc(7 * 3 * BAYES_TOKENS_MAX + 1), *p = s;
	size_t			 n, i;

	for (i = 0; i < 3 * BAYES_TOKENS_MAX; i++)
		p += sprintf(p, "w%04zu ", i);
	n = bayes_tokens(s, (size_t)(p - s), &t);
	assert_int_equal(n, BAYES_TOKENS_MAX);
	for (i = 1; i < n; i++)
		assert_true(t[i].hash != t[i - 1].hash);
	free(t);
	free(s);
}

static void
test_counts(void **state)
{
	struct bayes_model	*m = bayes_new();
	uint32_t		 s, h;
	uint64_t		 ns, nh, i;

	bayes_add(m, 42, 2, 1);
	bayes_add(m, 42, -5, 1);
	bayes_counts(m, 42, &s, &h);
	assert_int_equal(s, 0);
	assert_int_equal(h, 2);
	bayes_counts(m, 43, &s, &h);
	assert_int_equal(s + h, 0);
	/* The hash 0 is a word like any other. */
	bayes_add(m, 0, 1, 0);
	bayes_counts(m, 0, &s, &h);
	assert_int_equal(s, 1);
	/* Growing keeps every count. */
	for (i = 100; i < 100000; i++)
		bayes_add(m, i * 0x9e3779b97f4a7c15ull, (int64_t)i, 0);
	for (i = 100; i < 100000; i += 997) {
		bayes_counts(m, i * 0x9e3779b97f4a7c15ull, &s, &h);
		assert_int_equal(s, i);
	}
	assert_int_equal(bayes_words(m), 99900 + 2);
	bayes_learned_add(m, 3, 1);
	bayes_learned_add(m, -1, -4);
	bayes_learned(m, &ns, &nh);
	assert_int_equal(ns, 2);
	assert_int_equal(nh, 0);
	bayes_reset(m);
	assert_int_equal(bayes_words(m), 0);
	bayes_counts(m, 42, &s, &h);
	assert_int_equal(s + h, 0);
	bayes_free(m);
}

static void
learn(struct bayes_model *m, const char *text, int spam)
{
	struct bayes_token	*t;
	size_t			 n, i;

	n = tokens_of(text, &t);
	for (i = 0; i < n; i++)
		bayes_add(m, t[i].hash, spam, !spam);
	bayes_learned_add(m, spam, !spam);
	free(t);
}

static double
score(const struct bayes_model *m, const char *text, struct bayes_clue *c,
    size_t nc, size_t *used)
{
	struct bayes_token	*t;
	size_t			 n;
	double			 p;

	n = tokens_of(text, &t);
	p = bayes_score(m, t, n, c, nc, used);
	free(t);
	return p;
}

static void
test_score(void **state)
{
	static const char *const spam[] = {
		"cheap pills online buy now limited offer",
		"win money fast click here casino bonus",
		"crypto giveaway send wallet double money now",
		"buy cheap followers click here offer",
	};
	static const char *const ham[] = {
		"the council vote was delayed until march",
		"i disagree with the article about the budget",
		"the mayor said the road works end in march",
		"good reporting on the council budget vote",
	};
	struct bayes_model	*m = bayes_new();
	struct bayes_clue	 c[3];
	size_t			 i, used;
	double			 p;

	/* Nothing learned: unsure. */
	assert_true(score(m, "cheap pills", NULL, 0, &used) == 0.5);
	assert_int_equal(used, 0);
	for (i = 0; i < 20; i++) {
		learn(m, spam[i % 4], 1);
		learn(m, ham[i % 4], 0);
	}
	p = score(m, "click here for cheap pills and casino money", c, 3,
	    &used);
	assert_true(p > 0.99);
	assert_true(used >= 3);
	/* Strongest first, each a spam word. */
	assert_true(c[0].prob >= c[1].prob && c[1].prob >= c[2].prob);
	assert_true(c[2].prob > 0.9 && c[0].spam > 0 && c[0].ham == 0);
	p = score(m, "the council budget vote in march", NULL, 0, &used);
	assert_true(p < 0.01);
	/* Words never learned weigh nothing. */
	assert_true(score(m, "zebra quantum", NULL, 0, &used) == 0.5);
	/* As much evidence both ways: unsure, not an extreme. */
	p = score(m, "cheap pills casino bonus council budget vote march", NULL,
	    0, &used);
	assert_true(p > 0.2 && p < 0.8);
	/* The same text, the same score and clues. */
	assert_true(score(m, "win money fast", NULL, 0, &used) ==
	    score(m, "fast money win", NULL, 0, &used));
	bayes_free(m);
}

/* What the learn script is given: the words of the classifier's view. */
static void
learn_words(struct bayes_model *m, struct normalizer *nz, const char *text,
    int spam)
{
	char	*w;
	size_t	 len, i;
	uint64_t h;
	int	 k;

	len = bayes_text_words(nz, text, strlen(text), &w);
	for (i = 0; i < len; i += 8) {
		for (h = 0, k = 7; k >= 0; k--)
			h = h << 8 | (unsigned char)w[i + (size_t)k];
		bayes_add(m, h, spam, !spam);
	}
	bayes_learned_add(m, spam, !spam);
	free(w);
}

static enum action
decide(struct matcher *m, const struct ruleset *rs, const char *text,
    struct decision *d)
{
	struct entry		e;
	struct entry_limits	lim;
	struct bytes		kv[4] = { B("id"), B("c1"), B("text"), B(text) };

	entry_limits_default(&lim);
	entry_init(&e, B("1-0"), kv, 2, &lim);
	decision_free(d);
	decision_make(m, rs, &e, ACTION_APPROVE, d);
	entry_free(&e);
	return d->action;
}

/*
 * A classify rule: never before min_learned of each class, then on the
 * probability, through evasions (the learned words and the scored ones
 * are the same view), its span the whole text.
 */
static void
test_classify_rule(void **state)
{
	struct rules_options	 o;
	struct ruleset		*rs;
	struct matcher		*m;
	struct bayes_model	*model = bayes_new();
	struct normalizer	*nz = normalizer_new();
	struct decision		 d;
	const char		*spam = "cheap pills casino bonus click here";
	const char		*ham = "the council budget vote in march";
	int			 i;

	rs = test_load_ok("- name: bayes\n  classify: spam\n  action: reject\n"
	    "- name: sure-ham\n  classify: ham\n  min_probability: 0.99\n"
	    "  action: approve\n  mode: shadow\n");
	assert_int_equal(rs->classifying, 2);
	assert_true(rs->rules[0].min_probability == 0.95);
	assert_int_equal(rs->rules[0].vstages, BAYES_STAGES);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	memset(&d, 0, sizeof d);
	/* No model at all, then one short of min_learned: never matches. */
	assert_int_equal(decide(m, rs, spam, &d), ACTION_APPROVE);
	m->model = model;
	m->min_learned = 5;
	for (i = 0; i < 5; i++)
		learn_words(model, nz, spam, 1);
	for (i = 0; i < 4; i++)
		learn_words(model, nz, ham, 0);
	assert_int_equal(decide(m, rs, spam, &d), ACTION_APPROVE);
	assert_string_equal(d.rules, "");
	learn_words(model, nz, ham, 0);
	assert_int_equal(decide(m, rs, spam, &d), ACTION_REJECT);
	assert_string_equal(d.rules, "bayes");
	assert_int_equal(d.nhits, 1);
	assert_int_equal(d.hits[0].start, 0);
	assert_int_equal(d.hits[0].end, strlen(spam));
	assert_int_equal(decide(m, rs, "CHE\u0410P p1lls C\xe2\x80\x8b"
	    "ASINO", &d), ACTION_REJECT);
	assert_int_equal(decide(m, rs, ham, &d), ACTION_APPROVE);
	assert_string_equal(d.shadow, "sure-ham");
	assert_int_equal(decide(m, rs, "zebra quantum", &d), ACTION_APPROVE);
	assert_string_equal(d.rules, "");
	assert_string_equal(d.shadow, "");
	decision_free(&d);
	ruleset_free(rs);
	/* A comment without the field is not the classifier's to judge. */
	rs = test_load_ok("- name: bayes\n  classify: spam\n  field: bio\n"
	    "  action: reject\n");
	assert_int_equal(decide(m, rs, spam, &d), ACTION_APPROVE);
	assert_string_equal(d.rules, "");
	assert_string_equal(d.shadow, "");
	decision_free(&d);
	matcher_free(m);
	ruleset_free(rs);
	normalizer_free(nz);
	bayes_free(model);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_tokens_bounded),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_classify_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
