/*
 * The daemon: one event base, signals as events, the rules in force, and
 * the Redis side, which reports here through its callbacks. Deciding,
 * logging, counting and telling systemd happen here. Whether to leave is
 * asked once per pass of the loop (tmux's proc_loop): when a stop was
 * asked and nothing is in flight, or at once after a fatal error.
 */

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sys/time.h>

#include "batch.h"
#include "bayes.h"
#include "bayes_proto.h"
#include "classify.h"
#include "clock.h"
#include "daemon.h"
#include "http.h"
#include "matcher.h"
#include "modlog.h"
#include "notify.h"
#include "pattern.h"
#include "prefilter.h"
#include "presence.h"
#include "redis_io.h"
#include "reload.h"
#include "rules_load.h"
#include "script.h"
#include "sentinel.h"

#define STATUS_INTERVAL_US	1000000

static void	signal_cb(evutil_socket_t, short, void *);
static void	reload(struct daemon *);
static void	on_reloaded(struct ruleset *, const struct diag *, double,
		    void *);
static struct ruleset *load_rules(struct daemon *);
static void	warn_prefilter(struct daemon *, const struct ruleset *);
static void	start_automaton(struct daemon *);
static void	on_automaton(struct prefilter *, const struct ruleset *, double,
		    void *);
static void	log_rule_time(struct daemon *, const struct ruleset *);
static int	loop_done(struct daemon *);
static void	on_ready(void *);
static void	on_batch(struct batch *, void *);
static void	on_written(const struct batch *, const enum item_fate *,
		    void *);
static void	on_lost(const char *, void *);
static void	on_fatal(const char *, void *);
static void	on_presence(struct presence_record *, void *);
static void	arm_windows(struct daemon *);
static void	on_reload(const char *, void *);
static struct bayes_model *daemon_model(void *);
static void	daemon_learn(struct bayes_item *, const char *, size_t,
		    void *);
static int	daemon_backlogged(void *);

static const struct redis_io_events redis_events = {
	.on_ready = on_ready,
	.on_batch = on_batch,
	.on_written = on_written,
	.on_lost = on_lost,
	.on_fatal = on_fatal,
};

static const struct redis_io_events control_events = {
	.on_fatal = on_fatal,
	.on_presence = on_presence,
	.on_reload = on_reload,
	.rules = standing_rules,
	.on_verdicts = standing_verdicts,
	.on_shared = standing_shared,
	.model = daemon_model,
	.learn = daemon_learn,
	.backlogged = daemon_backlogged,
};

/* Judged by the copy, if one is kept: a comment it gets right is not. */
static void
daemon_learn(struct bayes_item *it, const char *text, size_t len, void *arg)
{
	struct daemon	*dm = arg;

	it->len = classify_verdict(dm->matcher, text, len, it->spam,
	    &it->words, &it->sure);
}

/* Deciding comes first: verdicts wait while comments do. */
static int
daemon_backlogged(void *arg)
{
	struct daemon	*dm = arg;

	return redis_io_backlogged(dm->rio);
}

/*
 * The classifier's copy is kept while some rule classifies, or verdicts
 * are read: it judges what they teach (train on error).
 */
static struct bayes_model *
daemon_model(void *arg)
{
	struct daemon	*dm = arg;

	return (dm->rules != NULL && dm->rules->classifying > 0) ||
	    *dm->cfg.verdict_stream != '\0' ? dm->model : NULL;
}

/* Loads the rules and runs their tests; logs every error. */
static struct ruleset *
load_rules(struct daemon *dm)
{
	struct diag	 d;
	struct ruleset	*rs;
	size_t		 i, examples, failed;

	struct rules_options	 o = dm->cfg.rules;

	/* The automaton follows, off the loop: see on_automaton. */
	o.automaton = 0;
	diag_init(&d);
	rs = rules_load_checked(dm->cfg.rules_dir, &o, &d, &examples, &failed);
	if (rs != NULL && failed != 0) {
		ruleset_free(rs);
		rs = NULL;
	}
	for (i = 0; i < d.n; i++)
		log_errorx(&dm->log, "%s", d.lines[i]);
	diag_free(&d);
	if (rs != NULL)
		warn_prefilter(dm, rs);
	return rs;
}

/*
 * A prefilter that could not be built costs speed, never a match: say
 * so, and what its build had to say (a cache entry rebuilt, a database
 * that failed).
 */
