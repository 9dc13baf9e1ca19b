/*
 * The decide script's arguments, against known lists (the layout of
 * daemon/decide.lua), and its reply settled into items.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "decide_proto.h"
#include "neardup.h"
#include "ratelimit.h"

static const struct decide_params params = {
	7, "in", "out", "dead", "grp", "me", "rl:", 1000, 600000, 5, "j:",
	691200000, "s:"
};

/* An item with its decision set by hand. */
static struct batch_item *
add_item(struct batch *b, const char *sid, const char *id, enum action a,
    const char *rules, const char *reason, size_t order, int final)
{
	struct entry_limits	 lim;
	struct batch_item	*it = &b->items[b->n++];
	struct bytes		 kv[4] = { { "id", 2 }, { id, strlen(id) },
				    { "text", 4 }, { "t", 1 } };

	entry_limits_default(&lim);
	entry_init(&it->entry, (struct bytes){ sid, strlen(sid) }, kv, 2,
	    &lim);
	it->action = a;
	it->rules = strdup(rules);
	it->shadow = strdup("");
	it->reason = strdup(reason);
	it->acts = strdup(*rules != '\0' ? "r" : "");
	it->order = order;
	it->final = final;
	return it;
}

static void
add_check(struct batch_item *it, size_t limit, const char *key)
{
	it->checks = realloc(it->checks, (it->nchecks + 1) *
	    sizeof *it->checks);
	it->checks[it->nchecks].limit = limit;
	it->checks[it->nchecks].id = NULL;
	it->checks[it->nchecks].sig = NULL;
	it->checks[it->nchecks++].key = strdup(key);
}

static void
add_limit(struct batch *b, const char *name, enum action a, size_t order,
    int shadow)
{
	struct batch_limit	*l;

	b->limits = realloc(b->limits, (b->nlimits + 1) * sizeof *b->limits);
	l = &b->limits[b->nlimits++];
	l->name = strdup(name);
	l->reason = strdup(name);
	l->action = a;
	l->shadow = shadow;
	l->max = 5;
	l->per_ms = 60000;
	l->distinct = 0;
	l->near = 0;
	l->ladder = NULL;
	l->short_windows = 1;
	l->order = order;
}

static void
assert_args(const struct decide_argv *a, const char *const *want, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < a->n; i++) {
		if (a->len[i] != strlen(want[i]) ||
		    memcmp(a->v[i], want[i], a->len[i]) != 0)
			fail_msg("argument %zu: '%.*s', want '%s'", i,
			    (int)a->len[i], a->v[i], want[i]);
	}
	assert_int_equal(a->n, n);
}

/* Entries without checks keep the short layout: eight arguments each. */
static void
test_no_checks(void **state)
{
	static const char *const want[] = {
		"EVALSHA", "abc", "3", "in", "out", "dead",
		"7", "0", "2", "0", "0", "grp", "me", "1000", "600000", "5",
		"feedbeef1234", "j:", "691200000", "s:",
		"1-0", "c1", "approve", "", "", "", "", "0",
		"1-1", "c2", "reject", "spam", "", "pharma", "r", "0",
	};
	struct decide_argv	 a;
	struct batch		*b = batch_new(2);

	add_item(b, "1-0", "c1", ACTION_APPROVE, "", "", SIZE_MAX, 0);
	add_item(b, "1-1", "c2", ACTION_REJECT, "spam", "pharma", 3, 0);
	strcpy(b->ruleset, "feedbeef1234");
	decide_argv_init(&a);
	decide_proto_encode(&a, &params, "EVALSHA", "abc", b);
	assert_args(&a, want, sizeof want / sizeof want[0]);
	decide_argv_free(&a);
	batch_free(b);
}

/*
 * Checks: in KEYS each window once, grouped by limit, a short window's
 * field (its key without the rule) and a long one's key with the prefix;
 * one copy of each limit with its precedence, where its windows live (the
 * prefix of its period hashes, or "" for sorted sets), distinct, its
 * number of windows, first period and near_text need (0); and per
 * checked entry its own
 * precedence, final, and its windows' numbers (with a distinct limit's
 * value after its window). The argv is reused: the second encoding must not see
 * the first.
 */
