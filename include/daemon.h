#ifndef DAEMON_H
#define DAEMON_H

#include <stdint.h>

#include "config.h"
#include "log.h"
#include "rules.h"

struct event_base;
struct event;
struct redis_io;

struct counters {
	uint64_t	decided[3];	/* by enum action */
	uint64_t	malformed;
	uint64_t	dead_lettered;
	uint64_t	rule_errors;
	uint64_t	batches;
	uint64_t	reloads_ok;
	uint64_t	reloads_failed;
};

/* The one daemon context: everything mutable lives here. */
struct daemon {
	struct config	  cfg;
	struct logger	  log;
	const char	 *config_path;
	struct ruleset	 *rules;
	struct matcher	 *matcher;
	struct event_base *base;
	struct event	 *sig[5];
	struct redis_io	 *rio;
	struct counters	  count;
	int		  stopping;
	int		  exit_code;
	int		  ready;
	uint64_t	  status_us;
};

int	daemon_run(struct daemon *);
void	daemon_connected(struct daemon *);
void	daemon_batch_done(struct daemon *);
void	daemon_fatal_redis(struct daemon *, const char *);
void	daemon_maybe_exit(struct daemon *);

#endif