static void
warn_prefilter(struct daemon *dm, const struct ruleset *rs)
{
	size_t	i;

	if (rs->prefilter == NULL)
		return;
	if (rs->prefilter->error != NULL)
		log_warnx(&dm->log, "prefilter %s", rs->prefilter->error);
	for (i = 0; i < rs->prefilter->nnotes; i++)
		log_warnx(&dm->log, "%s", rs->prefilter->notes[i]);
}

/* The start's rules, on literals: their automaton is built in the thread. */
static void
start_automaton(struct daemon *dm)
{
	const struct prefilter	*pf = dm->rules->prefilter;

	if (pf == NULL || pf->error != NULL || pf->automaton ||
	    !dm->cfg.rules.automaton)
		return;
	dm->building = dm->rules;
	if (reloader_automaton(dm->builder, dm->rules, &dm->cfg.rules) != 0)
		log_warnx(&dm->log, "cannot start a thread for the automaton: "
		    "the rules stay on required literals");
}

/*
 * The automaton of rs is built: swapped in if rs is still in force; if
 * a reload replaced rs meanwhile (its rules came with their automaton),
 * the build and rs go.
 */
static void
on_automaton(struct prefilter *pf, const struct ruleset *rs, double ms,
    void *arg)
{
	struct daemon		*dm = arg;
	struct prefilter	*old;

	dm->building = NULL;
	if (rs != dm->rules) {
		prefilter_free(pf);
		ruleset_free(dm->retired);
		dm->retired = NULL;
		return;
	}
	old = dm->rules->prefilter;
	dm->rules->prefilter = pf;
	prefilter_free(old);
	malloc_trim(0);
	log_info(&dm->log, "automaton in force: %zu rules on it (%zu as a "
	    "Vectorscan prefilter), %zu on required literals, %zu run on "
	    "every comment; compiled in %.0f ms in a thread (%zu databases from "
	    "the cache, %zu compiled)", pf->exact + pf->hsprefilter,
	    pf->hsprefilter, pf->literal, pf->always, ms, pf->cached,
	    pf->built);
	warn_prefilter(dm, dm->rules);
}

/*
 * Logs where matching time went with rs: the three costliest rules. Said
 * at stop and when a reload retires a ruleset.
 */
static void
log_rule_time(struct daemon *dm, const struct ruleset *rs)
{
	const struct rule	*top[3] = { NULL, NULL, NULL }, *r;
	char			 line[512];
	size_t			 i, j, len = 0;

	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		for (j = 0; j < 3; j++) {
			if (top[j] == NULL || r->stats->ns > top[j]->stats->ns) {
				memmove(top + j + 1, top + j,
				    (2 - j) * sizeof *top);
				top[j] = r;
				break;
			}
		}
	}
	for (j = 0; j < 3 && top[j] != NULL && top[j]->stats->runs; j++)
		len += (size_t)snprintf(line + len, sizeof line - len,
		    "%s%s %.1f ms in %llu runs (max %.3f ms)", j ? "; " : "",
		    top[j]->name, (double)top[j]->stats->ns / 1e6,
		    (unsigned long long)top[j]->stats->runs,
		    (double)top[j]->stats->max_ns / 1e6);
	if (len > 0)
		log_info(&dm->log, "costliest rules: %s", line);
}

/*
 * The outcome of a reload (why NULL: it worked), for the metrics and this
 * daemon's record; a reload moderatorctl asked for is answered once no
 * other follows it.
 */
static void
record_reload(struct daemon *dm, const char *why)
{
	dm->reload_ms = clock_realtime_ms();
	dm->metrics.last_reload_ok = why == NULL;
	if (why == NULL)
		dm->metrics.reloads_ok++;
	else
		dm->metrics.reloads_failed++;
	if (!dm->reload_again && *dm->reload_asked != '\0') {
		memcpy(dm->reload_gen, dm->reload_asked, sizeof dm->reload_gen);
		*dm->reload_asked = '\0';
	}
	if (why != NULL)
		snprintf(dm->reload_result, sizeof dm->reload_result,
		    "failed: %s", why);
	else
		snprintf(dm->reload_result, sizeof dm->reload_result, "ok");
}

/*
 * SIGHUP: a new ruleset is built off the loop (reload.c) and replaces the
 * old one only if it loads whole and its tests pass. A SIGHUP during a
 * build starts another when it ends, so the last edit always counts.
 */
