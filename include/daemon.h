#ifndef DAEMON_H
#define DAEMON_H

#include <stdint.h>

#include "action.h"
#include "config.h"
#include "log.h"

struct event_base;
struct event;
struct matcher;
struct redis_io;
struct reloader;
struct ruleset;

/* What the daemon has done: logged at stop, and what metrics will read. */
struct counters {
	uint64_t	decided[ACTION_COUNT];
	uint64_t	dead_lettered;
	uint64_t	rule_errors;
	uint64_t	reloads_ok;
	uint64_t	reloads_failed;
};

#define DAEMON_SIGNALS	4	/* TERM, INT, HUP, USR1 */

/* The one daemon context: everything mutable lives here. */
struct daemon {
	struct config	  cfg;
	struct logger	  log;
	struct ruleset	 *rules;
	struct matcher	 *matcher;
	struct event_base *base;
	struct event	 *sig[DAEMON_SIGNALS];
	struct redis_io	 *rio;
	struct reloader	 *reloader;	/* builds new rules off the loop */
	int		  reload_again;	/* a SIGHUP came during a build */
	struct counters	  count;
	int		  stopping;	/* a stop was asked: drain, then leave */
	int		  quit;		/* leave the loop now */
	int		  exit_code;
	int		  ready;
	uint64_t	  status_us;
};

int	daemon_run(struct daemon *);

#endif
