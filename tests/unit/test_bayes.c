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
#include "xmalloc.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_tokens_bounded),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_score),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