static void
reload(struct daemon *dm)
{
	if (reloader_busy(dm->reloader)) {
		dm->reload_again = 1;
		log_info(&dm->log, "a reload is under way: another follows it");
		return;
	}
	/* READY=1 only goes out once connected: see on_ready. */
	if (dm->ready)
		notify_reloading();
	if (reloader_start(dm->reloader, dm->cfg.rules_dir,
	    &dm->cfg.rules) != 0) {
		log_errorx(&dm->log, "reload failed: cannot start a thread; the "
		    "old rules stay in force");
		record_reload(dm, "cannot start a thread");
		if (dm->ready)
			notify_ready();
	}
}

/* The new ruleset is built (rs), or refused (NULL, the reasons in d). */
static void
on_reloaded(struct ruleset *rs, const struct diag *d, double build_ms,
    void *arg)
{
	struct daemon	*dm = arg;
	uint64_t	 t0 = clock_monotonic_us();
	size_t		 i;

	for (i = 0; i < d->n; i++)
		log_errorx(&dm->log, "%s", d->lines[i]);
	record_reload(dm, rs == NULL ? (d->n > 0 ? d->lines[0] :
	    "see the log") : NULL);
	if (rs == NULL) {
		log_errorx(&dm->log, "reload failed: the old rules stay in "
		    "force (%zu rules)", dm->rules->nrules);
	} else {
		log_rule_time(dm, dm->rules);
		metrics_rules(&dm->metrics, dm->rules, rs);
		/* The builder's thread still reads the old rules. */
		if (reloader_busy(dm->builder) && dm->retired == NULL &&
		    dm->rules == dm->building)
			dm->retired = dm->rules;
		else
			ruleset_free(dm->rules);
		dm->rules = rs;
		standing_apply(dm, rs);
		redis_io_publish_rules(dm->rio, rs);
		/*
		 * Compiling takes far more memory than the rules keep, much of
		 * it in the build thread's arena: give the free pages back, or
		 * a daemon reloaded now and then holds the peak of every build.
		 */
		malloc_trim(0);
		log_info(&dm->log, "rules reloaded: %zu rules in %zu files, "
		    "ruleset %s, built in %.0f ms off the loop, swapped in "
		    "%.1f ms", rs->nrules, rs->nfiles, rs->hash, build_ms,
		    (double)(clock_monotonic_us() - t0) / 1e3);
		warn_prefilter(dm, rs);
		arm_windows(dm);
	}
	if (dm->ready)
		notify_ready();
	if (dm->reload_again) {
		dm->reload_again = 0;
		reload(dm);
	}
}

static void
signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct daemon	*dm = arg;
	char		*cause = NULL;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (dm->stopping) {
			log_warnx(&dm->log, "second stop signal: exiting now; "
			    "unacknowledged entries stay pending");
			dm->quit = 1;
			return;
		}
		log_info(&dm->log, "stopping: finishing the batch in flight");
		notify_stopping();
		dm->stopping = 1;
		redis_io_stop(dm->rio);
		redis_io_stop(dm->control);
		redis_io_unblock(dm->control, dm->rio);
		break;
	case SIGHUP:
		reload(dm);
		break;
	case SIGUSR1:
		if (logger_reopen(&dm->log, &cause) != 0) {
			log_errorx(&dm->log, "cannot reopen the log: %s", cause);
			free(cause);
		} else
			log_info(&dm->log, "log file reopened");
		break;
	}
}

/* Connected and reading: the first time, tell systemd we are ready. */
static void
on_ready(void *arg)
{
	struct daemon	*dm = arg;

	dm->connected = 1;
	redis_io_publish_rules(dm->rio, dm->rules);
	if (dm->ready) {
		dm->metrics.reconnects++;
		return;
	}
	dm->ready = 1;
	notify_ready();
	notify_status("connected; %zu rules", dm->rules->nrules);
}

