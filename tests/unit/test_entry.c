/* Stream entry decoding: schema, bounds, binary safety. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "entry.h"

#define B(s)	((struct bytes){ (s), sizeof(s) - 1 })
static const struct bytes sid = { "1700000000000-0", 15 };

static void
test_good(void **state)
{
	struct entry_limits	lim;
	struct entry		e;
	struct bytes		kv[] = { B("id"), B("c1"), B("text"),
				    B("hi\0there"), B("author"), B("alice") };

	entry_limits_default(&lim);
	entry_init(&e, sid, kv, 3, &lim);
	assert_null(e.malformed);
	assert_string_equal(e.stream_id, "1700000000000-0");
	assert_string_equal(e.id->value, "c1");
	assert_int_equal(e.text->value_len, 8);
	assert_memory_equal(e.text->value, "hi\0there", 8);
	assert_string_equal(entry_get(&e, "author")->value, "alice");
	assert_null(entry_get(&e, "thread"));
	entry_free(&e);
}

static void
expect_malformed(const struct bytes *kv, size_t n, const char *why,
    const struct entry_limits *lim)
{
	struct entry	e;

	entry_init(&e, sid, kv, n, lim);
	assert_non_null(e.malformed);
	assert_string_equal(e.malformed, why);
	entry_free(&e);
}

static void
test_malformed(void **state)
{
	struct entry_limits	lim;
	struct bytes		no_id[] = { B("text"), B("x") };
	struct bytes		no_text[] = { B("id"), B("c") };
	struct bytes		neither[] = { B("author"), B("x") };
	struct bytes		empty_id[] = { B("id"), B(""), B("text"), B("x") };
	struct bytes		twice[] = { B("id"), B("a"), B("text"), B("x"),
				    B("text"), B("y") };

	entry_limits_default(&lim);
	expect_malformed(no_id, 1, "no id field", &lim);
	expect_malformed(no_text, 1, "no text field", &lim);
	expect_malformed(neither, 1, "no id and no text field", &lim);
	expect_malformed(NULL, 0, "no id and no text field", &lim);
	expect_malformed(empty_id, 2, "empty id", &lim);
	expect_malformed(twice, 3, "a field appears twice", &lim);
}

static void
test_bounds(void **state)
{
	struct entry_limits	 lim;
	struct entry		 e;
	struct bytes		*kv;
	char			 names[200][8], big[100];
	size_t			 i;

	entry_limits_default(&lim);
	/* Too many fields: malformed, but the id is kept for the decision. */
	kv = calloc(2 * 200, sizeof *kv);
	for (i = 0; i < 199; i++) {
		snprintf(names[i], sizeof names[i], "f%zu", i);
		kv[2 * i] = (struct bytes){ names[i], strlen(names[i]) };
		kv[2 * i + 1] = B("v");
	}
	kv[2 * 199] = B("id");
	kv[2 * 199 + 1] = B("late");
	entry_init(&e, sid, kv, 200, &lim);
	assert_string_equal(e.malformed, "200 fields, more than the limit of 64");
	assert_int_equal(e.nfields, 65);
	assert_string_equal(e.id->value, "late");
	entry_free(&e);
	/* Fields after a late id (found by fuzz_entry: a heap overflow). */
	kv[2 * 100] = B("id");
	kv[2 * 100 + 1] = B("middle");
	kv[2 * 199] = B("f199");
	kv[2 * 199 + 1] = B("v");
	entry_init(&e, sid, kv, 200, &lim);
	assert_int_equal(e.nfields, 65);
	assert_string_equal(e.id->value, "middle");
	entry_free(&e);
	free(kv);

	/* A long text is not kept, only measured. */
	memset(big, 'x', sizeof big);
	lim.max_text = 10;
	lim.max_field = 20;
	{
		struct bytes kv2[] = { B("id"), B("c"), B("text"),
		    { big, sizeof big } };
		entry_init(&e, sid, kv2, 2, &lim);
		assert_null(e.malformed);
		assert_true(e.too_long);
		assert_int_equal(e.text_bytes, 100);
		assert_int_equal(e.text->value_len, 0);
		entry_free(&e);
	}
	{
		struct bytes kv3[] = { B("id"), B("c"), B("text"), B("t"),
		    B("author"), { big, sizeof big } };
		expect_malformed(kv3, 3, "field 'author' is longer than 20 bytes",
		    &lim);
	}
	{
		struct bytes kv4[] = { { big, sizeof big }, B("v"), B("id"),
		    B("c"), B("text"), B("t") };
		expect_malformed(kv4, 3, "a field name is too long", &lim);
	}
}

static void
test_missing(void **state)
{
	struct entry	e;

	entry_init_missing(&e, sid, "gone");
	assert_string_equal(e.malformed, "gone");
	assert_null(e.id);
	entry_free(&e);
	entry_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
