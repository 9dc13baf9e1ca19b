#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "action.h"
#include "namemap.h"

struct ruleset;

#define VERDICT_OUTCOMES	7
extern const char *const verdict_outcomes[VERDICT_OUTCOMES];

/* Fixed buckets (upper bounds, +Inf implied) and what fell in each. */
#define METRICS_MAX_BUCKETS	16
struct histogram {
	const double	*bounds;
	size_t		 nbounds;
	uint64_t	 counts[METRICS_MAX_BUCKETS + 1];	/* not cumulative */
	double		 sum;
	uint64_t	 count;
};

/*
 * What the daemon has done, for the stop line, STATUS= and GET /metrics.
 * Per-rule counters are kept by rule name, so a reload that keeps a rule
 * keeps its counts; a rule the reload removes loses its series.
 */
struct metrics {
	uint64_t	 decided[ACTION_COUNT];
	uint64_t	 dead_lettered;
	uint64_t	 rule_errors;
	uint64_t	 reloads_ok;
	uint64_t	 reloads_failed;
	int		 last_reload_ok;
	uint64_t	 reconnects;
	struct histogram latency;	/* seconds from read to written */
	struct histogram batch;		/* entries a batch */
	struct namemap	 rules;		/* struct metrics_rule by rule name */
	uint64_t	 verdicts[VERDICT_OUTCOMES];	/* by verdict_outcomes */
	unsigned	 generation;
};

/* What is true now, read from the daemon when rendering. */
struct metrics_gauges {
	size_t		 rules_loaded;
	int		 jit;
	int		 connected;
	int64_t		 lag;		/* -1: not known */
	int64_t		 pending;	/* -1: not known */
	double		 start_time;	/* seconds since the epoch */
	uint64_t	 learned_spam;	/* the classifier's copy */
	uint64_t	 learned_ham;
};

void	metrics_init(struct metrics *);
void	metrics_free(struct metrics *);
/*
 * The ruleset in force changes from old (NULL at start) to new: old's
 * rule times and errors are kept under their names before old is freed.
 */
void	metrics_rules(struct metrics *, const struct ruleset *,
	    const struct ruleset *);
/* A written decision named these rules (comma-separated, may be ""). */
void	metrics_hits(struct metrics *, const char *, int);
void	metrics_verdict(struct metrics *, const char *, const char *,
	    const char *);
enum metrics_shared { METRICS_AGREED, METRICS_DISAGREED, METRICS_DEMOTED };
void	metrics_shared(struct metrics *, const char *, enum metrics_shared,
	    uint64_t);
void	metrics_observe(struct histogram *, double);
/* The Prometheus text format (version 0.0.4) of everything. */
void	metrics_render(const struct metrics *, const struct metrics_gauges *,
	    FILE *);

#endif