/* Entries read: decide them with the rules in force now. */
static void
on_batch(struct batch *b, void *arg)
{
	struct daemon		*dm = arg;
	const struct batch_item	*it;
	size_t			 i;

	batch_decide(dm->matcher, dm->rules, dm->cfg.rules.default_action, b);
	metrics_observe(&dm->metrics.batch, (double)b->n);
	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		if (it->poison)
			log_warnx(&dm->log, "not deciding entry %s: delivered "
			    "more than %u times", it->entry.stream_id,
			    dm->cfg.max_deliveries);
		else if (it->slow_rule != NULL)
			log_warnx(&dm->log, "rule %s took %.1f ms on entry %s "
			    "(%zu bytes of text): check its pattern",
			    it->slow_rule, (double)it->slow_ns / 1e6,
			    it->entry.stream_id, it->entry.text_bytes);
	}
}

/*
 * The decisions of b are in Redis (fate says which): log and count them,
 * and give systemd a STATUS= at most once a second.
 */
static void
on_written(const struct batch *b, const enum item_fate *fate, void *arg)
{
	struct daemon		*dm = arg;
	const struct batch_item	*it;
	uint64_t		 now = clock_monotonic_us();
	size_t			 i, unknown = 0;
	const char		*first = NULL;

	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		switch (fate[i]) {
		case FATE_UNKNOWN:
			if (unknown++ == 0)
				first = it->entry.stream_id;
			break;
		case FATE_GONE:
			log_debug(&dm->log, "%s: entry %s was no longer pending "
			    "for this consumer; its decision was not written",
			    __func__, it->entry.stream_id);
			break;
		case FATE_DEAD:
			dm->metrics.dead_lettered++;
			log_warnx(&dm->log, "entry %s was delivered more than %u "
			    "times: moved to %s with its fields, and "
			    "acknowledged", it->entry.stream_id,
			    dm->cfg.max_deliveries, dm->cfg.dead_letter_stream);
			break;
		case FATE_WRITTEN:
			dm->metrics.decided[it->action]++;
			dm->metrics.rule_errors += it->errors;
			metrics_hits(&dm->metrics, it->rules, 0);
			metrics_hits(&dm->metrics, it->shadow, 1);
			metrics_observe(&dm->metrics.latency,
			    (double)(now - b->read_us) / 1e6);
			modlog_decision(&dm->log, it, b->ruleset,
			    now - b->read_us);
			break;
		}
	}
	/* Said every 10 s at most, with how many since. */
	dm->unknown_more += unknown;
	if (unknown > 0 && (dm->unknown_us == 0 || now - dm->unknown_us >=
	    10000000)) {
		log_warnx(&dm->log, "%llu elements of the decide script's "
		    "replies were not understood (the first: entry %s); what "
		    "became of those entries is not known here: a daemon and "
		    "a script of different versions?",
		    (unsigned long long)dm->unknown_more, first);
		dm->unknown_us = now;
		dm->unknown_more = 0;
	}
	logger_flush(&dm->log);
	if (now - dm->status_us >= STATUS_INTERVAL_US) {
		dm->status_us = now;
		notify_status("%llu approved, %llu flagged, %llu rejected",
		    (unsigned long long)dm->metrics.decided[ACTION_APPROVE],
		    (unsigned long long)dm->metrics.decided[ACTION_FLAG],
		    (unsigned long long)dm->metrics.decided[ACTION_REJECT]);
	}
}

static void
on_lost(const char *why, void *arg)
{
	struct daemon	*dm = arg;

	dm->connected = 0;
	snprintf(dm->lost, sizeof dm->lost, "%s", why);
	notify_status("Redis lost (%s); reconnecting", why);
}

/* Redis cannot be used as configured: leave with a failure. */
static void
on_fatal(const char *why, void *arg)
{
	struct daemon	*dm = arg;

	log_errorx(&dm->log, "%s", why);
	dm->exit_code = 1;
	dm->quit = 1;
}

/*
 * Time-boxed rules come into force and go out of it on their own (each
 * decision looks at the time); this says so in the log, once at each
 * change, and waits for the next one.
 */
static void
arm_windows(struct daemon *dm)
{
	struct timeval	 tv;
	int64_t		 now = (int64_t)clock_realtime_ms(), next, wait;

	dm->windows_seen = now;
	if ((next = ruleset_next_change(dm->rules, now)) == INT64_MAX) {
		evtimer_del(dm->windows);
		return;
	}
	/* An hour at most: the wall clock may be set meanwhile. */
	wait = next - now < 3600000 ? next - now : 3600000;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(dm->windows, &tv);
}

