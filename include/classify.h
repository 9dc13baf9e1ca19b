#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <yaml.h>

#include "matcher.h"

struct diag;
struct rule;
struct yfile;

/*
 * Rules that ask the site's classifier (bayes.h): classify: spam (or
 * ham) and min_probability. Such a rule matches when the model, once it
 * has learned min_learned comments of each class, gives the comment's
 * words at least that probability of the class.
 */

/* classify and min_probability of rule node n into r; -1 after an error. */
int	classify_load(struct diag *, struct yfile *, yaml_node_t *,
	    struct rule *);
/* Has the model learned enough of each class to classify? */
int	classify_ready(const struct matcher *);
/* The comment's probability of spam, its view v (scored once a comment). */
double	classify_score(struct matcher *, const struct rule *,
	    const struct textview *);
/*
 * What a moderator's verdict on text teaches the model (remove: spam):
 * its words into *words (8 bytes each, allocated; the length returned),
 * and *sure set when the model, ready, already gives the verdict's class
 * BAYES_SURE or more, so that the comment need not be learned (train on
 * error).
 */
size_t	classify_verdict(struct matcher *, const char *, size_t, int, char **,
	    int *);
enum match_result classify_match(struct matcher *, const struct rule *,
	    const struct textview *, size_t, struct hit *);

#endif
