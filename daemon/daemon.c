/*
 * The daemon: one event base, signals as events, the rules in force, and
 * the Redis side. The loop ends when a stop was asked and nothing is in
 * flight (tmux's server_loop).
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "batch.h"
#include "daemon.h"
#include "modes.h"
#include "notify.h"
#include "redis_io.h"

#define STATUS_INTERVAL_US	1000000

static void	signal_cb(evutil_socket_t, short, void *);
static void	reload(struct daemon *);
static int	load_rules(struct daemon *, struct ruleset **);

/* Loads and checks the rules; logs every error. */
static int
load_rules(struct daemon *dm, struct ruleset **out)
{
	struct diag	d;
	size_t		i;

	diag_init(&d);
	*out = load_checked_rules(&dm->cfg, &d);
	for (i = 0; i < d.n; i++)
		log_errorx(&dm->log, "%s", d.lines[i]);
	diag_free(&d);
	return *out == NULL ? -1 : 0;
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

/* SIGHUP: a new ruleset replaces the old one only if it loads whole. */
static void
reload(struct daemon *dm)
{
	struct ruleset	*rs;

	/* READY=1 only goes out once connected: see daemon_connected. */
	if (dm->ready)
		notify_reloading();
	if (load_rules(dm, &rs) != 0) {
		dm->count.reloads_failed++;
		log_errorx(&dm->log, "reload failed: the old rules stay in "
		    "force (%zu rules)", dm->rules->nrules);
		if (dm->ready)
			notify_ready();
		return;
	}
	log_rule_time(dm, dm->rules);
	ruleset_free(dm->rules);
	dm->rules = rs;
	dm->count.reloads_ok++;
	log_info(&dm->log, "rules reloaded: %zu rules in %zu files",
	    rs->nrules, rs->nfiles);
	if (dm->ready)
		notify_ready();
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
			event_base_loopbreak(dm->base);
			return;
		}
		log_info(&dm->log, "stopping: finishing the batch in flight");
		notify_stopping();
		dm->stopping = 1;
		redis_io_stop(dm->rio);
		daemon_maybe_exit(dm);
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

/* The Redis side is set up and reading: tell systemd. */
void
daemon_connected(struct daemon *dm)
{
	if (dm->ready)
		return;
	dm->ready = 1;
	notify_ready();
	notify_status("connected; %zu rules", dm->rules->nrules);
}

/* Called after each written batch: STATUS= at most once a second. */
void
daemon_batch_done(struct daemon *dm)
{
	uint64_t	now = monotonic_us();

	if (now - dm->status_us >= STATUS_INTERVAL_US) {
		dm->status_us = now;
		notify_status("%llu approved, %llu flagged, %llu rejected",
		    (unsigned long long)dm->count.decided[ACTION_APPROVE],
		    (unsigned long long)dm->count.decided[ACTION_FLAG],
		    (unsigned long long)dm->count.decided[ACTION_REJECT]);
	}
	daemon_maybe_exit(dm);
}

/* Redis cannot be used: log why and leave with a failure. */
void
daemon_fatal_redis(struct daemon *dm, const char *why)
{
	log_errorx(&dm->log, "%s", why);
	dm->exit_code = 1;
	event_base_loopbreak(dm->base);
}

void
daemon_maybe_exit(struct daemon *dm)
{
	if (dm->stopping && redis_io_idle(dm->rio))
		event_base_loopbreak(dm->base);
}

/* Runs the daemon in the foreground; returns the exit code. */
int
daemon_run(struct daemon *dm)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	char		*cause = NULL;
	sigset_t	 mask;
	size_t		 i;

	if (logger_open(&dm->log, &dm->cfg, &cause) != 0) {
		fprintf(stderr, "moderatord: %s\n", cause);
		free(cause);
		return 1;
	}
	if (config_read_password(&dm->cfg, &cause) != 0) {
		log_errorx(&dm->log, "redis password file: %s", cause);
		free(cause);
		logger_close(&dm->log);
		return 1;
	}
	if (load_rules(dm, &dm->rules) != 0) {
		log_errorx(&dm->log, "cannot start: the rules do not load");
		logger_close(&dm->log);
		return 1;
	}
	dm->matcher = matcher_new(&dm->cfg.rules);
	signal(SIGPIPE, SIG_IGN);
	if ((dm->base = event_base_new()) == NULL) {
		log_errorx(&dm->log, "cannot create the event base");
		dm->exit_code = 1;
		goto out;
	}
	sigemptyset(&mask);
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		dm->sig[i] = evsignal_new(dm->base, signals[i], signal_cb, dm);
		evsignal_add(dm->sig[i], NULL);
		sigaddset(&mask, signals[i]);
	}
	/* main() blocked them until now: see there. */
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	log_info(&dm->log, "moderatord %s starting: %zu rules in %zu files, "
	    "consumer %s", MODERATORD_VERSION, dm->rules->nrules,
	    dm->rules->nfiles, dm->cfg.consumer);
	dm->rio = redis_io_new(dm);
	if (redis_io_start(dm->rio) != 0)
		dm->exit_code = 1;
	else
		event_base_dispatch(dm->base);
	log_rule_time(dm, dm->rules);
	log_info(&dm->log, "stopped: %llu approved, %llu flagged, %llu "
	    "rejected, %llu dead-lettered, %llu rule errors",
	    (unsigned long long)dm->count.decided[ACTION_APPROVE],
	    (unsigned long long)dm->count.decided[ACTION_FLAG],
	    (unsigned long long)dm->count.decided[ACTION_REJECT],
	    (unsigned long long)dm->count.dead_lettered,
	    (unsigned long long)dm->count.rule_errors);

out:
	redis_io_free(dm->rio);
	for (i = 0; i < sizeof dm->sig / sizeof dm->sig[0]; i++)
		if (dm->sig[i] != NULL)
			event_free(dm->sig[i]);
	if (dm->base != NULL)
		event_base_free(dm->base);
	matcher_free(dm->matcher);
	ruleset_free(dm->rules);
	logger_close(&dm->log);
	return dm->exit_code;
}
