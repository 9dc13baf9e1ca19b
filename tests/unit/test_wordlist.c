/*
 * Word lists (words_file, and words lists too long for one regex) match
 * what the same words would as a regex: the same comments, the same
 * spans; long lists load; their errors name the list's file and line.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <nettle/base64.h>

#include "testutil.h"
#include "decision.h"

static const char *const words[] = {
	"viagra", "kill yourself", "f*ck", "дурак", "ΣΟΦΙΑ", "ass",
	"asshole", "o'brien", "e-mail", "mailinator.com", "ＦＵＬＬ",
};

static const char *const texts[] = {
	"buy VIAGRA now", "please KILL   yourself", "kill\\tyourself",
	"f*ck off", "ДУРАК!", "σοφια", "class assassin", "you asshole",
	"asshole", "O'Brien said", "e-mails", "e-mail me", "x@Mailinator.com",
	"viagraviagra", "_viagra", "viagra_", "1viagra", "viagra1",
	"the \\xffviagra\\xfe", "ＦＵＬＬ stop", "full stop", "",
	"kill yourselves", "ass ass", "naïve viagra", "Ass.",
};

static void
write_list(const char *dir)
{
	char	*p;
	FILE	*f;
	size_t	 i;

	if (asprintf(&p, "%s/list.txt", dir) < 0 ||
	    (f = fopen(p, "w")) == NULL)
		abort();
	fprintf(f, "# a comment\n\n");
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		fprintf(f, "  %s  # trailing comment\n", words[i]);
	fclose(f);
	free(p);
}

static struct ruleset *
load_dir(const char *dir, const char *yaml, struct diag *d)
{
	struct rules_options	o;

	free(test_write(dir, "rules.yaml", yaml));
	ruleset_options_default(&o);
	return rules_load_dir(dir, &o, d);
}

/* The rule's match on text: MATCH_* and the span. */
static int
match(struct matcher *m, const struct ruleset *rs, size_t i,
    const char *text, size_t *s, size_t *e)
{
	struct entry_limits	lim;
	struct entry		en;
	struct bytes		kv[4] = { { "id", 2 }, { "c", 1 },
				    { "text", 4 }, { text, strlen(text) } };
	struct hit		h;
	int			res;

	entry_limits_default(&lim);
	entry_init(&en, (struct bytes){ "1-0", 3 }, kv, 2, &lim);
	matcher_begin(m, rs, &en);
	res = matcher_rule(m, &rs->rules[i], &en, &h);
	*s = h.start;
	*e = h.end;
	entry_free(&en);
	return res;
}

static void
compare(struct matcher *m, const struct ruleset *rs, const char *text)
{
	size_t	s1 = 0, e1 = 0, s2 = 0, e2 = 0;
	int	a, b;

	a = match(m, rs, 0, text, &s1, &e1);
	b = match(m, rs, 1, text, &s2, &e2);
	if (a != b || (a == MATCH_HIT && (s1 != s2 || e1 != e2)))
		fail_msg("'%s': words %d [%zu..%zu], list %d [%zu..%zu]", text,
		    a, s1, e1, b, s2, e2);
}

static char *
inline_words(void)
{
	char	*s = strdup("- name: inline\n  action: flag\n  words: ["), *t;
	size_t	 i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		/* YAML single quotes: a quote is written twice. */
		if (asprintf(&t, "%s%s'%s'", s, i ? ", " : "",
		    strcmp(words[i], "o'brien") == 0 ? "o''brien" : words[i]) < 0)
			abort();
		free(s);
		s = t;
	}
	if (asprintf(&t, "%s]\n%s", s, "- name: listed\n  action: flag\n"
	    "  words_file: list.txt\n") < 0)
		abort();
	free(s);
	return t;
}

