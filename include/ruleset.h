#ifndef RULESET_H
#define RULESET_H

#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "diag.h"

struct pcre2_real_code_8;
struct condition;
struct rate_limit;
struct wordlist;
struct lexicon;

/* How rules are compiled and run: JIT and PCRE2's limits. */
struct rules_options {
	enum action	default_action;	/* when no rule decides */
	int		jit;
	int		prefilter;	/* one multi-pattern scan picks the rules */
	int		automaton;	/* ... with the automaton (else literals) */
	const char	*cache_dir;	/* the automaton's databases, or NULL */
	double		 compile_budget_ms; /* one pattern's test compile */
	const volatile int *cancel;	/* set: a build under way gives up */
	uint32_t	match_limit;
	uint32_t	depth_limit;
	size_t		jit_stack_max;
};

#define RULES_DEFAULT_MATCH_LIMIT	10000
#define RULES_DEFAULT_DEPTH_LIMIT	10000
#define RULES_DEFAULT_JIT_STACK		(1024u * 1024)
#define RULES_DEFAULT_COMPILE_BUDGET_MS	5000.0

struct rule_example {
	char	*text;
	size_t	 len;
	int	 must_match;
	size_t	 line;
};

/* Time spent matching one rule: the one mutable part of a ruleset. */
struct rule_stats {
	uint64_t	runs;
	uint64_t	ns;
	uint64_t	max_ns;
	uint64_t	errors;		/* runs that hit a PCRE2 limit */
	uint64_t	matches;	/* runs that matched: over runs, the
					   precision of what picked it to run */
	uint64_t	reported_ns;	/* slowest single match logged so far */
	int		demoted;	/* enum demotion, as Redis last said */
};

/* Where moderators' verdicts have put a rule (verdict.lua demotes). */
enum demotion {
	DEMOTED_NONE = 0,
	DEMOTED_FLAG,		/* a reject rule that now flags */
	DEMOTED_SHADOW		/* a flag (or approve) rule now in shadow */
};

#define RULES_DEFAULT_MIN_VERDICTS	30

/* What a classify rule asks the site's classifier (classify.h). */
enum classify_class {
	CLASSIFY_NONE = 0,
	CLASSIFY_SPAM,
	CLASSIFY_HAM
};

#define RULES_DEFAULT_MIN_PROBABILITY	0.95

#define RULES_SLOW_NS	(10u * 1000 * 1000)	/* a slow single match */

/* One rule as the moderator wrote it, compiled. Owned by its ruleset. */
struct rule {
	char		*name;
	const char	*file;		/* borrowed from ruleset->files */
	size_t		 line;
	size_t		 index;		/* place in the ruleset: precedence */
	char		*field;
	unsigned	 stages;	/* normalize: NORM_* bits, 0: the text as is */
	size_t		 view;		/* with match or list: its view */
	unsigned	 vstages;	/* the stages of that view */
	struct pcre2_real_code_8 *match;	/* from match: or words:, or NULL */
	struct wordlist	*list;		/* words_file:, long words:, or NULL */
	char		*pattern;	/* match's source, for the prefilter */
	int		 caseless;
	struct pcre2_real_code_8 **except;
	size_t		 nexcept;
	struct condition *when;
	size_t		 nwhen;
	struct rate_limit *limit;	/* a rate-limit rule, or NULL */
	int		 classify;	/* enum classify_class, or 0 */
	double		 min_probability; /* ... the classifier's, to match */
	struct rule_stats *stats;
	enum action	 action;
	char		*reason;	/* never NULL: defaults to the name */
	int		 final;
	int		 shadow;
	/* Demoted below this precision (min_precision:), or -1: never. */
	double		 min_precision;
	uint64_t	 min_verdicts;
	char		 def[17];	/* a hash of its definition (not tests) */
	/* In force from valid_from (ms since the epoch) until valid_until. */
	int64_t		 valid_from;	/* INT64_MIN: always was */
	int64_t		 valid_until;	/* INT64_MAX: never ends */
	struct rule_example *examples;
	size_t		 nexamples;
};

/* A rule as it stands: demoted by verdicts, it acts one step milder. */
static inline int
rule_shadowed(const struct rule *r)
{
	return r->shadow || (r->stats != NULL &&
	    r->stats->demoted == DEMOTED_SHADOW);
}

static inline enum action
rule_action(const struct rule *r)
{
	return r->stats != NULL && r->stats->demoted == DEMOTED_FLAG ?
	    ACTION_FLAG : r->action;
}

/*
 * A view of a field that some rule matches (stages 0: the field as it
 * is): built and scanned by the prefilter once per comment.
 */
struct ruleset_view {
	char		*field;
	unsigned	 stages;
};

struct prefilter;

/*
 * All rules of a directory, in file order then rule order. A ruleset is
 * immutable once loaded (but for its rules' stats): a reload builds a new
 * one and swaps it in whole.
 */
struct ruleset {
	struct rule	*rules;
	size_t		 nrules;
	char		**files;
	size_t		 nfiles;
	size_t		*file_rules;	/* rules per file */
	struct ruleset_view *views;	/* every distinct view the rules use */
	size_t		 nviews;
	struct prefilter *prefilter;	/* NULL: every rule runs */
	struct lexicon	*lexicon;	/* spacing's words, or NULL */
	/*
	 * When it was loaded (clock_monotonic_us): with its address, tells
	 * it from a later ruleset that the allocator put at the same address,
	 * so that Vectorscan scratch sized for one is never used for another.
	 */
	uint64_t	 born;
	size_t		 timed;		/* rules with valid_from or valid_until */
	size_t		 classifying;	/* rules with classify */
	char		 hash[13];	/* of files, lists and options: hex */
};

/* Is r in force at ms (ms since the epoch)? */
static inline int
rule_in_force(const struct rule *r, int64_t ms)
{
	return ms >= r->valid_from && ms < r->valid_until;
}

void	ruleset_options_default(struct rules_options *);
void	ruleset_rule_clear(struct rule *);
void	ruleset_free(struct ruleset *);
size_t	ruleset_view(struct ruleset *, const char *, unsigned);
int64_t	ruleset_next_change(const struct ruleset *, int64_t);

#endif
