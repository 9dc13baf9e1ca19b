#ifndef CLASSIFIER_H
#define CLASSIFIER_H

#include <stdint.h>

struct bayes_model;
struct redisContext;
struct redisReply;

/*
 * The classifier's copy from Redis (daemon/classifier.c; the script is
 * daemon/bayes_sync.lua). classifier_apply: one reply of the copy
 * script into m, *held the generation m now holds; 1 if more changes
 * wait, 0 if m is up to date, -1 if the reply could not be read (then
 * *held may be 0: copy it whole).
 */
int	classifier_apply(struct bayes_model *, const struct redisReply *,
	    uint64_t *);
/* The whole model, read now (for --explain); NULL if Redis failed. */
struct bayes_model *classifier_fetch(struct redisContext *, const char *);

#endif
