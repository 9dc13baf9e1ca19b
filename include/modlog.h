#ifndef MODLOG_H
#define MODLOG_H

#include <stdint.h>

#include "batch.h"
#include "log.h"

/* The moderation log: a JSON line per decision, written once it is durable. */
void	modlog_decision(struct logger *, const struct batch_item *,
	    const char *, uint64_t);

#endif
