#ifndef PREFILTER_H
#define PREFILTER_H

#include <stddef.h>

#include "ruleset.h"

struct hs_database;
struct hs_scratch;

/*
 * A multi-pattern prefilter for a ruleset: for each view the rules match
 * (a field, under some normalize stages), one Vectorscan database of the
 * literals the rules' patterns require (literals.c). A comment's view is
 * scanned once; only the rules with a literal of each of their sets in it
 * are then run with PCRE2, which decides. A pattern that requires no
 * literal (it may match anything) leaves its rule to run always.
 */
struct prefilter_view {
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
	unsigned char		*need;	/* per rule: a bit for each set to find */
	unsigned		*always_rules; /* not prefiltered, in order */
	size_t			 nalways;
	size_t			 prefiltered;	/* rules that run only if named */
	size_t			 always;	/* rules with a pattern that always run */
	size_t			 literals;	/* distinct literals looked for */
	double			 compile_ms;
	char			*error;	/* why there is no prefilter at all, or NULL */
};

/*
 * A matcher's state for scanning: scratch space, and per rule the comment
 * it was last named for.
 */
struct prefilter_scan {
	struct hs_scratch	*scratch;
	const struct ruleset	*sized_for;	/* scratch fits its databases */
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

struct prefilter *prefilter_new(struct ruleset *, const char *);
void		 prefilter_free(struct prefilter *);
void		 prefilter_scan_init(struct prefilter_scan *);
void		 prefilter_scan_free(struct prefilter_scan *);
void		 prefilter_scan_view(struct prefilter_scan *,
		    const struct ruleset *, size_t, const char *, size_t,
		    unsigned long long);
void		 prefilter_begin(struct prefilter_scan *, const struct ruleset *);
void		 prefilter_candidates_sort(struct prefilter_scan *);
int		 prefilter_wants(struct prefilter_scan *, const struct ruleset *,
		    const struct rule *, const char *, size_t,
		    unsigned long long);

#endif
