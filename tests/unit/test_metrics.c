/*
 * The metrics: counts by rule name across reloads, histograms, and the
 * text exposition (promtool checks its syntax in the integration test).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"
#include "testutil.h"

#define RULES_AB							\
	"- name: alpha\n  match: 'a'\n  action: flag\n"			\
	"- name: beta\n  match: 'b'\n  action: reject\n  mode: shadow\n"
#define RULES_BC							\
	"- name: beta\n  match: 'b'\n  action: reject\n  mode: shadow\n"	\
	"- name: gamma\n  match: 'c'\n  action: flag\n"

/* The exposition of m, as one string; the caller frees it. */
static char *
render(const struct metrics *m)
{
	struct metrics_gauges	 g;
	char			*p = NULL;
	size_t			 len = 0;
	FILE			*f;

	memset(&g, 0, sizeof g);
	g.rules_loaded = 2;
	g.jit = 1;
	g.connected = 1;
	g.lag = 7;
	g.pending = -1;
	assert_non_null(f = open_memstream(&p, &len));
	metrics_render(m, &g, f);
	fclose(f);
	return p;
}

static void
assert_line(const char *text, const char *line)
{
	char	*want;

	assert_true(asprintf(&want, "\n%s\n", line) > 0);
	if (strstr(text, want) == NULL)
		fail_msg("no line '%s' in:\n%s", line, text);
	free(want);
}

static void
test_hits_across_reloads(void **state)
{
	struct metrics	 m;
	struct ruleset	*ab = test_load_ok(RULES_AB), *bc;
	char		*t;

	metrics_init(&m);
	metrics_rules(&m, NULL, ab);
	metrics_hits(&m, "alpha", 0);
	metrics_hits(&m, "alpha,unknown-rule", 0);
	metrics_hits(&m, "beta", 1);
	metrics_hits(&m, "", 0);
	ab->rules[1].stats->ns = 1500000000;
	ab->rules[1].stats->errors = 2;
	m.decided[ACTION_FLAG] = 3;

	t = render(&m);
	assert_line(t, "moderatord_rule_hits_total{rule=\"alpha\",mode=\"live\"} 2");
	assert_line(t, "moderatord_rule_hits_total{rule=\"beta\",mode=\"shadow\"} 1");
	assert_line(t, "moderatord_rule_hits_total{rule=\"beta\",mode=\"live\"} 0");
	assert_line(t, "moderatord_rule_seconds_total{rule=\"beta\"} 1.500000000");
	assert_line(t, "moderatord_rule_errors_total{rule=\"beta\"} 2");
	assert_line(t, "moderatord_decisions_total{decision=\"flag\"} 3");
	assert_line(t, "moderatord_consumer_group_lag 7");
	assert_null(strstr(t, "consumer_group_pending"));
	assert_null(strstr(t, "unknown-rule"));
	free(t);

	/* beta stays with its counts; alpha goes; gamma comes at zero. */
	bc = test_load_ok(RULES_BC);
	metrics_rules(&m, ab, bc);
	ruleset_free(ab);
	bc->rules[0].stats->ns = 500000000;
	metrics_hits(&m, "beta", 1);
	t = render(&m);
	assert_line(t, "moderatord_rule_hits_total{rule=\"beta\",mode=\"shadow\"} 2");
	assert_line(t, "moderatord_rule_seconds_total{rule=\"beta\"} 2.000000000");
	assert_line(t, "moderatord_rule_errors_total{rule=\"beta\"} 2");
	assert_line(t, "moderatord_rule_hits_total{rule=\"gamma\",mode=\"live\"} 0");
	assert_null(strstr(t, "alpha"));
	/* In name order: beta's lines before gamma's. */
	assert_true(strstr(t, "rule=\"beta\",mode=\"live\"") <
	    strstr(t, "rule=\"gamma\",mode=\"live\""));
	free(t);
	metrics_free(&m);
	ruleset_free(bc);
}

static void
test_histogram(void **state)
{
	struct metrics	 m;
	char		*t;

	metrics_init(&m);
	metrics_observe(&m.latency, 0.0001);	/* on a bound: that bucket */
	metrics_observe(&m.latency, 0.003);
	metrics_observe(&m.latency, 0.003);
	metrics_observe(&m.latency, 60);	/* beyond every bound */
	metrics_observe(&m.batch, 256);
	t = render(&m);
	assert_line(t, "moderatord_decision_latency_seconds_bucket{le=\"0.0001\"} 1");
	assert_line(t, "moderatord_decision_latency_seconds_bucket{le=\"0.0025\"} 1");
	assert_line(t, "moderatord_decision_latency_seconds_bucket{le=\"0.005\"} 3");
	assert_line(t, "moderatord_decision_latency_seconds_bucket{le=\"10\"} 3");
	assert_line(t, "moderatord_decision_latency_seconds_bucket{le=\"+Inf\"} 4");
	assert_line(t, "moderatord_decision_latency_seconds_count 4");
	assert_line(t, "moderatord_decision_latency_seconds_sum 60.0061");
	assert_line(t, "moderatord_batch_entries_bucket{le=\"128\"} 0");
	assert_line(t, "moderatord_batch_entries_bucket{le=\"256\"} 1");
	free(t);
	metrics_free(&m);
}

/* Every sample line belongs to a family declared by # TYPE before it. */
static void
test_families_declared(void **state)
{
	struct metrics	 m;
	struct ruleset	*ab = test_load_ok(RULES_AB);
	char		*t, *line, *save, *types = NULL, name[128];
	size_t		 tlen = 0, n;
	FILE		*tf;

	metrics_init(&m);
	metrics_rules(&m, NULL, ab);
	t = render(&m);
	assert_non_null(tf = open_memstream(&types, &tlen));
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# TYPE ", 7) == 0) {
			fprintf(tf, " %.*s ", (int)strcspn(line + 7, " "),
			    line + 7);
			fflush(tf);
			continue;
		}
		if (*line == '#')
			continue;
		n = strcspn(line, "{ ");
		assert_true(n < sizeof name - 2);
		snprintf(name, sizeof name, " %.*s ", (int)n, line);
		if (strstr(types, name) == NULL) {
			/* Histogram samples: _bucket, _sum, _count of a family. */
			char *suffix = strrchr(name, '_');

			assert_non_null(suffix);
			strcpy(suffix, " ");
			if (strstr(types, name) == NULL)
				fail_msg("sample before its # TYPE: %s", line);
		}
	}
	fclose(tf);
	free(types);
	free(t);
	metrics_free(&m);
	ruleset_free(ab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits_across_reloads),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_families_declared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
