/*
 * The automaton's rewrites (hs_rewrite.c): each rewrite as it is spelled,
 * and the property that matters, checked on generated texts: wherever
 * PCRE2 (as rules are compiled) matches a pattern, Vectorscan matches its
 * rewrite. A rewrite that narrows would hide a match.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hs.h>
#include <pcre2.h>

#include "hs_rewrite.h"

static struct hs_rewriter *rw;

static int
setup(void **state)
{
	(void)state;
	rw = hs_rewriter_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	hs_rewriter_free(rw);
	return 0;
}

/* The rewrite of pat (caseless or not), which must be expect. */
static void
rewrites(const char *pat, int caseless, const char *expect)
{
	const char	*why;
	char		*got;

	got = hs_rewrite(rw, pat, strlen(pat), caseless, &why);
	if (got == NULL)
		fail_msg("%s: refused: %s", pat, why);
	if (strcmp(got, expect) != 0)
		fail_msg("%s: got %s, want %s", pat, got, expect);
	free(got);
}

static void
refused(const char *pat, const char *why_part)
{
	const char	*why;
	char		*got;

	got = hs_rewrite(rw, pat, strlen(pat), 0, &why);
	if (got != NULL)
		fail_msg("%s: rewritten as %s, should be refused", pat, got);
	assert_non_null(strstr(why, why_part));
}

static void
test_classes_widen_beyond_ascii(void **state)
{
	(void)state;
	/* One code point: its ASCII members, or any byte beyond ASCII. */
	rewrites("\\w", 0, "[\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a\\x80-\\xff]"
	    "{1,4}");
	rewrites("\\W", 0, "[\\x00-\\x2f\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\xff]"
	    "{1,4}");
	rewrites(".", 0, "[\\x00-\\x09\\x0b-\\xff]{1,4}");
	rewrites("(?s).", 0, "[\\x00-\\xff]{1,4}");
	rewrites("[^a]", 0, "[\\x00-\\x60\\x62-\\xff]{1,4}");
	rewrites("[[:alpha:]]", 0, "[\\x41-\\x5a\\x61-\\x7a\\x80-\\xff]{1,4}");
	/* \d beyond ASCII: the lead bytes of digits only (no Cyrillic). */
	rewrites("\\d", 0, "[\\x30-\\x39\\x80-\\xbf\\xd9\\xdb\\xdf-\\xe1\\xea"
	    "\\xef-\\xf4]{1,4}");
	/* A class of Cyrillic letters: their lead bytes, two bytes long. */
	rewrites("[а-я]", 0, "[\\x80-\\xbf\\xd0-\\xd1]{1,2}");
	/* Octal and \b are characters inside a class. */
	rewrites("[\\101\\b]", 0, "[\\x08A]");
	rewrites("[a-c]", 0, "[\\x61-\\x63]");
}

static void
test_repeats_in_bytes(void **state)
{
	(void)state;
	rewrites("a{2,3}", 1, "[Aa]{2,3}");
	rewrites("\\w{2,3}", 0, "[\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a"
	    "\\x80-\\xff]{2,12}");
	/* Past HS_REWRITE_BOUND bytes: unbounded. */
	rewrites("\\w{1,100}", 0, "[\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a"
	    "\\x80-\\xff]+");
	rewrites("x{0,}", 0, "x*");
	/* Possessive and lazy repeats are plain ones. */
	rewrites("a++b*?c?+", 0, "a+b*c?");
	/* A group's repeat stays, up to 32 for a short group. */
	rewrites("(?:ab){3}", 0, "(?:(?:ab)){3}");
	rewrites("(?:ab){40}", 0, "(?:(?:ab)){32,}");
	/* A literal '{' that is no quantifier. */
	rewrites("a{,2}", 0, "a\\x7b\\x2c2\\x7d");
}

static void
test_groups_and_assertions(void **state)
{
	(void)state;
	rewrites("(?=x)ab(?!c)(?<=b)(?<!d)", 0, "ab");
	rewrites("(?>ab)|(*atomic:cd)", 0, "(?:ab)|(?:cd)");
	rewrites("(?<name>ab)(?'n2'c)(?P<n3>d)", 0, "(?:ab)(?:c)(?:d)");
	rewrites("a\\Bb\\Gc\\Kd(*COMMIT)e(*SKIP)", 0, "abcde");
	rewrites("a(?#note)b(?C1)c", 0, "abc");
	/* ^ and $ only at the ends of the whole pattern. */
	rewrites("^a|b$", 0, "^a|b$");
	rewrites("(^a)b$c", 0, "(?:a)bc");
	rewrites("\\Aa\\z", 0, "^a$");
	rewrites("(?m)^a$", 0, "a");
	refused("(?(1)a|b)", "conditional");
	refused("a(*ACCEPT)b", "ACCEPT");
}

