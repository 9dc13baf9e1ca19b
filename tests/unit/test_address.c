/* Redis addresses: host:port, sockets, URLs; errors never show the password. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "address.h"

static void
test_forms(void **state)
{
	struct redis_address	 a;
	char			*cause, *s;

	assert_int_equal(address_parse("127.0.0.1:6380", &a, &cause), 0);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 6380);
	assert_int_equal(a.db, -1);
	address_free(&a);

	assert_int_equal(address_parse("redis.local", &a, &cause), 0);
	assert_int_equal(a.port, 6379);
	address_free(&a);

	assert_int_equal(address_parse("[::1]:7000", &a, &cause), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 7000);
	s = address_describe(&a);
	assert_string_equal(s, "[::1]:7000");
	free(s);
	address_free(&a);

	assert_int_equal(address_parse("/run/redis/redis.sock", &a, &cause), 0);
	assert_null(a.host);
	assert_string_equal(a.path, "/run/redis/redis.sock");
	address_free(&a);
	assert_int_equal(address_parse("unix:/tmp/r.sock", &a, &cause), 0);
	assert_string_equal(a.path, "/tmp/r.sock");
	address_free(&a);

	assert_int_equal(address_parse("redis://:s3cret@db.example:6390/4", &a,
	    &cause), 0);
	assert_string_equal(a.host, "db.example");
	assert_int_equal(a.port, 6390);
	assert_string_equal(a.password, "s3cret");
	assert_null(a.user);
	assert_int_equal(a.db, 4);
	s = address_describe(&a);
	assert_null(strstr(s, "s3cret"));
	free(s);
	address_free(&a);

	assert_int_equal(address_parse("redis://app:pw@h", &a, &cause), 0);
	assert_string_equal(a.user, "app");
	assert_string_equal(a.password, "pw");
	assert_int_equal(a.port, 6379);
	address_free(&a);
}

static void
expect_bad(const char *s, const char *msg)
{
	struct redis_address	 a;
	char			*cause;

	assert_int_equal(address_parse(s, &a, &cause), -1);
	assert_non_null(strstr(cause, msg));
	assert_null(strstr(cause, "s3cret"));
	free(cause);
	address_free(&a);
}

static void
test_errors(void **state)
{
	expect_bad("", "empty");
	expect_bad("host:0", "bad port");
	expect_bad("host:99999", "bad port");
	expect_bad("host:abc", "bad port");
	expect_bad("redis://s3cret@host", "[user]:password@");
	expect_bad("redis://:s3cret@host/x", "bad database");
	expect_bad("rediss://host", "only redis://");
	expect_bad("[::1", "unclosed");
	expect_bad(":6379", "empty host");
}

static void
test_listen(void **state)
{
	char	*host, *cause;
	int	 port;

	assert_int_equal(address_parse_listen("9469", &host, &port, &cause), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9469);
	free(host);
	assert_int_equal(address_parse_listen(":9469", &host, &port, &cause),
	    0);
	assert_string_equal(host, "127.0.0.1");
	free(host);
	assert_int_equal(address_parse_listen("0.0.0.0:80", &host, &port,
	    &cause), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 80);
	free(host);
	assert_int_equal(address_parse_listen("[::1]:9469", &host, &port,
	    &cause), 0);
	assert_string_equal(host, "::1");
	free(host);

	assert_int_equal(address_parse_listen("localhost", &host, &port,
	    &cause), -1);
	assert_null(host);
	assert_non_null(strstr(cause, "no port"));
	free(cause);
	assert_int_equal(address_parse_listen("[::1]", &host, &port, &cause),
	    -1);
	free(cause);
	assert_int_equal(address_parse_listen("host:99999", &host, &port,
	    &cause), -1);
	assert_non_null(strstr(cause, "bad port"));
	free(cause);
	assert_int_equal(address_parse_listen("", &host, &port, &cause), -1);
	free(cause);
	assert_int_equal(address_parse_listen("0", &host, &port, &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
