/* XINFO GROUPS replies: one group's lag and pending count. */

#include <string.h>

#include <hiredis/hiredis.h>

#include "redis_xinfo.h"

static int
is_string(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS;
}

void
xinfo_group(const redisReply *r, const char *group, int64_t *lag,
    int64_t *pending)
{
	const redisReply	*g, *k, *v;
	size_t			 i, j;
	int			 ours;

	*lag = *pending = -1;
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		g = r->element[i];
		if (g->type != REDIS_REPLY_ARRAY)
			continue;
		for (j = 0, ours = 0; j + 1 < g->elements; j += 2)
			if (is_string(g->element[j]) &&
			    strcmp(g->element[j]->str, "name") == 0)
				ours = is_string(g->element[j + 1]) &&
				    strcmp(g->element[j + 1]->str, group) == 0;
		for (j = 0; ours && j + 1 < g->elements; j += 2) {
			k = g->element[j];
			v = g->element[j + 1];
			if (!is_string(k) || v->type != REDIS_REPLY_INTEGER)
				continue;
			if (strcmp(k->str, "pending") == 0)
				*pending = v->integer;
			else if (strcmp(k->str, "lag") == 0)
				*lag = v->integer;
		}
	}
}
