#ifndef DAEMON_H
#define DAEMON_H

#include <stdint.h>

#include "action.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "sentinel.h"

struct event_base;
struct event;
struct http;
struct matcher;
struct bayes_model;
struct redis_io;
struct reloader;
struct ruleset;

#define DAEMON_SIGNALS	4	/* TERM, INT, HUP, USR1 */

/* A rule's demotion as Redis last said it (standing.c). */
struct demotion_rec {
	char		*name;
	char		 def[17];	/* of the definition it was made for */
	int		  level;	/* enum demotion */
};

/* The one daemon context: everything mutable lives here. */
struct daemon {
	struct config	  cfg;
	struct logger	  log;
	struct ruleset	 *rules;
	struct matcher	 *matcher;
	struct bayes_model *model;	/* the classifier's copy (classifier.c) */
	struct event_base *base;
	struct event	 *sig[DAEMON_SIGNALS];
	struct redis_io	 *rio;		/* the decision connection */
	struct redis_io	 *control;	/* presence, reload, verdicts, ... */
	struct sentinels  sentinels;	/* none: n == 0 */
	uint64_t	  unknown_us;	/* a reply not understood: last said */
	uint64_t	  unknown_more;	/* ... and not said since */
	struct reloader	 *reloader;	/* builds new rules off the loop */
	struct reloader	 *builder;	/* ... the start's automaton */
	const struct ruleset *building;	/* the builder's, until it is done */
	struct ruleset	 *retired;	/* replaced while its automaton builds */
	int		  reload_again;	/* a SIGHUP came during a build */
	struct metrics	  metrics;
	struct http	 *http;		/* GET /metrics, or NULL */
	struct event	 *watchdog;	/* WATCHDOG=1, or NULL */
	struct event	 *windows;	/* a time-boxed rule's change is due */
	int64_t		  windows_seen;	/* changes up to here are logged */
	int		  connected;	/* to Redis, and reading */
	char		  lost[128];	/* why Redis was lost, for /healthz */
	int		  jit;		/* PCRE2's JIT works here */
	double		  start_time;
	char		  host[256];
	/* The last reload, for this daemon's record (presence.h). */
	char		  reload_gen[32];	/* moderatorctl's ask acted on */
	char		  reload_asked[32];	/* an ask being built for */
	char		  reload_result[256];
	uint64_t	  reload_ms;
	int		  stopping;	/* a stop was asked: drain, then leave */
	int		  left;		/* ... and its record was removed */
	int		  quit;		/* leave the loop now */
	int		  exit_code;
	int		  ready;
	uint64_t	  status_us;
	struct demotion_rec *dem;	/* every instance's demotions */
	size_t		  ndem;
	uint64_t	  vlog_since_us; /* verdicts logged: this window's */
	unsigned	  vlog_n;	/* ... lines, and those left out */
	unsigned	  vlog_dropped;
};

int	daemon_run(struct daemon *);

/* standing.c: what moderators' verdicts say of the rules. */
struct bytes;
struct verdict_outcome;
const struct ruleset *standing_rules(void *);
void	standing_verdicts(const struct verdict_outcome *, size_t,
	    const char *const *, size_t, void *);
void	standing_shared(const struct bytes *, size_t, const struct bytes *,
	    size_t, void *);
void	standing_apply(struct daemon *, const struct ruleset *);
void	standing_free(struct daemon *);

#endif
