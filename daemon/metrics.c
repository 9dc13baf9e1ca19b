/*
 * The daemon's counters and their Prometheus text exposition. Per-rule
 * figures live in a map by rule name (namemap.h): hits are counted
 * from the names in written decisions; match time and errors are read
 * from the rules in force, plus what retired rulesets had under the same
 * names.
 */

#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "namemap.h"
#include "ruleset.h"
#include "xmalloc.h"

#define RULE_NAME_BUF	128

struct metrics_rule {
	uint64_t	 live;
	uint64_t	 shadow;
	uint64_t	 retired_ns;
	uint64_t	 retired_errors;
	uint64_t	 retired_runs;
	uint64_t	 retired_matches;
	uint64_t	 verdicts[2];	/* counted here: agreed, disagreed */
	uint64_t	 shared[2];	/* ... by every instance (Redis) */
	int		 demoted;	/* enum demotion, as Redis says */
	const struct rule_stats *stats;	/* the rule in force, or NULL */
	unsigned	 generation;
};

/* Latency from 100 us to 10 s; batches up to the largest batch_size. */
static const double latency_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001,
    0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
static const double batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256,
    512, 1024, 2048, 4096, 10000 };

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof *m);
	m->last_reload_ok = 1;
	m->latency.bounds = latency_bounds;
	m->latency.nbounds = sizeof latency_bounds / sizeof latency_bounds[0];
	m->batch.bounds = batch_bounds;
	m->batch.nbounds = sizeof batch_bounds / sizeof batch_bounds[0];
}

void
metrics_free(struct metrics *m)
{
	namemap_free(&m->rules, NULL);
}

/* Collects the rules of an older generation, to be dropped. */
struct stale {
	const char	**v;
	size_t		  n;
	unsigned	  generation;
};

static void
collect_stale(const char *name, void *value, void *arg)
{
	struct metrics_rule	*e = value;
	struct stale		*s = arg;

	if (e->generation != s->generation)
		s->v[s->n++] = name;
}

void
metrics_rules(struct metrics *m, const struct ruleset *old,
    const struct ruleset *new)
{
	struct metrics_rule	*e;
	struct stale		 s;
	size_t			 i;

	if (old != NULL) {
		for (i = 0; i < old->nrules; i++) {
			if ((e = namemap_find(&m->rules, old->rules[i].name)) ==
			    NULL)
				continue;
			e->retired_ns += old->rules[i].stats->ns;
			e->retired_errors += old->rules[i].stats->errors;
			e->retired_runs += old->rules[i].stats->runs;
			e->retired_matches += old->rules[i].stats->matches;
			e->stats = NULL;
		}
	}
	m->generation++;
	for (i = 0; i < new->nrules; i++) {
		e = namemap_get(&m->rules, new->rules[i].name, sizeof *e);
		e->stats = new->rules[i].stats;
		e->generation = m->generation;
	}
	/* A rule that is gone takes its series with it: memory stays bounded. */
	s.v = xreallocarray(NULL, m->rules.n + 1, sizeof *s.v);
	s.n = 0;
	s.generation = m->generation;
	namemap_each(&m->rules, collect_stale, &s);
	/* A name is freed by its own removal, once it is no longer used. */
	for (i = 0; i < s.n; i++)
		namemap_remove(&m->rules, s.v[i], NULL);
	free(s.v);
}

void
metrics_hits(struct metrics *m, const char *list, int shadow)
{
	struct metrics_rule	*e;
	char			 name[RULE_NAME_BUF];
	size_t			 len;

	while (*list != '\0') {
		len = strcspn(list, ",");
		if (len < sizeof name) {
			memcpy(name, list, len);
			name[len] = '\0';
			/* Not found: decided by rules a reload has since removed. */
			if ((e = namemap_find(&m->rules, name)) != NULL) {
				if (shadow)
					e->shadow++;
				else
					e->live++;
			}
		}
		list += len;
		if (*list == ',')
			list++;
	}
}

