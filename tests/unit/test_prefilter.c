/*
 * The prefilter finds what PCRE2 finds: its ASCII database reads the
 * Kelvin sign and the long s as k and s, and no other character is
 * caselessly an ASCII letter for PCRE2; caseless sets outside ASCII are
 * found whichever member a rule or a text uses.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcre2.h>
#include <unistr.h>

#include "testutil.h"
#include "decision.h"
#include "hscheck.h"
#include "../shifted.h"

/*
 * Every character that PCRE2 (UTF, UCP, caseless, as rules are compiled)
 * matches as an ASCII letter is an ASCII letter, the Kelvin sign or the
 * long s: the ASCII database of the prefilter relies on it.
 */
static void
test_ascii_caseless_letters(void **state)
{
	pcre2_code		*re;
	pcre2_match_data	*md;
	uint8_t			 buf[6];
	uint32_t		 cp;
	int			 err, n, found = 0;
	PCRE2_SIZE		 off;

	re = pcre2_compile((PCRE2_SPTR)"^[a-z]$", PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF,
	    &err, &off, NULL);
	assert_non_null(re);
	md = pcre2_match_data_create_from_pattern(re, NULL);
	for (cp = 0x80; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = u8_uctomb(buf, cp, sizeof buf);
		assert_true(n > 0);
		if (pcre2_match(re, buf, (PCRE2_SIZE)n, 0, 0, md, NULL) < 0)
			continue;
		assert_true(cp == 0x212a || cp == 0x17f);
		found++;
	}
	assert_int_equal(found, 2);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
}

/* The rules a decision of e with rs and m names; the caller frees them. */
static char *
decide_rules(struct matcher *m, struct ruleset *rs, const struct entry *e)
{
	struct decision	 d;
	char		*rules;

	decision_make(m, rs, e, ACTION_APPROVE, &d);
	rules = strdup(d.rules);
	decision_free(&d);
	return rules;
}

/*
 * text decided with the prefilter (with), its bytes at alignment off of
 * a 64-byte boundary, and without it: both name exactly rules.
 */
static void
assert_both_ways(struct matcher *m, struct ruleset *with,
    struct ruleset *without, const char *text, size_t off, const char *rules)
{
	struct entry_limits	 lim;
	struct entry		 e;
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { text, strlen(text) } };
	struct shifted		 sh = { NULL, 0, NULL };
	char			*a, *b;

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	shifted_text(&sh, &e, off);
	a = decide_rules(m, with, &e);
	shifted_restore(&sh, &e);
	b = decide_rules(m, without, &e);
	assert_string_equal(b, rules);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(sh.buf);
	entry_free(&e);
}

/*
 * Caseless matching is PCRE2's: every member of a caseless set (k, K and
 * the Kelvin sign; s, S and long s; the sigma forms) finds the rule with
 * the prefilter as without it, whichever member the rule is written with.
 */
