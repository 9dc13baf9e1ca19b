/* Sentinel's client procedure: the list, the master's answer, ROLE. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sentinel.h"

static void
test_list(void **state)
{
	struct sentinels	 s;
	char			*cause, *d;

	assert_int_equal(sentinels_parse(&s, "10.0.0.1:26379, 10.0.0.2:26380,"
	    "/run/sentinel.sock", "mymaster", "", &cause), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.first, 0);
	assert_string_equal(s.master, "mymaster");
	assert_null(s.password);
	d = sentinel_describe(&s, 1);
	assert_string_equal(d, "10.0.0.2:26380");
	free(d);
	assert_string_equal(s.at[2].path, "/run/sentinel.sock");
	sentinels_free(&s);

	assert_int_equal(sentinels_parse(&s, "10.0.0.1:26379", "m", "secret",
	    &cause), 0);
	assert_string_equal(s.password, "secret");
	sentinels_free(&s);

	assert_int_equal(sentinels_parse(&s, "10.0.0.1:26379", "", NULL,
	    &cause), -1);
	assert_non_null(strstr(cause, "master_name"));
	free(cause);
	assert_int_equal(sentinels_parse(&s, " , ", "m", NULL, &cause), -1);
	assert_non_null(strstr(cause, "no sentinel"));
	free(cause);
	assert_int_equal(sentinels_parse(&s, "10.0.0.1:26379,10.0.0.2:99999",
	    "m", NULL, &cause), -1);
	assert_non_null(strstr(cause, "10.0.0.2:99999"));
	free(cause);
}

static redisReply *
str(const char *s)
{
	redisReply	*r = calloc(1, sizeof *r);

	r->type = REDIS_REPLY_STRING;
	r->str = strdup(s);
	r->len = strlen(s);
	return r;
}

static redisReply *
pair(const char *a, const char *b)
{
	redisReply	*r = calloc(1, sizeof *r);

	r->type = REDIS_REPLY_ARRAY;
	r->elements = 2;
	r->element = calloc(2, sizeof *r->element);
	r->element[0] = str(a);
	r->element[1] = str(b);
	return r;
}

static void
test_master_reply(void **state)
{
	struct sentinels	 s;
	redisReply		*r, nil = { .type = REDIS_REPLY_NIL };
	char			 msg[] = "NOAUTH Authentication required.";
	redisReply		 err = { .type = REDIS_REPLY_ERROR, .str = msg };
	char			*host, *why, *cause;
	int			 port;

	assert_int_equal(sentinels_parse(&s, "127.0.0.1:26379", "mymaster",
	    NULL, &cause), 0);
	r = pair("10.0.0.2", "6379");
	assert_int_equal(sentinel_master_reply(&s, r, &host, &port, &why), 0);
	assert_string_equal(host, "10.0.0.2");
	assert_int_equal(port, 6379);
	free(host);
	freeReplyObject(r);

	assert_int_equal(sentinel_master_reply(&s, &nil, &host, &port, &why),
	    -1);
	assert_string_equal(why, "knows no master mymaster");
	free(why);
	assert_int_equal(sentinel_master_reply(&s, &err, &host, &port, &why),
	    -1);
	assert_non_null(strstr(why, "NOAUTH"));
	free(why);
	assert_int_equal(sentinel_master_reply(&s, NULL, &host, &port, &why),
	    -1);
	free(why);
	r = pair("10.0.0.2", "port");
	assert_int_equal(sentinel_master_reply(&s, r, &host, &port, &why), -1);
	free(why);
	freeReplyObject(r);
	r = pair("", "6379");
	assert_int_equal(sentinel_master_reply(&s, r, &host, &port, &why), -1);
	free(why);
	freeReplyObject(r);
	sentinels_free(&s);
}

static void
test_role(void **state)
{
	redisReply	*r;
	const char	*role;

	r = pair("master", "0");
	assert_int_equal(sentinel_role_master(r, &role), 1);
	freeReplyObject(r);
	r = pair("slave", "127.0.0.1");
	assert_int_equal(sentinel_role_master(r, &role), 0);
	assert_string_equal(role, "slave");
	freeReplyObject(r);
	assert_int_equal(sentinel_role_master(NULL, &role), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_master_reply),
		cmocka_unit_test(test_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
