#ifndef PREFILTER_H
#define PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

struct hs_database;
struct hs_scratch;

/*
 * What picks the rules PCRE2 runs on a comment. Each view the rules match
 * (a field, under some normalize stages) is scanned once. A rule takes
 * one path: its pattern rewritten into the view's automaton (automaton.c,
 * exact or as a Vectorscan prefilter), which reports it when it may
 * match; else the literals its pattern requires (literals.c), looked for
 * in one database of literals, and it runs when a literal of each of its
 * sets is there; else it runs on every comment. PCRE2 decides every rule
 * that runs.
 */
enum prefilter_path {
	PATH_ALWAYS = 0,
	PATH_LITERALS,
	PATH_EXACT,		/* the automaton, its rewrite exact */
	PATH_PREFILTER		/* ... its rewrite as a Vectorscan prefilter */
};

struct prefilter_view {
	struct hs_database	**adb;	/* the automaton's databases */
	size_t			 nadb;
	struct hs_database	*db;	/* ASCII literals, or NULL */
	struct hs_database	*udb;	/* the others (UTF-8), or NULL */
	size_t			*first;	/* per literal: its rules in rules[] */
	unsigned		*rules;	/* rule indexes, by literal */
	unsigned char		*which;	/* ... and which of the rule's sets */
	size_t			 nlits;
	unsigned		*all;	/* the view's prefiltered rules */
	size_t			 nall;
};

struct prefilter {
	struct prefilter_view	*views;	/* as ruleset->views */
	size_t			 nviews;
	unsigned char		*path;	/* per rule: its enum prefilter_path */
	const char		**why;	/* ... why not the automaton, or NULL */
	unsigned char		*need;	/* per rule: a bit for each set to find */
	unsigned		*always_rules; /* not prefiltered, in order */
	size_t			 nalways;
	size_t			 prefiltered;	/* rules that run only if named */
	size_t			 always;	/* rules with a pattern that always run */
	size_t			 exact;		/* ... on the automaton, exact */
	size_t			 hsprefilter;	/* ... as a Vectorscan prefilter */
	size_t			 literal;	/* ... on the literal path */
	size_t			 literals;	/* distinct literals looked for */
	size_t			 cached;	/* automaton databases from the cache */
	size_t			 built;		/* ... compiled */
	int			 automaton;	/* it was asked for */
	double			 compile_ms;
	double			 automaton_ms;
	char			*error;	/* why there is no prefilter at all, or NULL */
	char			**notes; /* what the build had to say, for the log */
	size_t			 nnotes;
	uint64_t		 born;	/* tells it from one at the same address */
};

/*
 * A matcher's state for scanning: scratch space, and per rule the comment
 * it was last named for.
 */
struct prefilter_scan {
	struct hs_scratch	*scratch;
	const struct prefilter	*sized_for;	/* scratch fits its databases */
	uint64_t		 sized_born;	/* ... and its born */
	unsigned long long	*named;		/* per rule: comment it was named in */
	unsigned char		*found;		/* ... and the sets found in it */
	size_t			 nnamed;
	unsigned long long	*scanned;	/* per view: comment it was scanned */
	size_t			 nscanned;
	unsigned		*cand;		/* rules named in this comment */
	size_t			 ncand;
	size_t			 candcap;
	char			*clean;		/* a text with invalid UTF-8 replaced */
	size_t			 cleancap;
	char			*letters;	/* a text with Kelvin sign, long s as k, s */
	size_t			 letterscap;
};

struct prefilter *prefilter_new(const struct ruleset *, const char *,
		    const struct rules_options *);
void		 prefilter_free(struct prefilter *);
void		 prefilter_scan_init(struct prefilter_scan *);
void		 prefilter_scan_free(struct prefilter_scan *);
void		 prefilter_scan_view(struct prefilter_scan *,
		    const struct ruleset *, size_t, const char *, size_t,
		    unsigned long long);
void		 prefilter_begin(struct prefilter_scan *, const struct ruleset *);
void		 prefilter_candidates_sort(struct prefilter_scan *);
const char	*prefilter_path_name(enum prefilter_path);
int		 prefilter_wants(struct prefilter_scan *, const struct ruleset *,
		    const struct rule *, const char *, size_t,
		    unsigned long long);

#endif
