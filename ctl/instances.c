/* The running daemons as their records in Redis say (presence.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "presence.h"
#include "redis_xinfo.h"
#include "xmalloc.h"

static unsigned long long
number(const redisReply *rec, const char *name)
{
	const char	*v = ctl_field(rec, name);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

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
		(*out)[n].decided = number(rec, "approved") +
		    number(rec, "flagged") + number(rec, "rejected");
		(*out)[n].heartbeat = number(rec, "heartbeat");
		n++;
	}
	freeReplyObject(r);
	return n;
}

unsigned long long
ctl_age_s(uint64_t now, uint64_t then)
{
	return now > then ? (now - then) / 1000 : 0;
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
	redisReply	*r;
	int64_t		 l, p;

	r = ctl_command(c, "XINFO GROUPS %s", c->cfg.input_stream);
	xinfo_group(r, c->cfg.group, &l, &p);
	freeReplyObject(r);
	*lag = l;
	*pending = p;
}
