#ifndef PRECISION_H
#define PRECISION_H

#include <stdint.h>

#include <yaml.h>

struct diag;
struct rule;
struct yfile;

/*
 * A rule's precision as moderators judge it: agreed / (agreed +
 * disagreed), and the 95 % Wilson score interval around it, which is
 * what demotion and "ready to go live" are decided on (verdict.lua does
 * the same sums). And a rule's own keys for it: min_precision,
 * min_verdicts, and the hash of its definition that lifts a demotion
 * when the rule is changed.
 */

#define PRECISION_Z	1.959963984540054	/* 95 %, two-sided */

void	precision_wilson(uint64_t, uint64_t, double *, double *);
int	precision_load(struct diag *, struct yfile *, yaml_node_t *,
	    struct rule *);

#endif