static void
test_same_as_words(void **state)
{
	struct rules_options	 o;
	struct diag		 d;
	struct ruleset		*rs;
	struct matcher		*m;
	char			*dir = test_mkdtemp(), *yaml = inline_words();
	char			 line[65536];
	uint8_t			 out[65536];
	struct base64_decode_ctx ctx;
	size_t			 i, n, len;
	FILE			*f;

	write_list(dir);
	diag_init(&d);
	rs = load_dir(dir, yaml, &d);
	if (rs == NULL)
		fail_msg("%s", d.n ? d.lines[0] : "?");
	assert_non_null(rs->rules[1].list);
	assert_null(rs->rules[0].list);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		compare(m, rs, texts[i]);
	/* And every string of the Big List of Naughty Strings. */
	assert_non_null(getenv("BLNS"));
	assert_non_null(f = fopen(getenv("BLNS"), "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		len = strcspn(line, "\r\n");
		if (len == 0 || line[0] == '#')
			continue;
		base64_decode_init(&ctx);
		n = sizeof out - 1;
		if (!base64_decode_update(&ctx, &n, out, len, line) ||
		    !base64_decode_final(&ctx))
			continue;
		out[n] = '\0';
		compare(m, rs, (const char *)out);
	}
	fclose(f);
	matcher_free(m);
	ruleset_free(rs);
	diag_free(&d);
	free(yaml);
	test_rmdir(dir);
}

/* 20,000 words inline: one list, not a regex too large to compile. */
static void
test_long_words(void **state)
{
	struct rules_options	 o;
	struct matcher		*m;
	struct ruleset		*rs;
	char			*yaml, *t;
	size_t			 i, s, e;

	yaml = strdup("- name: long\n  action: reject\n  words: [");
	for (i = 0; i < 20000; i++) {
		if (asprintf(&t, "%s%sw%05zuq", yaml, i ? ", " : "", i) < 0)
			abort();
		free(yaml);
		yaml = t;
	}
	if (asprintf(&t, "%s]\n", yaml) < 0)
		abort();
	free(yaml);
	rs = test_load_ok(t);
	free(t);
	assert_non_null(rs->rules[0].list);
	ruleset_options_default(&o);
	m = matcher_new(&o);
	assert_int_equal(match(m, rs, 0, "say W12345Q twice", &s, &e),
	    MATCH_HIT);
	assert_int_equal(s, 4);
	assert_int_equal(e, 11);
	assert_int_equal(match(m, rs, 0, "w12345qq", &s, &e), MATCH_NONE);
	matcher_free(m);
	ruleset_free(rs);
}

static void
expect_error(const char *yaml, const char *list, const char *want)
{
	struct diag	 d;
	struct ruleset	*rs;
	char		*dir = test_mkdtemp();
	size_t		 i;
	int		 found = 0;

	if (list != NULL)
		free(test_write(dir, "list.txt", list));
	diag_init(&d);
	rs = load_dir(dir, yaml, &d);
	assert_null(rs);
	for (i = 0; i < d.n; i++)
		found |= strstr(d.lines[i], want) != NULL;
	if (!found)
		fail_msg("no '%s' in '%s'", want, d.n ? d.lines[0] : "");
	diag_free(&d);
	test_rmdir(dir);
}

static void
test_errors(void **state)
{
	expect_error("- name: x\n  words_file: nope.txt\n  action: flag\n", NULL,
	    "rules.yaml:2:15: cannot read");
	expect_error("- name: x\n  words_file: list.txt\n  action: flag\n",
	    "ok\nbad\x01word\nok2\n", "list.txt:2: a control character");
	expect_error("- name: x\n  words_file: list.txt\n  action: flag\n",
	    "# only comments\n\n", "holds no entry");
	expect_error("- name: x\n  words_file: list.txt\n  words: [a]\n"
	    "  action: flag\n", "a\n",
	    "one of match, words, words_file and classify");
	expect_error("- name: x\n  words_file: list.txt\n  normalize: true\n"
	    "  action: flag\n", "ok\n\xe2\x80\x8b\n", "list.txt:2: an entry "
	    "that is empty once normalised");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_words),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
