#ifndef CONDITION_H
#define CONDITION_H

#include <stddef.h>

#include "diag.h"
#include "entry.h"
#include "yfile.h"

struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_code_8;

enum cond_op {
	COND_REGEX,
	COND_EQ_STR,
	COND_NE_STR,
	COND_EQ_NUM,
	COND_NE_NUM,
	COND_LT,
	COND_LE,
	COND_GT,
	COND_GE
};

/*
 * One `when:` condition on a field. A comment without the field never
 * meets a condition, whatever the operator (!= included); nor does a
 * non-numeric value meet a numeric comparison.
 */
struct condition {
	char			*field;
	enum cond_op		 op;
	double			 num;
	char			*str;
	size_t			 len;
	struct pcre2_real_code_8 *re;
};

int	condition_parse_when(struct diag *, struct yfile *, yaml_node_t *, int,
	    int, struct condition **, size_t *);
void	condition_free_all(struct condition *, size_t);
/* 1 met, 0 not met, -1 the regex could not run (*err: PCRE2 code). */
int	condition_eval(const struct condition *, const struct entry *,
	    struct pcre2_real_match_data_8 *, struct pcre2_real_match_context_8 *,
	    int *);

#endif