/* What a verdict became: approve and remove are verdicts counted. */
const char *const verdict_outcomes[VERDICT_OUTCOMES] = { "approve", "remove",
    "same", "unmatched", "expired", "miss", "malformed" };

/*
 * A verdict this instance took: outcome (verdict_outcomes, "counted" for
 * one counted, then verdict says which) and, counted, the rules' "name=a"
 * or "name=d".
 */
void
metrics_verdict(struct metrics *m, const char *outcome, const char *verdict,
    const char *said)
{
	struct metrics_rule	*e;
	char			 name[RULE_NAME_BUF];
	size_t			 i, len;

	if (strcmp(outcome, "counted") == 0)
		outcome = verdict;
	for (i = 0; i < VERDICT_OUTCOMES; i++)
		if (strcmp(outcome, verdict_outcomes[i]) == 0)
			m->verdicts[i]++;
	while (*said != '\0') {
		len = strcspn(said, ",");
		if (len > 2 && len - 2 < sizeof name && said[len - 2] == '=') {
			memcpy(name, said, len - 2);
			name[len - 2] = '\0';
			if ((e = namemap_find(&m->rules, name)) != NULL)
				e->verdicts[said[len - 1] == 'a' ? 0 : 1]++;
		}
		said += len;
		if (*said == ',')
			said++;
	}
}

/* What Redis says of rule name over every instance. */
void
metrics_shared(struct metrics *m, const char *name, enum metrics_shared what,
    uint64_t v)
{
	struct metrics_rule	*e;

	if ((e = namemap_find(&m->rules, name)) == NULL)
		return;
	if (what == METRICS_DEMOTED)
		e->demoted = (int)v;
	else
		e->shared[what == METRICS_DISAGREED] = v;
}

