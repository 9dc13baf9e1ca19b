/*
 * The names and fields of a daemon's record in Redis (see presence.h),
 * shared by the daemon that writes it and moderatorctl that reads it.
 */

#include <stdio.h>
#include <string.h>

#include "presence.h"
#include "xmalloc.h"

char *
presence_key(enum presence_key k, const char *group, const char *consumer)
{
	char	*s;

	switch (k) {
	case PRESENCE_INSTANCES:
		xasprintf(&s, "moderatord:%s:instances", group);
		break;
	case PRESENCE_INSTANCE:
		xasprintf(&s, "moderatord:%s:instance:%s", group, consumer);
		break;
	default:
		xasprintf(&s, "moderatord:%s:reload", group);
		break;
	}
	return s;
}

/* argv holds 2 * PRESENCE_FIELDS names and values; numbers go in num. */
void
presence_fields(const struct presence_record *r, uint64_t now_ms,
    const char **argv, char num[PRESENCE_FIELDS][64], size_t *n)
{
	size_t	i = 0, k = 0;

#define STR(name, v)	do { argv[i++] = (name); argv[i++] = (v); } while (0)
#define NUM(name, fmt, v) do {						\
	snprintf(num[k], sizeof num[k], fmt, v);			\
	STR(name, num[k]);						\
	k++;								\
} while (0)
	STR("host", r->host);
	NUM("pid", "%ld", r->pid);
	STR("version", r->version);
	NUM("started", "%llu", (unsigned long long)r->started_ms);
	NUM("heartbeat", "%llu", (unsigned long long)now_ms);
	NUM("rules", "%zu", r->rules);
	NUM("files", "%zu", r->files);
	STR("ruleset", r->ruleset);
	STR("reload_gen", r->reload_gen);
	STR("reload_result", r->reload_result);
	NUM("reload_at", "%llu", (unsigned long long)r->reload_ms);
	NUM("approved", "%llu", (unsigned long long)r->decided[ACTION_APPROVE]);
	NUM("flagged", "%llu", (unsigned long long)r->decided[ACTION_FLAG]);
	NUM("rejected", "%llu", (unsigned long long)r->decided[ACTION_REJECT]);
#undef NUM
#undef STR
	*n = i / 2;
}
