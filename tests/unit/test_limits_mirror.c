/*
 * The C copy of the decide script's windows (limits_mirror.c, what
 * --replay counts with) against the window cases the script itself is
 * tested with (tests/window_cases.txt, test_ratelimit.py), and the
 * ladder's strikes.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "limits_mirror.h"

static void
test_window_cases(void **state)
{
	struct namemap	 windows;
	FILE		*f;
	char		 line[256], name[64] = "", value[64], key[80];
	unsigned long long max = 0, per = 0;
	long long	 t;
	int		 distinct = 0, over, got, cases = 0, comments = 0;

	(void)state;
	f = fopen(getenv("WINDOW_CASES"), "r");
	assert_non_null(f);
	memset(&windows, 0, sizeof windows);
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "case %63s %llu %llu %d", name, &max, &per,
		    &distinct) == 4) {
			cases++;
			continue;
		}
		assert_int_equal(sscanf(line, "%lld %63s %d", &t, value, &over),
		    3);
		/* Each case a key of its own, as each is a rule in Redis. */
		snprintf(key, sizeof key, "case:%s", name);
		got = mirror_window_over(&windows, key, t, distinct ? value :
		    NULL, max, per);
		if (got != over)
			fail_msg("case %s, comment at %lld (%s): over %d, want %d",
			    name, t, value, got, over);
		comments++;
	}
	fclose(f);
	namemap_free(&windows, mirror_window_clear);
	assert_true(cases >= 8);
	assert_true(comments > 100);
}

/*
 * Strikes: only the decisions strikes_from names strike; the step with
 * the most strikes reached applies, a `for` step only that long after the
 * newest strike; strikes older than the decay do not count.
 */
static void
test_ladder(void **state)
{
	struct ladder_step	 steps[] = {
		{ 2, ACTION_FLAG, 0 }, { 3, ACTION_REJECT, 1000 } };
	struct ladder		 lad = { LADDER_FROM_REJECT, 10000, NULL, steps,
				    2 };
	struct namemap		 strikes;
	const struct ladder_step *st;
	uint64_t		 n;

	(void)state;
	memset(&strikes, 0, sizeof strikes);
	assert_null(mirror_ladder(&strikes, &lad, "k", "c1", 100,
	    ACTION_REJECT, &n));
	assert_null(mirror_ladder(&strikes, &lad, "k", "c2", 200,
	    ACTION_FLAG, &n));		/* a flag is no strike here */
	assert_int_equal(n, 1);
	assert_null(mirror_ladder(&strikes, &lad, "k", "c3", 300,
	    ACTION_REJECT, &n));
	st = mirror_ladder(&strikes, &lad, "k", "c4", 400, ACTION_APPROVE, &n);
	assert_int_equal(n, 2);
	assert_int_equal(st->action, ACTION_FLAG);
	(void)mirror_ladder(&strikes, &lad, "k", "c5", 500, ACTION_REJECT, &n);
	st = mirror_ladder(&strikes, &lad, "k", "c6", 1499, ACTION_APPROVE, &n);
	assert_int_equal(st->action, ACTION_REJECT);	/* within 1 s */
	st = mirror_ladder(&strikes, &lad, "k", "c7", 1500, ACTION_APPROVE, &n);
	assert_int_equal(st->action, ACTION_FLAG);	/* for ran out */
	st = mirror_ladder(&strikes, &lad, "k", "c8", 10300, ACTION_APPROVE,
	    &n);
	assert_int_equal(n, 1);			/* 100 and 300 decayed */
	assert_null(st);
	assert_null(mirror_ladder(&strikes, &lad, "other", "c9", 10300,
	    ACTION_APPROVE, &n));
	namemap_free(&strikes, mirror_window_clear);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_cases),
		cmocka_unit_test(test_ladder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
