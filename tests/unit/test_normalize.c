/* Text folding for duplicate detection. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "normalize.h"

static void
expect(const char *in, size_t len, const char *out)
{
	char	*got;
	size_t	 n;

	got = normalize_text(in, len, &n);
	assert_string_equal(got, out);
	assert_int_equal(n, strlen(out));
	free(got);
}
#define E(in, out)	expect((in), sizeof(in) - 1, (out))

static void
test_folding(void **state)
{
	E("Sign the PETITION!!!  now", "signthepetitionnow");
	E("  sign, the petition... now ", "signthepetitionnow");
	E("sign\tthe\npetition\u00a0now", "signthepetitionnow");
	E("sign-the-petition now", "signthepetitionnow");
	E("STRASSE Straße", "strassestrasse");		/* full case folding */
	E("ＦＵＬＬ ｗｉｄｔｈ", "fullwidth");		/* NFKC */
	E("ДУРАК дурак", "дуракдурак");
	E("café CAFÉ", "cafécafé");
	E("cafe\u0301", "café");				/* NFKC composes */
	E("#1 😀 $5", "15");
}

static void
test_nothing_left(void **state)
{
	E("", "");
	E("!!! ??? 😀😀", "");
	E("   ", "");
}

static void
test_invalid_utf8(void **state)
{
	E("ab\xff" "cd \xc3", "abcd");
	E("\xed\xa0\x80x", "x");
	E("nul\0byte", "nulbyte");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_nothing_left),
		cmocka_unit_test(test_invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
