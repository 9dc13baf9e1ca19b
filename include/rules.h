#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "entry.h"

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

enum action {
	ACTION_APPROVE = 0,
	ACTION_FLAG,
	ACTION_REJECT
};

struct rules_options {
	int		jit;
	uint32_t	match_limit;
	uint32_t	depth_limit;
	size_t		jit_stack_max;
};

#define RULES_DEFAULT_MATCH_LIMIT	10000
#define RULES_DEFAULT_DEPTH_LIMIT	10000
#define RULES_DEFAULT_JIT_STACK		(1024u * 1024)

struct rule_example {
	char	*text;
	size_t	 len;
	int	 must_match;
	size_t	 line;
};

struct condition;
struct rate_limit;

/* Time spent matching one rule: the one mutable part of a ruleset. */
struct rule_stats {
	uint64_t	runs;
	uint64_t	ns;
	uint64_t	max_ns;
	uint64_t	reported_ns;	/* slowest single match logged so far */
};

#define RULES_SLOW_NS	(10u * 1000 * 1000)	/* a slow single match */

/* One rule as the moderator wrote it, compiled. Owned by its ruleset. */
struct rule {
	char		*name;
	const char	*file;		/* borrowed from ruleset->files */
	size_t		 line;
	size_t		 index;		/* place in the ruleset: precedence */
	char		*field;
	struct pcre2_real_code_8 *match;	/* from match: or words:, or NULL */
	struct pcre2_real_code_8 **except;
	size_t		 nexcept;
	struct condition *when;
	size_t		 nwhen;
	struct rate_limit *limit;	/* a rate-limit rule, or NULL */
	struct rule_stats *stats;
	enum action	 action;
	char		*reason;	/* never NULL: defaults to the name */
	int		 final;
	int		 shadow;
	struct rule_example *examples;
	size_t		 nexamples;
};

/*
 * All rules of a directory, in file order then rule order. A ruleset is
 * immutable once loaded: a reload builds a new one and swaps it in whole.
 */
struct ruleset {
	struct rule	*rules;
	size_t		 nrules;
	char		**files;
	size_t		 nfiles;
	size_t		*file_rules;	/* rules per file */
};

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

const char	*action_name(enum action);
int		 action_parse(const char *, enum action *);
void		 rules_options_default(struct rules_options *);

/* rules_load.c */
struct ruleset	*rules_load_dir(const char *, const struct rules_options *,
		    struct diag *);
struct ruleset	*rules_load_files(char **, size_t, const struct rules_options *,
		    struct diag *);
struct ruleset	*rules_load_buffer(const char *, const char *, size_t,
		    const struct rules_options *, struct diag *);
void		 ruleset_free(struct ruleset *);
size_t		 rules_check_examples(const struct ruleset *, struct matcher *,
		    struct diag *, size_t *);

/* rules.c */
struct matcher	*matcher_new(const struct rules_options *);
void		 matcher_free(struct matcher *);
enum match_result rules_match(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *);
enum match_result rules_match_timed(struct matcher *, const struct rule *,
		    const struct entry *, struct hit *, uint64_t *);
enum match_result rules_match_text(struct matcher *, const struct rule *,
		    const char *, size_t, struct hit *);
void		 rules_error_message(int, char *, size_t);

#endif
