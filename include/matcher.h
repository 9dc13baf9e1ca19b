#ifndef MATCHER_H
#define MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "entry.h"
#include "prefilter.h"
#include "ruleset.h"
#include "textview.h"

struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

struct normalizer;
struct bayes_model;

/* The view of one field of the comment being decided, once built. */
struct matcher_slot {
	struct textview	 view;
	uint64_t	 comment;	/* built for this comment */
	int		 missing;	/* the comment has no such field */
};

/*
 * Per-thread match state: match data, limits, JIT stack, and the views
 * of the comment being decided, each built once and only if a rule asks
 * (matcher_begin starts a comment). The buffers are kept from comment to
 * comment.
 */
struct matcher {
	struct pcre2_real_match_data_8	*md;
	struct pcre2_real_match_context_8 *mctx;
	struct pcre2_real_jit_stack_8	*stack;
	struct normalizer		*norm;
	struct matcher_slot		*slots;
	size_t				 nslots;
	uint64_t			 comment;
	const struct entry		*entry;
	const struct ruleset		*rs;		/* deciding with */
	struct prefilter_scan		 pf;
	struct pcre2_real_code_8	*word;		/* \w, for word lists */
	struct hs_scratch		*lscratch;	/* for word lists */
	const struct ruleset		*lists_for;	/* ... all of its lists */
	uint64_t			 lists_born;	/* ... and its born */
	struct textview			 example;	/* an example's view */
	int64_t				 at;	/* decide as at (ms), or 0: now */
	int64_t				 now;	/* the comment's time, ms */
	/* The site's classifier (classify.h): the owner's copy, or NULL. */
	const struct bayes_model	*model;
	uint64_t			 min_learned;
	uint64_t			 scored;	/* the comment scored */
	size_t				 scored_view;	/* ... in this view */
	double				 score;
};

enum match_result {
	MATCH_NONE = 0,
	MATCH_HIT = 1,
	MATCH_ERROR = -1
};

struct hit {
	const struct rule	*rule;
	size_t			 start;	/* byte offsets in the rule's field */
	size_t			 end;
	size_t			 vstart; /* ... in its view, if it has one */
	size_t			 vend;
	int			 error;	/* PCRE2 error code on MATCH_ERROR */
	int			 path;	/* enum prefilter_path: why it ran */
};

struct matcher	*matcher_new(const struct rules_options *);
void		 matcher_free(struct matcher *);
void		 matcher_begin(struct matcher *, const struct ruleset *,
		    const struct entry *);
const struct textview *matcher_view(struct matcher *, size_t, const char *,
		    unsigned, const struct entry *);
enum match_result matcher_rule(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *);
const unsigned	*matcher_candidates(struct matcher *, const struct entry *,
		    size_t *);
int		 matcher_wants(struct matcher *, const struct rule *,
		    const struct entry *);
enum match_result matcher_rule_timed(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *, uint64_t *);
enum match_result matcher_text(struct matcher *, const struct rule *,
		    const char *, size_t, struct hit *);
void		 matcher_error_message(int, char *, size_t);
size_t		 matcher_examples(struct matcher *, const struct ruleset *,
		    struct diag *, size_t *);

#endif
