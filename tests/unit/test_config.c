/* The config file: defaults, every key, errors with positions. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "config.h"

static int
load(struct config *c, const char *yaml, struct diag *d)
{
	char	*dir = test_mkdtemp(), *p;
	int	 rc;

	p = test_write(dir, "m.conf", yaml);
	rc = config_load(c, p, d);
	free(p);
	test_rmdir(dir);
	return rc;
}

static void
test_defaults(void **state)
{
	struct config	c;

	config_init(&c);
	assert_string_equal(c.redis_address, "127.0.0.1:6379");
	assert_string_equal(c.input_stream, "comments:in");
	assert_string_equal(c.output_stream, "comments:decisions");
	assert_string_equal(c.group, "moderators");
	assert_null(c.consumer);
	assert_int_equal(c.batch_size, 256);
	assert_int_equal(c.rules.default_action, ACTION_APPROVE);
	assert_true(c.rules.jit);
	assert_int_equal(c.limits.max_text, 65536);
	assert_int_equal(c.log.decisions_stdout, LOG_DECISIONS_FLAGGED);
	assert_int_equal(c.log.decisions_file, LOG_DECISIONS_ALL);
	assert_false(c.log.text);
	assert_int_equal(c.verdict_busy_rate, 100);
	config_free(&c);
}

static void
test_keys(void **state)
{
	struct config	c;
	struct diag	d;

	config_init(&c);
	diag_init(&d);
	assert_int_equal(load(&c,
	    "redis:\n  address: /tmp/r.sock\n  batch_size: 10\n"
	    "  consumer: box-1\n  output_maxlen: 5000\n  database: 3\n"
	    "rules:\n  directory: /x\n  default_action: flag\n  jit: off\n"
	    "  match_limit: 5000\n  max_text_length: 100\n"
	    "log:\n  level: debug\n  stdout_decisions: all\n  text: yes\n"
	    "verdicts:\n  busy_rate: 0\n",
	    &d), 0);
	assert_string_equal(c.redis_address, "/tmp/r.sock");
	assert_int_equal(c.batch_size, 10);
	assert_string_equal(c.consumer, "box-1");
	assert_int_equal(c.output_maxlen, 5000);
	assert_int_equal(c.redis_db, 3);
	assert_string_equal(c.rules_dir, "/x");
	assert_int_equal(c.rules.default_action, ACTION_FLAG);
	assert_false(c.rules.jit);
	assert_int_equal(c.rules.match_limit, 5000);
	assert_int_equal(c.limits.max_text, 100);
	assert_string_equal(c.log.level, "debug");
	assert_int_equal(c.log.decisions_stdout, LOG_DECISIONS_ALL);
	assert_true(c.log.text);
	assert_int_equal(c.verdict_busy_rate, 0);
	config_free(&c);
	diag_free(&d);
}

static void
test_errors(void **state)
{
	struct config	c;
	struct diag	d;

	config_init(&c);
	diag_init(&d);
	assert_int_equal(load(&c,
	    "redis:\n  adress: x\n  batch_size: 0\n"
	    "rules:\n  default_action: maybe\n"
	    "log:\n  stdout_decisions: some\n  level: loud\n"
	    "extra: 1\n", &d), -1);
	assert_int_equal(d.n, 6);
	assert_non_null(strstr(d.lines[0], "m.conf:9:1: unknown key 'extra'"));
	assert_non_null(strstr(d.lines[1], "m.conf:2:3: unknown key 'adress' "
	    "in redis"));
	assert_non_null(strstr(d.lines[2], "m.conf:3:15: 0 is out of range"));
	assert_non_null(strstr(d.lines[3], "m.conf:5:19: action must be"));
	assert_non_null(strstr(d.lines[4], "m.conf:7:21: stdout_decisions must"));
	assert_non_null(strstr(d.lines[5], "m.conf:8:10: level must be"));
	config_free(&c);
	diag_free(&d);

	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, "/nonexistent.conf", &d), -1);
	assert_non_null(strstr(d.lines[0], "/nonexistent.conf: No such file"));
	config_free(&c);
	diag_free(&d);
}

static void
test_password_file(void **state)
{
	struct config	 c;
	char		*dir = test_mkdtemp(), *cause = NULL;

	config_init(&c);
	c.redis_password_file = test_write(dir, "pw", "s3cret\n");
	assert_int_equal(config_read_password(&c, &cause), 0);
	assert_string_equal(c.redis_password, "s3cret");
	free(c.redis_password_file);
	c.redis_password_file = strdup("/nonexistent/pw");
	assert_int_equal(config_read_password(&c, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/pw"));
	free(cause);
	config_free(&c);
	test_rmdir(dir);
}

static void
test_sentinels(void **state)
{
	struct config	c;
	struct diag	d;

	config_init(&c);
	diag_init(&d);
	assert_string_equal(c.sentinels, "");
	assert_int_equal(load(&c, "redis:\n  sentinels: ['10.0.0.1:26379', "
	    "'10.0.0.2:26379']\n  master_name: mymaster\n", &d), 0);
	assert_string_equal(c.sentinels, "10.0.0.1:26379,10.0.0.2:26379");
	assert_string_equal(c.master_name, "mymaster");
	config_free(&c);

	config_init(&c);
	assert_int_equal(load(&c, "redis:\n  sentinels: ['10.0.0.1:26379']\n",
	    &d), -1);
	assert_int_equal(load(&c, "redis:\n  sentinels: ['a,b']\n"
	    "  master_name: m\n", &d), -1);
	assert_int_equal(load(&c, "redis:\n  sentinels: {a: 1}\n"
	    "  master_name: m\n", &d), -1);
	assert_int_equal(load(&c, "redis:\n  wait_replicas: 1\n"
	    "  wait_timeout: 5s\n", &d), -1);
	assert_int_equal(load(&c, "redis:\n  wait_replicas: 1\n"
	    "  wait_timeout: 200ms\n", &d), 0);
	assert_int_equal(c.wait_replicas, 1);
	assert_int_equal(c.wait_timeout_ms, 200);
	config_free(&c);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_sentinels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