static void
windows_cb(evutil_socket_t fd, short events, void *arg)
{
	struct daemon		*dm = arg;
	const struct rule	*r;
	int64_t			 now = (int64_t)clock_realtime_ms();
	char			 at[CLOCK_ISO8601_MAX];
	size_t			 i;

	for (i = 0; i < dm->rules->nrules; i++) {
		r = &dm->rules->rules[i];
		if (r->valid_from > dm->windows_seen && r->valid_from <= now) {
			clock_format_iso8601(r->valid_from, at, sizeof at);
			log_info(&dm->log, "rule %s (%s:%zu) is in force from "
			    "now: valid_from %s", r->name, r->file, r->line, at);
		}
		if (r->valid_until > dm->windows_seen && r->valid_until <= now) {
			clock_format_iso8601(r->valid_until, at, sizeof at);
			log_info(&dm->log, "rule %s (%s:%zu) is no longer in "
			    "force: valid_until %s", r->name, r->file, r->line,
			    at);
		}
	}
	arm_windows(dm);
}

/* GET /metrics: the counters, and what holds now. */
static void
render_metrics(FILE *f, void *arg)
{
	struct daemon		*dm = arg;
	struct metrics_gauges	 g;

	memset(&g, 0, sizeof g);
	g.rules_loaded = dm->rules->nrules;
	g.jit = dm->jit;
	g.connected = dm->connected;
	redis_io_group(dm->rio, &g.lag, &g.pending);
	g.start_time = dm->start_time;
	bayes_learned(dm->model, &g.learned_spam, &g.learned_ham);
	metrics_render(&dm->metrics, &g, f);
}

/* GET /healthz: healthy when reading from Redis with rules in force. */
static int
health(char *buf, size_t len, void *arg)
{
	struct daemon	*dm = arg;

	if (dm->stopping) {
		snprintf(buf, len, "stopping");
		return 0;
	}
	if (!dm->connected) {
		snprintf(buf, len, "not connected to Redis%s%s",
		    *dm->lost ? ": " : "", dm->lost);
		return 0;
	}
	snprintf(buf, len, "ok: connected to Redis, %zu rules", dm->rules->nrules);
	return 1;
}

static const struct http_events http_events = { render_metrics, health };

/*
 * WATCHDOG=1 from the event loop itself: a loop that stops turning stops
 * the pings, and systemd restarts the daemon.
 */
static void
watchdog_cb(evutil_socket_t fd, short events, void *arg)
{
	notify_watchdog();
}

/* Metrics and the watchdog, when configured; -1 if metrics cannot listen. */
static int
start_operations(struct daemon *dm)
{
	struct timeval	 tv;
	uint64_t	 usec;
	char		*cause;

	if (*dm->cfg.metrics_listen != '\0') {
		if ((dm->http = http_new(dm->base, dm->cfg.metrics_listen,
		    &http_events, dm, &cause)) == NULL) {
			log_errorx(&dm->log, "%s", cause);
			free(cause);
			return -1;
		}
		/* ":9469" listens on every address: a URL needs a host. */
		log_info(&dm->log, "metrics on http://%s%s/metrics%s",
		    *dm->cfg.metrics_listen == ':' ? "localhost" : "",
		    dm->cfg.metrics_listen, *dm->cfg.metrics_listen == ':' ?
		    " (listening on every address)" : "");
	}
	if ((usec = notify_watchdog_usec()) != 0) {
		/* Twice per interval, as sd_watchdog_enabled(3) advises. */
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		dm->watchdog = event_new(dm->base, -1, EV_PERSIST, watchdog_cb,
		    dm);
		event_add(dm->watchdog, &tv);
		notify_watchdog();
	}
	return 0;
}

/* This daemon's record for moderatorctl status, each second. */
static void
on_presence(struct presence_record *r, void *arg)
{
	struct daemon	*dm = arg;

	r->host = dm->host;
	r->pid = (long)getpid();
	r->version = MODERATORD_VERSION;
	r->started_ms = (uint64_t)(dm->start_time * 1000);
	r->rules = dm->rules->nrules;
	r->files = dm->rules->nfiles;
	r->ruleset = dm->rules->hash;
	r->reload_gen = dm->reload_gen;
	r->reload_result = dm->reload_result;
	r->reload_ms = dm->reload_ms;
	memcpy(r->decided, dm->metrics.decided, sizeof r->decided);
}