static void
test_checks(void **state)
{
	static const char *const want[] = {
		"EVAL", "return 1", "6", "in", "out", "dead",
		"3:bob", "3:eve", "rl:copy:#:ab",
		"7", "2", "3", "2", "4", "grp", "me", "1000", "600000", "5", "",
		"j:", "691200000", "s:",
		"flood", "flag", "8589934587", "0", "5", "60000", "flood",
		"rl:flood:p60000:", "0", "2", "0", "0", "",
		"copy", "reject", "12884901881", "1", "65", "60000", "copy", "",
		"1", "1", "0", "0", "",
		"1-0", "c1", "approve", "", "", "", "", "3", "0", "0", "1", "3",
		"00ff00ff00ff00ff",
		"1-1", "", "flag", "", "", "malformed: no id field", "", "0",
		"2-0", "c3", "reject", "spam", "", "pharma", "r", "1",
		"12884901885",
		"1", "2",
	};
	struct decide_argv	 a;
	struct batch		*b;
	struct batch_item	*it;

	/* A bigger batch first, so that the second one reuses the room. */
	decide_argv_init(&a);
	b = batch_new(40);
	add_limit(b, "other", ACTION_REJECT, 1, 0);
	while (b->n < 40) {
		it = add_item(b, "9-9", "old", ACTION_FLAG, "x", "y", 1, 0);
		add_check(it, 0, "a-rather-long-key-that-fills-the-buffer");
	}
	decide_proto_encode(&a, &params, "EVALSHA", "abc", b);
	assert_int_equal(a.n, 6 + 1 + 14 + 13 + 40 * 11);	/* one window */
	batch_free(b);

	b = batch_new(3);
	add_limit(b, "flood", ACTION_FLAG, 4, 0);
	add_limit(b, "copy", ACTION_REJECT, 6, 1);
	b->limits[1].max = RATELIMIT_SHORT_MAX + 1;	/* a sorted set */
	b->limits[1].short_windows = 0;
	b->limits[1].distinct = 1;
	it = add_item(b, "1-0", "c1", ACTION_APPROVE, "", "", SIZE_MAX, 0);
	add_check(it, 0, "flood:3:bob");
	add_check(it, 1, "copy:#:ab");
	it->checks[1].id = strdup("00ff00ff00ff00ff");
	/* A malformed entry: no id field at all, so an empty id. */
	it = &b->items[b->n++];
	entry_init_missing(&it->entry, (struct bytes){ "1-1", 3 },
	    "no id field");
	it->action = ACTION_FLAG;
	it->rules = strdup("");
	it->shadow = strdup("");
	it->reason = strdup("malformed: no id field");
	it->order = SIZE_MAX;
	it = add_item(b, "2-0", "c3", ACTION_REJECT, "spam", "pharma", 2, 1);
	add_check(it, 0, "flood:3:eve");
	decide_proto_encode(&a, &params, "EVAL", "return 1", b);
	assert_args(&a, want, sizeof want / sizeof want[0]);
	batch_free(b);
	decide_argv_free(&a);
}

static void
assert_arg(const struct decide_argv *a, size_t i, const char *want)
{
	if (i >= a->n || a->len[i] != strlen(want) ||
	    memcmp(a->v[i], want, a->len[i]) != 0)
		fail_msg("argument %zu: '%.*s', want '%s'", i, i < a->n ?
		    (int)a->len[i] : 0, i < a->n ? a->v[i] : "", want);
}

/*
 * A near_text check names its first band's window, then all its bands'
 * (fields "<key><band number><32 bits of its value>", each once in KEYS,
 * sorted) as little-endian 32-bit numbers in one argument, then its
 * signature as 128 bytes of little-endian values, then a distinct
 * limit's identity; its limit says how many values must be equal. Two
 * comments with one signature share all their windows.
 */
static void
test_near(void **state)
{
	struct decide_argv	 a;
	struct batch		*b;
	struct batch_item	*it;
	struct neardup_sig	 sig;
	size_t			 i, base, limit, nb = NEARDUP_BANDS;
	uint64_t		 last;
	char			 field[64], num[24];

	for (i = 0; i < NEARDUP_K; i++)
		sig.v[i] = (uint16_t)(0x0102 * (i + 1));
	b = batch_new(2);
	add_limit(b, "brigade", ACTION_FLAG, 2, 0);
	b->limits[0].near = 45;
	b->limits[0].distinct = 1;
	for (i = 0; i < 2; i++) {
		it = add_item(b, i ? "1-1" : "1-0", "c", ACTION_APPROVE, "",
		    "", SIZE_MAX, 0);
		add_check(it, 0, "brigade:n:d:");
		it->checks[0].sig = malloc(sizeof sig);
		*it->checks[0].sig = sig;
		it->checks[0].id = strdup("00ff00ff00ff00ff");
	}
	decide_argv_init(&a);
	decide_proto_encode(&a, &params, "EVALSHA", "abc", b);
	snprintf(num, sizeof num, "%zu", 3 + nb);
	assert_arg(&a, 2, num);			/* 3 + its windows */
	/*
	 * Band 0: values 0x0102, 0x0204, 0x0306, 0x0102_0204_0306, whose
	 * halves 0x0102 and 0x02040306 make 0x02040204.
	 */
	assert_int_equal(NEARDUP_ROWS, 3);
	assert_int_equal(a.len[6], strlen("n:d:002040204"));
	assert_memory_equal(a.v[6], "n:d:002040204", a.len[6]);
	last = neardup_band(&sig, nb - 1);
	snprintf(field, sizeof field, "n:d:%zx%08lx", nb - 1,
	    (unsigned long)(uint32_t)(last ^ last >> 32));
	assert_memory_equal(a.v[6 + nb - 1], field, strlen(field));
	limit = 6 + nb + 14;
	snprintf(num, sizeof num, "%zu", nb);
	assert_arg(&a, limit + 9, num);		/* its windows */
	assert_arg(&a, limit + 11, "45");	/* values equal */
	base = limit + 13;
	for (i = 0; i < 2; i++) {
		assert_arg(&a, base + 7, "4");	/* window, bands, sig, id */
		assert_arg(&a, base + 10, "1");
		assert_int_equal(a.len[base + 11], 4 * nb);
		assert_memory_equal(a.v[base + 11], "\1\0\0\0\2\0\0\0", 8);
		assert_int_equal((unsigned char)a.v[base + 11][4 * (nb - 1)],
		    nb);
		assert_int_equal(a.len[base + 12], 2 * NEARDUP_K);
		assert_int_equal((unsigned char)a.v[base + 12][0], 0x02);
		assert_int_equal((unsigned char)a.v[base + 12][1], 0x01);
		assert_arg(&a, base + 13, "00ff00ff00ff00ff");
		base += 8 + 2 + 4;
	}
	assert_int_equal(a.n, base);
	decide_argv_free(&a);
	batch_free(b);
}