static void
test_back_references(void **state)
{
	(void)state;
	rewrites("(ab)\\1", 0, "(?:ab)(?:ab)");
	rewrites("(?<w>ab)\\k<w>", 0, "(?:ab)(?:ab)");
	rewrites("(ab)\\g{1}", 0, "(?:ab)(?:ab)");
	/* Caseless at the reference, not in the group: anything. */
	rewrites("(ab)(?i)\\1", 0, "(?:ab)[\\x00-\\xff]*");
	/* Recursion, a subroutine, a forward reference: anything. */
	rewrites("a(?R)?", 0, "a(?:[\\x00-\\xff]*)?");
	rewrites("(a)(?1)", 0, "(?:a)[\\x00-\\xff]*");
	rewrites("\\2(a)(b)", 0, "[\\x00-\\xff]*(?:a)(?:b)");
}

static void
test_word_boundaries(void **state)
{
	(void)state;
	/* Beside an ASCII word character: kept. */
	rewrites("\\bfoo\\b", 0, "\\bfoo\\b");
	rewrites("\\b(?:ab|cd)\\b", 0, "\\b(?:ab|cd)\\b");
	/* Beside a letter beyond ASCII, or what may be one: dropped. */
	rewrites("\\bé", 0, "\\xc3\\xa9");
	rewrites("\\b\\w", 0, "[\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a"
	    "\\x80-\\xff]{1,4}");
	rewrites("\\bx?y", 0, "x?y");
	/* Caseless k may be the Kelvin sign: its \b goes too. */
	rewrites("\\bkill", 1, "(?:[Kk]|\\xe2\\x84\\xaa)[Ii][Ll][Ll]");
}

static void
test_caseless_letters(void **state)
{
	(void)state;
	/* Forms that differ in their last byte: one class. */
	rewrites("é", 1, "(?:\\xc3[\\x89\\xa9])");
	rewrites("s", 1, "(?:[Ss]|\\xc5\\xbf)");
	rewrites("о", 1, "(?:\\xd0[\\x9e\\xbe]|\\xe1\\xb2\\x82)");
	rewrites("i", 1, "[Ii]");	/* not the Turkish dotted I */
	rewrites("[a-k]", 1, "(?:[\\x41-\\x4b\\x61-\\x6b]|\\xe2\\x84\\xaa)");
	rewrites("é", 0, "\\xc3\\xa9");
	rewrites("(?i:a)b", 0, "(?:[Aa])b");
	rewrites("a(?i)b|c", 0, "a[Bb]|[Cc]");
	rewrites("(?-i)a", 1, "a");
}

static void
test_literal_text(void **state)
{
	(void)state;
	rewrites("\\Qa.b\\E+", 0, "a\\x2eb+");
	rewrites("(?x) a b # a comment\n c", 0, "abc");
	/* \\101 outside a class is a back reference: anything. */
	rewrites("\\x41\\x{42}\\o{103}\\101\\cA\\t", 0, "ABC[\\x00-\\xff]*"
	    "\\x01\\x09");
	rewrites("\\N{U+44}\\.", 0, "D\\x2e");
}

/* A small xorshift, for texts that repeat from run to run. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Texts of the pieces rewrites treat apart, and invalid bytes. */
static size_t
random_text(uint64_t *s, char *buf, size_t cap)
{
	static const char *const pieces[] = { "a", "b", "c", "k", "K", "s", "x",
	    "y", "z", "foo", "kill", "ab", "cd", "1", "42", "_", " ", "  ",
	    "\n", "\r\n", "\t", ".", ",", "!", "-", "'", "\"", "é", "É", "ё",
	    "Ё", "а", "я", "Я", "хохлы", "\xe2\x84\xaa", "\xc5\xbf", "\xc4\xb0",
	    "\xc4\xb1", "\xcf\x82", "\xce\xa3", "\xd9\xa3", "\xef\xbc\x91",
	    "\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\x8b", "\xff", "\xc3", "\x80",
	    "\xed\xa0\x80", "\xf0\x9f\x98\x80", "$", "@", "http://", "www.",
	    "I", "i", "we", "will", "you" };
	size_t	n = 0, k, len, count = next(s) % 24;

	for (k = 0; k < count; k++) {
		const char *p = pieces[next(s) % (sizeof pieces / sizeof *pieces)];

		len = strlen(p);
		if (n + len >= cap)
			break;
		memcpy(buf + n, p, len);
		n += len;
	}
	return n;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	*(int *)arg = 1;
	return 1;
}

