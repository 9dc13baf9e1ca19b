#ifndef BAYES_H
#define BAYES_H

#include <stddef.h>
#include <stdint.h>

#include "normalize.h"

/*
 * The site's classifier (SPEC "The classifier"): naive Bayes over the
 * words of a comment's normalised text, each word a 64-bit hash, each
 * hash counted in the spam and the ham comments learned; a comment's
 * probability of spam is Robinson's f(w) per word combined with Fisher's
 * chi-square (SpamAssassin's and SpamBayes' "chi2" combining). Pure: the
 * counts come from Redis (bayes_proto) and are only read here.
 */

/*
 * The view the words are taken from: every stage but spacing, whose
 * joins depend on the words a rule set looks for, so that a comment
 * learned under one rule set is the same words under another.
 */
#define BAYES_STAGES	(NORM_ALL & ~NORM_SPACING)

#define BAYES_TOKENS_MAX	2000	/* distinct words of one comment */
#define BAYES_WORD_MIN		2	/* bytes: shorter words say nothing */
#define BAYES_WORD_MAX		40	/* longer: one "long word" token */
#define BAYES_CLUES_MAX		150	/* the strongest words combined */
/* A verdict the model already gives this probability is not learned. */
#define BAYES_SURE		0.95

/* One distinct word of a text: its hash, and where it first stands. */
struct bayes_token {
	uint64_t	hash;
	uint32_t	off;
	uint32_t	len;
};

/* A word's weight in a score: f(w), near 1 for spam, near 0 for ham. */
struct bayes_clue {
	const struct bayes_token *token;
	double		 prob;
	uint32_t	 spam;		/* learned comments that had it */
	uint32_t	 ham;
};

struct bayes_model;

struct bayes_model *bayes_new(void);
void	 bayes_free(struct bayes_model *);
void	 bayes_reset(struct bayes_model *);
/* Moves word hash's counts (and never below 0). */
void	 bayes_add(struct bayes_model *, uint64_t, int64_t, int64_t);
/* Moves the counts of comments learned, by class. */
void	 bayes_learned_add(struct bayes_model *, int64_t, int64_t);
void	 bayes_learned(const struct bayes_model *, uint64_t *, uint64_t *);
size_t	 bayes_words(const struct bayes_model *);
void	 bayes_counts(const struct bayes_model *, uint64_t, uint32_t *,
	    uint32_t *);

uint64_t bayes_hash(const char *, size_t);
/*
 * The distinct words of text (a BAYES_STAGES view), at most
 * BAYES_TOKENS_MAX, in their order in the text: *out allocated, the
 * count returned.
 */
size_t	 bayes_tokens(const char *, size_t, struct bayes_token **);
/*
 * The probability that a text of these tokens is spam, in [0, 1] (0.5
 * when no word weighs). With clues not NULL, the nclues words that
 * weighed most, strongest first; *nused: how many were combined.
 */
double	 bayes_score(const struct bayes_model *, const struct bayes_token *,
	    size_t, struct bayes_clue *, size_t, size_t *);

#endif
