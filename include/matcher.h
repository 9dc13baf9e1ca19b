#ifndef MATCHER_H
#define MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "entry.h"
#include "ruleset.h"

struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

/* Per-thread match state: match data, limits, JIT stack. */
struct matcher {
	struct pcre2_real_match_data_8	*md;
	struct pcre2_real_match_context_8 *mctx;
	struct pcre2_real_jit_stack_8	*stack;
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
	int			 error;	/* PCRE2 error code on MATCH_ERROR */
};

struct matcher	*matcher_new(const struct rules_options *);
void		 matcher_free(struct matcher *);
enum match_result matcher_rule(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *);
enum match_result matcher_rule_timed(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *, uint64_t *);
enum match_result matcher_text(struct matcher *, const struct rule *,
		    const char *, size_t, struct hit *);
void		 matcher_error_message(int, char *, size_t);
size_t		 matcher_examples(struct matcher *, const struct ruleset *,
		    struct diag *, size_t *);

#endif