void
metrics_observe(struct histogram *h, double v)
{
	size_t	i;

	for (i = 0; i < h->nbounds && v > h->bounds[i]; i++)
		;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

static void
header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
render_histogram(FILE *f, const char *name, const char *help,
    const struct histogram *h)
{
	uint64_t	cum = 0;
	size_t		i;

	header(f, name, "histogram", help);
	for (i = 0; i < h->nbounds; i++) {
		cum += h->counts[i];
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i],
		    (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name,
	    (unsigned long long)h->count);
	fprintf(f, "%s_sum %.9g\n%s_count %llu\n", name, h->sum, name,
	    (unsigned long long)h->count);
}

/* The per-rule families, each a walk over the tree in name order. */
enum rule_family { RF_HITS, RF_ERRORS, RF_SECONDS, RF_RUNS, RF_MATCHES,
	RF_VERDICTS, RF_PRECISION, RF_DEMOTED };

/* The series a rule has, in the order served. */
static const struct {
	const char		*name, *type, *help;
	enum rule_family	 family;
} rule_series[] = {
	{ "moderatord_rule_hits_total", "counter",
	    "Written decisions each rule matched, live or shadow.", RF_HITS },
	{ "moderatord_rule_errors_total", "counter",
	    "Times a rule could not run on a comment (a PCRE2 limit, say).",
	    RF_ERRORS },
	{ "moderatord_rule_seconds_total", "counter",
	    "Time spent matching each rule.", RF_SECONDS },
	{ "moderatord_rule_runs_total", "counter",
	    "Times PCRE2 ran each rule: for a rule on the automaton or on "
	    "literals, the times they reported it.", RF_RUNS },
	{ "moderatord_rule_matches_total", "counter",
	    "Runs of each rule that PCRE2 confirmed (over runs: the precision "
	    "of what picked it).", RF_MATCHES },
	{ "moderatord_rule_verdicts_total", "counter",
	    "Verdicts this instance counted for each rule, by whether the "
	    "moderator agreed with the rule.", RF_VERDICTS },
	{ "moderatord_rule_precision", "gauge",
	    "Each judged rule's precision over every instance's verdicts: "
	    "agreed / (agreed + disagreed).", RF_PRECISION },
	{ "moderatord_rule_demoted", "gauge",
	    "1: the rule acts one step milder (reject as flag), 2: as shadow; "
	    "moderators' verdicts put it under its min_precision.", RF_DEMOTED },
};

struct rule_walk {
	FILE			*f;
	enum rule_family	 family;
};

/* Rule names are letters, digits, '-', '_' and '.': no label escaping. */
static void
render_rule(const char *name, void *value, void *arg)
{
	const struct metrics_rule	*e = value;
	struct rule_walk		*w = arg;
	uint64_t			 v;

	switch (w->family) {
	case RF_HITS:
		fprintf(w->f, "moderatord_rule_hits_total{rule=\"%s\","
		    "mode=\"live\"} %llu\n", name,
		    (unsigned long long)e->live);
		fprintf(w->f, "moderatord_rule_hits_total{rule=\"%s\","
		    "mode=\"shadow\"} %llu\n", name,
		    (unsigned long long)e->shadow);
		break;
	case RF_ERRORS:
		v = e->retired_errors + (e->stats ? e->stats->errors : 0);
		fprintf(w->f, "moderatord_rule_errors_total{rule=\"%s\"} %llu\n",
		    name, (unsigned long long)v);
		break;
	case RF_SECONDS:
		v = e->retired_ns + (e->stats ? e->stats->ns : 0);
		fprintf(w->f, "moderatord_rule_seconds_total{rule=\"%s\"} "
		    "%.9f\n", name, (double)v / 1e9);
		break;
	case RF_RUNS:
		v = e->retired_runs + (e->stats ? e->stats->runs : 0);
		fprintf(w->f, "moderatord_rule_runs_total{rule=\"%s\"} %llu\n",
		    name, (unsigned long long)v);
		break;
	case RF_MATCHES:
		v = e->retired_matches + (e->stats ? e->stats->matches : 0);
		fprintf(w->f, "moderatord_rule_matches_total{rule=\"%s\"} "
		    "%llu\n", name, (unsigned long long)v);
		break;
	case RF_VERDICTS:
		fprintf(w->f, "moderatord_rule_verdicts_total{rule=\"%s\","
		    "outcome=\"agreed\"} %llu\n", name,
		    (unsigned long long)e->verdicts[0]);
		fprintf(w->f, "moderatord_rule_verdicts_total{rule=\"%s\","
		    "outcome=\"disagreed\"} %llu\n", name,
		    (unsigned long long)e->verdicts[1]);
		break;
	case RF_PRECISION:
		if (e->shared[0] + e->shared[1] > 0)
			fprintf(w->f, "moderatord_rule_precision{rule=\"%s\"} "
			    "%.6f\n", name, (double)e->shared[0] /
			    (double)(e->shared[0] + e->shared[1]));
		break;
	case RF_DEMOTED:
		fprintf(w->f, "moderatord_rule_demoted{rule=\"%s\"} %d\n", name,
		    e->demoted);
		break;
	}
}

static void
render_rules(const struct metrics *m, FILE *f, enum rule_family family)
{
	struct rule_walk	w = { f, family };

	namemap_each(&m->rules, render_rule, &w);
}

void
metrics_render(const struct metrics *m, const struct metrics_gauges *g,
    FILE *f)
{
	static const char *const kinds[] = { "ok", "failed" };
	uint64_t	 reloads[2] = { m->reloads_ok, m->reloads_failed };
	size_t		 i;

	header(f, "moderatord_build_info", "gauge",
	    "The running version (always 1).");
	fprintf(f, "moderatord_build_info{version=\"%s\"} 1\n",
	    MODERATORD_VERSION);
	header(f, "moderatord_start_time_seconds", "gauge",
	    "When the daemon started, in seconds since the epoch.");
	fprintf(f, "moderatord_start_time_seconds %.3f\n", g->start_time);

	header(f, "moderatord_decisions_total", "counter",
	    "Decisions written to the output stream, by outcome.");
	for (i = 0; i < ACTION_COUNT; i++)
		fprintf(f, "moderatord_decisions_total{decision=\"%s\"} %llu\n",
		    action_name((enum action)i),
		    (unsigned long long)m->decided[i]);
	header(f, "moderatord_dead_letters_total", "counter",
	    "Entries moved to the dead-letter stream after too many "
	    "deliveries.");
	fprintf(f, "moderatord_dead_letters_total %llu\n",
	    (unsigned long long)m->dead_lettered);

	for (i = 0; i < sizeof rule_series / sizeof rule_series[0]; i++) {
		header(f, rule_series[i].name, rule_series[i].type,
		    rule_series[i].help);
		render_rules(m, f, rule_series[i].family);
	}
	header(f, "moderatord_verdicts_total", "counter",
	    "Moderators' verdicts this instance took, by what became of them.");
	for (i = 0; i < VERDICT_OUTCOMES; i++)
		fprintf(f, "moderatord_verdicts_total{verdict=\"%s\"} %llu\n",
		    verdict_outcomes[i], (unsigned long long)m->verdicts[i]);

	render_histogram(f, "moderatord_decision_latency_seconds",
	    "Time from reading a batch to its decisions being written.",
	    &m->latency);
	render_histogram(f, "moderatord_batch_entries",
	    "Entries per batch read from Redis.", &m->batch);

	header(f, "moderatord_redis_connected", "gauge",
	    "1 when connected to Redis and reading.");
	fprintf(f, "moderatord_redis_connected %d\n", g->connected ? 1 : 0);
	header(f, "moderatord_redis_reconnects_total", "counter",
	    "Connections to Redis made again after one was lost.");
	fprintf(f, "moderatord_redis_reconnects_total %llu\n",
	    (unsigned long long)m->reconnects);
	if (g->lag >= 0) {
		header(f, "moderatord_consumer_group_lag", "gauge",
		    "Entries of the input stream not yet delivered to the "
		    "group.");
		fprintf(f, "moderatord_consumer_group_lag %lld\n",
		    (long long)g->lag);
	}
	if (g->pending >= 0) {
		header(f, "moderatord_consumer_group_pending", "gauge",
		    "Entries delivered to the group and not yet acknowledged.");
		fprintf(f, "moderatord_consumer_group_pending %lld\n",
		    (long long)g->pending);
	}

	header(f, "moderatord_reloads_total", "counter",
	    "Rule reloads, by result.");
	for (i = 0; i < 2; i++)
		fprintf(f, "moderatord_reloads_total{result=\"%s\"} %llu\n",
		    kinds[i], (unsigned long long)reloads[i]);
	header(f, "moderatord_last_reload_successful", "gauge",
	    "0 when the last reload was refused (the old rules in force).");
	fprintf(f, "moderatord_last_reload_successful %d\n",
	    m->last_reload_ok ? 1 : 0);
	header(f, "moderatord_rules_loaded", "gauge", "Rules in force.");
	fprintf(f, "moderatord_rules_loaded %zu\n", g->rules_loaded);
	header(f, "moderatord_jit_enabled", "gauge",
	    "1 when PCRE2's JIT compiles the rules.");
	fprintf(f, "moderatord_jit_enabled %d\n", g->jit ? 1 : 0);
	header(f, "moderatord_classifier_learned", "gauge",
	    "Comments the classifier has learned, by class, as this "
	    "instance's copy holds them (0 while no rule classifies and "
	    "verdicts are off).");
	fprintf(f, "moderatord_classifier_learned{class=\"spam\"} %llu\n",
	    (unsigned long long)g->learned_spam);
	fprintf(f, "moderatord_classifier_learned{class=\"ham\"} %llu\n",
	    (unsigned long long)g->learned_ham);
}
