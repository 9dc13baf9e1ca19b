/*
 * Near-duplicate signatures: edited copies stay near, unrelated texts do
 * not, short texts are near only to themselves, and any bytes are safe.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "neardup.h"

/* A paragraph of a talking point, folded as a rate-limit text view is. */
static const char point[] =
    "thecouncilhasbetrayedeveryfamilyonthisstreetbyclosingtheroadwithout"
    "askinganyoneweneedameetingbeforethevotenextweekandwewillnotstopunti"
    "lthemayorlistenssignthepetitionandsharethiswitheveryneighbouryouknow";

static double
sim(const char *a, const char *b)
{
	struct neardup_sig	sa, sb;

	neardup_signature(a, strlen(a), &sa);
	neardup_signature(b, strlen(b), &sb);
	return neardup_similarity(&sa, &sb);
}

/* base with its first word from replaced by to; the caller frees it. */
static char *
edited(const char *base, const char *from, const char *to)
{
	const char	*at = strstr(base, from);
	char		*s;
	size_t		 head;

	assert_non_null(at);
	head = (size_t)(at - base);
	s = malloc(strlen(base) + strlen(to) + 1);
	memcpy(s, base, head);
	strcpy(s + head, to);
	strcat(s, at + strlen(from));
	return s;
}

static void
test_edits(void **state)
{
	char	*one, *two, *three;

	assert_true(sim(point, point) == 1.0);
	/* A word changed: near. */
	one = edited(point, "betrayed", "abandoned");
	assert_true(sim(point, one) >= 0.7);
	/* Three words changed: related, less near. */
	two = edited(one, "street", "road");
	three = edited(two, "meeting", "hearing");
	assert_true(sim(point, three) > 0.4);
	assert_true(sim(point, three) < sim(point, one));
	free(one);
	free(two);
	free(three);
	/* Unrelated texts are far apart. */
	assert_true(sim(point, "sheepfarmingintheuplandsisharderthaneverwith"
	    "thepriceoffeedandthelongwintersofthepastthreeyears") < 0.2);
}

static void
test_short_texts(void **state)
{
	assert_true(sim("iagree", "iagree") == 1.0);
	assert_true(sim("iagree", "iagreed") < 0.1);
	/* Cyrillic: characters, not bytes, make the length. */
	assert_true(sim("согласен", "согласна") < 0.1);
}

static void
test_bands_and_bytes(void **state)
{
	struct neardup_sig	 a, b;
	char			*big = malloc(64 * 1024);
	size_t			 i;

	neardup_signature(point, strlen(point), &a);
	neardup_signature(point, strlen(point), &b);
	assert_memory_equal(&a, &b, sizeof a);
	/* A band is its NEARDUP_ROWS values, the first one highest. */
	assert_int_equal(neardup_band(&a, 0) >> 16 * (NEARDUP_ROWS - 1),
	    a.v[0]);
	assert_int_equal(neardup_band(&a, NEARDUP_BANDS - 1) & 0xffff,
	    a.v[NEARDUP_BANDS * NEARDUP_ROWS - 1]);
	/* Invalid UTF-8 and 64 KiB: bounded, and the same each time. */
	for (i = 0; i < 64 * 1024; i++)
		big[i] = (char)(0x80 | (i * 7 % 0x7f));
	neardup_signature(big, 64 * 1024, &a);
	neardup_signature(big, 64 * 1024, &b);
	assert_memory_equal(&a, &b, sizeof a);
	neardup_signature("", 0, &a);
	neardup_signature("\xff", 1, &b);
	assert_true(neardup_similarity(&a, &b) < 0.1);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_short_texts),
		cmocka_unit_test(test_bands_and_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