static void
test_prefilter_caseless_sets(void **state)
{
	static const char *yaml =
	    "- name: kelvin\n  match: 'kelvin'\n  action: flag\n"
	    "- name: spam\n  match: '\xc5\xbfpam'\n  action: flag\n"
	    "- name: sofia\n  match: '\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1'\n"
	    "  action: flag\n"
	    "- name: strasse\n  match: 'STRA\xe1\xba\x9e' \n  action: flag\n"
	    "- name: sale\n  match: 'sale'\n  action: flag\n";
	static const struct { const char *text, *rules; } cases[] = {
		{ "\xe2\x84\xaa" "ELVIN", "kelvin" },	/* Kelvin sign */
		{ "KeLvIn", "kelvin" },
		{ "SPAM", "spam" },
		{ "spam", "spam" },
		{ "\xc5\xbfPAM", "spam" },		/* long s */
		{ "\xc5\xbf" "ALE", "sale" },
		{ "\xc5\xbf\xff" "ALE", "" },	/* invalid UTF-8 inside */
		{ "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "sofia" },
		{ "\xcf\x82\xce\xbf\xcf\x86\xce\xb9\xce\xb1", "sofia" },	/* final sigma */
		{ "stra\xc3\x9f" "e", "strasse" },
		{ "strasse", "" },		/* not simple folding */
		{ "a plain comment", "" },
	};
	struct rules_options	 o;
	struct ruleset		*with = test_load_ok(yaml);
	struct ruleset		*without = test_load_ok_prefilter(yaml, 0);
	struct matcher		*m;
	size_t			 i;

	assert_non_null(with->prefilter);
	assert_int_equal(with->prefilter->prefiltered, 5);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_both_ways(m, with, without, cases[i].text, i % 64,
		    cases[i].rules);
	matcher_free(m);
	ruleset_free(with);
	ruleset_free(without);
}

/*
 * On a case-folded view a caseless rule's literals beyond ASCII are
 * looked for folded, as bytes: every case of them is still found.
 */
static void
test_prefilter_folded_literals(void **state)
{
	static const char *yaml =
	    "- name: ru\n  match: 'сука|ХОХЛЫ'\n  normalize: [casefold]\n"
	    "  action: flag\n"
	    "- name: gr\n  match: 'σοφια'\n  normalize: [nfkc, casefold]\n"
	    "  action: flag\n"
	    "- name: strasse\n  match: 'STRA\xe1\xba\x9e'\n"
	    "  normalize: [casefold]\n  action: flag\n";
	static const struct { const char *text, *rules; } cases[] = {
		{ "ты СУКА", "ru" }, { "Сука", "ru" }, { "хохлы", "ru" },
		{ "ХоХлЫ опять", "ru" }, { "сукам", "ru" }, { "сукно", "" },
		{ "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "gr" },
		{ "\xcf\x82\xce\xbf\xcf\x86\xce\xb9\xce\xb1", "gr" },
		{ "strasse", "" }, { "STRASSE", "" }, { "a plain comment", "" },
	};
	struct rules_options	 o;
	struct ruleset		*with = test_load_ok(yaml);
	struct ruleset		*without = test_load_ok_prefilter(yaml, 0);
	struct matcher		*m;
	size_t			 i, off;

	assert_int_equal(with->prefilter->prefiltered, 3);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (off = 0; off < 64; off += 7)
			assert_both_ways(m, with, without, cases[i].text, off,
			    cases[i].rules);
	matcher_free(m);
	ruleset_free(with);
	ruleset_free(without);
}

/*
 * Issue 14's reproducers, with the prefilter as without it, and each at
 * 64 alignments: the library this is built with passes its known-answer
 * check, so the prefilter is on.
 */
static void
test_prefilter_issue14(void **state)
{
	static const char *yaml =
	    "- name: fm\n  match: 'free.*money'\n  action: flag\n"
	    "- name: mo\n  match: 'money'\n  action: flag\n"
	    "- name: y\n  match: 'y'\n  action: flag\n";
	static const struct { const char *text, *rules; } cases[] = {
		{ "free years done fine job with the local coverage, "
		    "especially the council stories, so money", "fm,mo,y" },
		{ "free years done fine job with the local coverage, so money",
		    "fm,mo,y" },
		{ "nfree x l illx the canz qstor illzzq thestorcoverage"
		    "coverage stor on basoin zlocal x zz moneyab abe",
		    "fm,mo,y" },
		{ "money, but not the other word", "mo,y" },
	};
	struct rules_options	 o;
	struct ruleset		*with = test_load_ok(yaml);
	struct ruleset		*without = test_load_ok_prefilter(yaml, 0);
	struct matcher		*m;
	char			*why;
	size_t			 i, off;

	assert_int_equal(hscheck_literals(&why), 0);
	assert_null(why);
	assert_null(with->prefilter->error);
	assert_int_equal(with->prefilter->prefiltered, 3);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (off = 0; off < 64; off++)
			assert_both_ways(m, with, without, cases[i].text, off,
			    cases[i].rules);
	matcher_free(m);
	ruleset_free(with);
	ruleset_free(without);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_caseless_letters),
		cmocka_unit_test(test_prefilter_caseless_sets),
		cmocka_unit_test(test_prefilter_issue14),
		cmocka_unit_test(test_prefilter_folded_literals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
