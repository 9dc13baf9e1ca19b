/* JSON lines stay valid whatever bytes they carry. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static void
expect(const char *in, size_t len, const char *out)
{
	struct jbuf	j;

	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_str(&j, "k", in, len);
	jbuf_close(&j);
	assert_string_equal(j.p, out);
	jbuf_free(&j);
}
#define E(in, out)	expect((in), sizeof(in) - 1, (out))

static void
test_escaping(void **state)
{
	E("plain", "{\"k\":\"plain\"}");
	E("q\"b\\", "{\"k\":\"q\\\"b\\\\\"}");
	E("a\nb\t\x01\x7f", "{\"k\":\"a\\u000ab\\u0009\\u0001\\u007f\"}");
	E("nul\0x", "{\"k\":\"nul\\u0000x\"}");
	E("héllo дурак 😀", "{\"k\":\"héllo дурак 😀\"}");
	/* Line breaks for other readers than JSON's are escaped too. */
	E("a\u2028b\u2029c\xc2\x85" "d", "{\"k\":\"a\\u2028b\\u2029c\\u0085d\"}");
}

static void
test_invalid_utf8(void **state)
{
	E("\xff", "{\"k\":\"\\ufffd\"}");
	E("a\xc3", "{\"k\":\"a\\ufffd\"}");		/* truncated */
	E("\xc0\xaf", "{\"k\":\"\\ufffd\\ufffd\"}");	/* overlong */
	E("\xed\xa0\x80", "{\"k\":\"\\ufffd\\ufffd\\ufffd\"}");	/* surrogate */
	E("\xf4\x90\x80\x80", "{\"k\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}");
}

static void
test_object(void **state)
{
	struct jbuf	j;

	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_cstr(&j, "a", "x");
	jbuf_int(&j, "n", -42);
	jbuf_cstr(&j, "e", NULL);
	jbuf_close(&j);
	assert_string_equal(j.p, "{\"a\":\"x\",\"n\":-42,\"e\":\"\"}");
	jbuf_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
