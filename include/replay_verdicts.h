#ifndef REPLAY_VERDICTS_H
#define REPLAY_VERDICTS_H

#include "namemap.h"

struct config;

enum { VERDICT_NONE = 0, VERDICT_APPROVE = 1, VERDICT_REMOVE = 2 };

long	replay_verdicts_load(struct namemap *, const struct config *,
	    const char *);

#endif
