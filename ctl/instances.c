/* The running daemons as their records in Redis say (presence.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "presence.h"
#include "xmalloc.h"

/* Live instances (a heartbeat within the record's expiry), by consumer. */
size_t
ctl_instances(struct ctl *c, struct ctl_instance **out)
{
	redisReply	*r, *rec;
	char		*all, *key;
	uint64_t	 now = ctl_now_ms(c);
	size_t		 i, n = 0;

	*out = NULL;
	all = presence_key(PRESENCE_INSTANCES, c->cfg.group, NULL);
	r = ctl_command(c, "ZRANGEBYSCORE %s %llu +inf", all,
	    (unsigned long long)(now > PRESENCE_TTL_MS ? now - PRESENCE_TTL_MS :
	    0));
	free(all);
	if (r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return 0;
	}
	*out = xreallocarray(NULL, r->elements + 1, sizeof **out);
	for (i = 0; i < r->elements; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			continue;
		key = presence_key(PRESENCE_INSTANCE, c->cfg.group,
		    r->element[i]->str);
		rec = ctl_command(c, "HGETALL %s", key);
		free(key);
		/* Expired between the two reads: it is gone. */
		if (rec->type != REDIS_REPLY_ARRAY || rec->elements == 0) {
			freeReplyObject(rec);
			continue;
		}
		(*out)[n].consumer = xstrdup(r->element[i]->str);
		(*out)[n].record = rec;
		n++;
	}
	freeReplyObject(r);
	return n;
}

void
ctl_instances_free(struct ctl_instance *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].consumer);
		freeReplyObject(v[i].record);
	}
	free(v);
}

/* XINFO GROUPS: our group's lag and pending count. */
void
ctl_group(struct ctl *c, long long *lag, long long *pending)
{
	redisReply	*r, *g, *k, *v;
	size_t		 i, j;

	*lag = *pending = -1;
	r = ctl_command(c, "XINFO GROUPS %s", c->cfg.input_stream);
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		g = r->element[i];
		if (g->type != REDIS_REPLY_ARRAY ||
		    ctl_field(g, "name") == NULL ||
		    strcmp(ctl_field(g, "name"), c->cfg.group) != 0)
			continue;
		for (j = 0; j + 1 < g->elements; j += 2) {
			k = g->element[j];
			v = g->element[j + 1];
			if (k->type != REDIS_REPLY_STRING ||
			    v->type != REDIS_REPLY_INTEGER)
				continue;
			if (strcmp(k->str, "lag") == 0)
				*lag = v->integer;
			else if (strcmp(k->str, "pending") == 0)
				*pending = v->integer;
		}
	}
	freeReplyObject(r);
}