/* moderatorctl reload: as a SIGHUP, with the ask's number to report. */
static void
on_reload(const char *gen, void *arg)
{
	struct daemon	*dm = arg;

	log_info(&dm->log, "reload asked by moderatorctl (request %s)", gen);
	snprintf(dm->reload_asked, sizeof dm->reload_asked, "%s", gen);
	reload(dm);
}

static int
loop_done(struct daemon *dm)
{
	if (dm->quit)
		return 1;
	if (!dm->stopping || !redis_io_idle(dm->rio) ||
	    !redis_io_idle(dm->control))
		return 0;
	/* Drained: the record goes, and the stop waits for that too. */
	if (!dm->left) {
		dm->left = 1;
		return redis_io_leave(dm->control) != 0;
	}
	return 1;
}

/* Runs the daemon in the foreground; returns the exit code. */
int
daemon_run(struct daemon *dm)
{
	static const int signals[DAEMON_SIGNALS] = { SIGTERM, SIGINT, SIGHUP,
	    SIGUSR1 };
	struct redis_io_config	 rc;
	struct config		*c = &dm->cfg;
	char			*cause = NULL, *join_prefix = NULL;
	char			*strike_prefix = NULL;
	sigset_t		 mask;
	struct timespec		 now;
	size_t			 i;

	metrics_init(&dm->metrics);
	if (gethostname(dm->host, sizeof dm->host) != 0)
		strcpy(dm->host, "unknown");
	dm->host[sizeof dm->host - 1] = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	dm->start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	if (logger_open(&dm->log, &c->log, &cause) != 0) {
		fprintf(stderr, "moderatord: %s\n", cause);
		free(cause);
		return 1;
	}
	if (config_read_password(c, &cause) != 0) {
		log_errorx(&dm->log, "redis password file: %s", cause);
		free(cause);
		logger_close(&dm->log);
		return 1;
	}
	if (*c->sentinels != '\0' && sentinels_parse(&dm->sentinels,
	    c->sentinels, c->master_name, c->sentinel_password, &cause) != 0) {
		log_errorx(&dm->log, "redis sentinels: %s", cause);
		free(cause);
		logger_close(&dm->log);
		return 1;
	}
	if ((dm->rules = load_rules(dm)) == NULL) {
		log_errorx(&dm->log, "cannot start: the rules do not load");
		logger_close(&dm->log);
		return 1;
	}
	malloc_trim(0);		/* the compile's peak, as after a reload */
	metrics_rules(&dm->metrics, NULL, dm->rules);
	dm->jit = c->rules.jit && pattern_jit_works();
	dm->matcher = matcher_new(&c->rules);
	dm->model = bayes_new();
	dm->matcher->model = dm->model;
	dm->matcher->min_learned = c->classifier_min_learned;
	signal(SIGPIPE, SIG_IGN);
	if ((dm->base = event_base_new()) == NULL) {
		log_errorx(&dm->log, "cannot create the event base");
		dm->exit_code = 1;
		goto out;
	}
	if ((dm->reloader = reloader_new(dm->base, on_reloaded, NULL,
	    dm)) == NULL || (dm->builder = reloader_new(dm->base, NULL,
	    on_automaton, dm)) == NULL) {
		log_errorx(&dm->log, "cannot create the reload pipe");
		dm->exit_code = 1;
		goto out;
	}
	start_automaton(dm);
	if (start_operations(dm) != 0) {
		dm->exit_code = 1;
		goto out;
	}
	dm->windows = evtimer_new(dm->base, windows_cb, dm);
	arm_windows(dm);
	sigemptyset(&mask);
	for (i = 0; i < DAEMON_SIGNALS; i++) {
		dm->sig[i] = evsignal_new(dm->base, signals[i], signal_cb, dm);
		evsignal_add(dm->sig[i], NULL);
		sigaddset(&mask, signals[i]);
	}
	/* main() blocked them until now: see there. */
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	log_info(&dm->log, "moderatord %s starting: %zu rules in %zu files "
	    "(ruleset %s), consumer %s; PCRE2 JIT %s", MODERATORD_VERSION,
	    dm->rules->nrules, dm->rules->nfiles, dm->rules->hash, c->consumer,
	    dm->jit ? "on" : c->rules.jit ?
	    "off (not available here: matching is slower)" :
	    "off (rules: jit: false)");

	memset(&rc, 0, sizeof rc);
	rc.address = c->redis_address;
	rc.sentinels = dm->sentinels.n > 0 ? &dm->sentinels : NULL;
	rc.password = c->redis_password;
	rc.db = c->redis_db;
	rc.stream.input_stream = c->input_stream;
	rc.stream.output_stream = c->output_stream;
	rc.stream.dead_letter_stream = c->dead_letter_stream;
	rc.stream.group = c->group;
	rc.stream.consumer = c->consumer;
	rc.stream.rl_prefix = c->rl_prefix;
	rc.stream.max_deliveries = c->max_deliveries;
	rc.stream.output_maxlen = c->output_maxlen;
	rc.stream.rl_slack_ms = c->rl_slack_ms;
	rc.batch_size = c->batch_size;
	rc.block_ms = c->block_ms;
	rc.command_timeout_ms = c->command_timeout_ms;
	rc.wait_replicas = c->wait_replicas;
	rc.wait_timeout_ms = c->wait_timeout_ms;
	rc.claim_idle_ms = c->claim_idle_ms;
	rc.limits = c->limits;
	rc.verdicts.layout = verdict_lua_layout;
	rc.verdicts.stream = c->verdict_stream;
	rc.verdicts.decisions = c->output_stream;
	rc.verdicts.group = c->group;
	rc.verdicts.consumer = c->consumer;
	rc.verdicts.prefix = c->verdict_prefix;
	rc.verdicts.window_ms = c->verdict_window_ms;
	rc.verdicts.max_deliveries = c->max_deliveries;
	rc.verdict_busy_rate = c->verdict_busy_rate;
	if (*c->verdict_stream != '\0') {
		rc.stream.join_prefix = join_prefix = verdict_key(
		    c->verdict_prefix, "j:");
		rc.stream.strike_prefix = strike_prefix = verdict_key(
		    c->verdict_prefix, "s:");
		rc.stream.join_ttl_ms = c->verdict_window_ms;
	}
	rc.role = REDIS_DECISIONS;
	dm->rio = redis_io_new(dm->base, &rc, &dm->log, &redis_events, dm);
	rc.role = REDIS_CONTROL;
	dm->control = redis_io_new(dm->base, &rc, &dm->log, &control_events,
	    dm);
	if (redis_io_start(dm->rio) != 0 || redis_io_start(dm->control) != 0)
		dm->exit_code = 1;
	else {
		while (!loop_done(dm)) {
			if (event_base_loop(dm->base, EVLOOP_ONCE) != 0) {
				log_errorx(&dm->log, "the event loop failed");
				dm->exit_code = 1;
				break;
			}
		}
	}
	log_rule_time(dm, dm->rules);
	log_info(&dm->log, "stopped: %llu approved, %llu flagged, %llu "
	    "rejected, %llu dead-lettered, %llu rule errors; %llu reload%s, "
	    "%llu refused",
	    (unsigned long long)dm->metrics.decided[ACTION_APPROVE],
	    (unsigned long long)dm->metrics.decided[ACTION_FLAG],
	    (unsigned long long)dm->metrics.decided[ACTION_REJECT],
	    (unsigned long long)dm->metrics.dead_lettered,
	    (unsigned long long)dm->metrics.rule_errors,
	    (unsigned long long)dm->metrics.reloads_ok,
	    dm->metrics.reloads_ok == 1 ? "" : "s",
	    (unsigned long long)dm->metrics.reloads_failed);

out:
	if (dm->windows != NULL)
		event_free(dm->windows);
	if (dm->watchdog != NULL)
		event_free(dm->watchdog);
	http_free(dm->http);
	reloader_free(dm->reloader);
	reloader_free(dm->builder);
	ruleset_free(dm->retired);
	redis_io_free(dm->control);
	redis_io_free(dm->rio);
	for (i = 0; i < DAEMON_SIGNALS; i++)
		if (dm->sig[i] != NULL)
			event_free(dm->sig[i]);
	if (dm->base != NULL)
		event_base_free(dm->base);
	matcher_free(dm->matcher);
	ruleset_free(dm->rules);
	bayes_free(dm->model);
	sentinels_free(&dm->sentinels);
	standing_free(dm);
	free(join_prefix);
	free(strike_prefix);
	metrics_free(&dm->metrics);
	logger_close(&dm->log);
	return dm->exit_code;
}