/* C decides precedence: severity first, then the earlier rule. */
static void
test_precedence(void **state)
{
	assert_true(action_precedence(ACTION_REJECT, 100) >
	    action_precedence(ACTION_FLAG, 0));
	assert_true(action_precedence(ACTION_FLAG, 1) >
	    action_precedence(ACTION_FLAG, 2));
	/* With no deciding rule, any rule of the same action wins. */
	assert_true(action_precedence(ACTION_FLAG, 1000000) >
	    action_precedence(ACTION_FLAG, SIZE_MAX));
	assert_true(action_precedence(ACTION_APPROVE, 0) <
	    action_precedence(ACTION_FLAG, SIZE_MAX));
	/* Lua's numbers hold every precedence exactly. */
	assert_true(action_precedence(ACTION_REJECT, 0) < (UINT64_C(1) << 53));
}

static void
test_settle(void **state)
{
	struct batch		*b = batch_new(1);
	struct batch_item	*it;
	struct decide_reply	 r;

	it = add_item(b, "1-0", "c1", ACTION_APPROVE, "", "", SIZE_MAX, 0);
	memset(&r, 0, sizeof r);
	r.kind = DECIDE_REPLY_INTEGER;
	r.integer = 1;
	assert_int_equal(decide_proto_settle(it, &r), FATE_WRITTEN);
	assert_int_equal(it->action, ACTION_APPROVE);
	r.integer = 2;
	assert_int_equal(decide_proto_settle(it, &r), FATE_DEAD);
	r.integer = 0;
	assert_int_equal(decide_proto_settle(it, &r), FATE_GONE);
	/* Not what the script says: not taken for "decided elsewhere". */
	r.integer = 7;
	assert_int_equal(decide_proto_settle(it, &r), FATE_UNKNOWN);
	r.kind = DECIDE_REPLY_OTHER;
	assert_int_equal(decide_proto_settle(it, &r), FATE_UNKNOWN);
	r.kind = DECIDE_REPLY_FIELDS;
	r.field[0] = (struct bytes){ "maybe", 5 };
	assert_int_equal(decide_proto_settle(it, &r), FATE_UNKNOWN);
	r.kind = DECIDE_REPLY_OTHER;

	/* Changed by a rate limit: the item takes the script's decision. */
	r.kind = DECIDE_REPLY_FIELDS;
	r.field[0] = (struct bytes){ "flag", 4 };
	r.field[1] = (struct bytes){ "flood", 5 };
	r.field[2] = (struct bytes){ "copy", 4 };
	r.field[3] = (struct bytes){ "too fast", 8 };
	assert_int_equal(decide_proto_settle(it, &r), FATE_WRITTEN);
	assert_int_equal(it->action, ACTION_FLAG);
	assert_string_equal(it->rules, "flood");
	assert_string_equal(it->shadow, "copy");
	assert_string_equal(it->reason, "too fast");

	/* An action the C side does not know is not taken as written. */
	r.field[0] = (struct bytes){ "delete", 6 };
	assert_int_equal(decide_proto_settle(it, &r), FATE_UNKNOWN);
	r.field[0] = (struct bytes){ "rejectrejectreject", 18 };
	assert_int_equal(decide_proto_settle(it, &r), FATE_UNKNOWN);
	assert_int_equal(it->action, ACTION_FLAG);
	batch_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_checks),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_settle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
