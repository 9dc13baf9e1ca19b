#ifndef CTL_H
#define CTL_H

/*
 * moderatorctl: the operator's tool. Every command works against Redis
 * (the streams, the group, and each daemon's record, presence.h), so it
 * sees every instance on every host.
 */

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "config.h"
#include "counter.h"

struct ctl {
	struct config	 cfg;
	redisContext	*rc;
	int		 tty;		/* stdout is a terminal */
	int		 color;		/* ... and colours are wanted */
};

/* A command: argv[0] is its name; returns the exit code. */
int	ctl_tail(struct ctl *, int, char **);
int	ctl_stats(struct ctl *, int, char **);
int	ctl_top(struct ctl *, int, char **);
int	ctl_pending(struct ctl *, int, char **);
int	ctl_requeue(struct ctl *, int, char **);
int	ctl_status(struct ctl *, int, char **);
int	ctl_reload(struct ctl *, int, char **);
int	ctl_export(struct ctl *, int, char **);
int	ctl_rules(struct ctl *, int, char **);
int	ctl_learn(struct ctl *, int, char **);
int	ctl_strikes(struct ctl *, int, char **);
void	ctl_learned(struct ctl *);
void	ctl_verdicts_summary(struct ctl *);

/* options.c: a command's options, and where each goes. */
struct ctl_opt {
	const char	*name;		/* without "--"; NULL ends a list */
	enum { CTL_FLAG, CTL_NUMBER, CTL_STRING } kind;
	void		*to;		/* int *, unsigned long *, const char ** */
	unsigned long	 min, max;	/* a number's range */
};
int	ctl_options(int, char **, const char *, const struct ctl_opt *,
	    const char **, size_t);
enum ctl_when {
	CTL_HM,		/* local 14:05 */
	CTL_HMS,	/* local 14:05:09 */
	CTL_UTC		/* 2026-12-04T13:05:09, UTC */
};
char	*ctl_time(uint64_t, enum ctl_when, char *, size_t);

/*
 * main.c: a number argument of command cmd's option opt, min to max;
 * 0, or -1 after a message.
 */
int	ctl_number(const char *, const char *, const char *, unsigned long,
	    unsigned long, unsigned long *);

/* redis.c: commands and replies; a lost connection ends the program. */
redisContext	*ctl_rc(struct ctl *);
redisReply	*ctl_command(struct ctl *, const char *, ...);
redisReply	*ctl_argv(struct ctl *, int, const char **, const size_t *);
const char	*ctl_field(const redisReply *, const char *);
uint64_t	 ctl_id_ms(const char *);
uint64_t	 ctl_now_ms(struct ctl *);

/* An entry of a stream: its id and flat field/value pairs. */
struct ctl_entry {
	const char	*id;
	redisReply	*fields;	/* array of 2n strings */
};
int	ctl_entry(const redisReply *, struct ctl_entry *);

/* window.c: the decisions of a recent window, summed (stats and top). */
#define CTL_TOP	10
struct ctl_window {
	uint64_t	 from_ms;
	uint64_t	 to_ms;
	uint64_t	 decided[ACTION_COUNT];
	uint64_t	 total;
	struct ctl_count *rules;	/* live rules that matched */
	size_t		 nrules;
	struct ctl_count *shadow;
	size_t		 nshadow;
	struct ctl_count *authors;	/* of flagged and rejected comments */
	size_t		 nauthors;
	uint64_t	*per_minute;	/* decided, oldest first */
	uint64_t	*per_minute_bad; /* flagged or rejected */
	size_t		 minutes;
	uint64_t	*latency_ms;	/* entry to decision, each decision */
	size_t		 nlatency;
	uint64_t	 last10s;	/* decided in the last ten seconds */
	int		 truncated;	/* more than the cap: counted the newest */
};
int	ctl_window_read(struct ctl *, uint64_t, int, struct ctl_window *);
void	ctl_window_free(struct ctl_window *);
uint64_t ctl_percentile(uint64_t *, size_t, double);

/* instances.c: the live daemons' records (presence.h). */
struct ctl_instance {
	char		*consumer;
	redisReply	*record;	/* HGETALL: flat field/value pairs */
	unsigned long long decided;	/* approved + flagged + rejected */
	unsigned long long heartbeat;	/* ms since the epoch */
};
size_t	ctl_instances(struct ctl *, struct ctl_instance **);
/* Seconds from then to now (Redis ms), 0 for a time still to come. */
unsigned long long ctl_age_s(uint64_t, uint64_t);
void	ctl_instances_free(struct ctl_instance *, size_t);
/* The group's lag and pending count, -1 when unknown. */
void	ctl_group(struct ctl *, long long *, long long *);

#endif