/*
 * Wherever PCRE2 matches, the rewrite does: on every pattern below, over
 * generated texts (valid and invalid UTF-8), caseless and not.
 */
static void
test_never_narrower(void **state)
{
	static const char *const pats[] = { "\\w+", "\\W{2,}", "\\bfoo\\b",
	    "\\bkill\\b", "\\b\\w{3}\\b", "[a-z]{2,3}", "[^a-z]+x", "é+",
	    "[а-я]{2}", "(a|b)\\1", "(?<w>k)\\k<w>", "x(?=y)", "(?<!a)b",
	    "^\\s*$", "^a", "y$", ".{3}", "(?s).{2}z", "\\d{2}", "\\D\\d",
	    "\\s\\S", "\\h\\v", "\\R", "\\X", "\\p{L}{2}", "\\P{L}", "[[:punct:]]",
	    "[\\x{100}-\\x{10ffff}]", "k{2}", "s\\W{0,3}k", "(?i)ё", "Ё",
	    "ς", "σ", "(?x) k  i  l  l", "(?>a+)b", "a++b", "a{2,}?b",
	    "(?|(a)|(b))\\1", "\\Qk.\\E", "[\\d\\s]+", "[^\\d\\s]", "\\N+",
	    "\\C", "(*UCP)\\w", "a(?#c)b", "(?:ab){3}", "\\x{212a}", "ſ",
	    "[k-s]", "İ", "ı", "\\b\\d+\\b", "\\bé", "(?m)^y", "[\\101-\\132]",
	    "http://\\S+", "(?i)i", "\\h+" };
	hs_scratch_t	*scratch = NULL;
	hs_database_t	*db;
	hs_compile_error_t *err;
	pcre2_match_data *md;
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	uint64_t	 s = 0x9e3779b97f4a7c15ull;
	size_t		 i, t, len, checked = 0;
	char		*hp, text[256];
	const char	*why;
	int		 caseless, e, hs;

	md = pcre2_match_data_create(1, NULL);
	for (i = 0; i < sizeof pats / sizeof *pats; i++)
		for (caseless = 0; caseless < 2; caseless++) {
			re = pcre2_compile((PCRE2_SPTR)pats[i],
			    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP |
			    PCRE2_MATCH_INVALID_UTF | (caseless ?
			    PCRE2_CASELESS : 0), &e, &off, NULL);
			if (re == NULL)
				fail_msg("%s does not compile", pats[i]);
			hp = hs_rewrite(rw, pats[i], strlen(pats[i]), caseless,
			    &why);
			if (hp == NULL)
				fail_msg("%s: refused: %s", pats[i], why);
			if (hs_compile(hp, HS_FLAG_SINGLEMATCH |
			    HS_FLAG_ALLOWEMPTY, HS_MODE_BLOCK, NULL, &db,
			    &err) != HS_SUCCESS)
				fail_msg("%s: rewrite %s: %s", pats[i], hp,
				    err->message);
			assert_int_equal(hs_alloc_scratch(db, &scratch),
			    HS_SUCCESS);
			for (t = 0; t < 3000; t++) {
				len = random_text(&s, text, sizeof text);
				if (pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0,
				    md, NULL) < 0)
					continue;
				hs = 0;
				(void)hs_scan(db, text, (unsigned)len, 0,
				    scratch, on_match, &hs);
				if (!hs)
					fail_msg("%s%s (rewritten %s) misses "
					    "\"%.*s\"", pats[i], caseless ?
					    " caseless" : "", hp, (int)len,
					    text);
				checked++;
			}
			hs_free_database(db);
			pcre2_code_free(re);
			free(hp);
		}
	/* The texts must reach most patterns, or this proves little. */
	assert_true(checked > 50000);
	hs_free_scratch(scratch);
	pcre2_match_data_free(md);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_widen_beyond_ascii),
		cmocka_unit_test(test_repeats_in_bytes),
		cmocka_unit_test(test_groups_and_assertions),
		cmocka_unit_test(test_back_references),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_caseless_letters),
		cmocka_unit_test(test_literal_text),
		cmocka_unit_test(test_never_narrower),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
