/*
 * Redis Sentinel's client procedure, the parts both sides share: the
 * list of sentinels, what their answers mean, and asking them in turn
 * with a blocking hiredis context (moderatorctl). The daemon asks from
 * its event loop (sentinel_ask.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "sentinel.h"
#include "xmalloc.h"

#define SENTINEL_TIMEOUT_MS	1000

int
sentinels_parse(struct sentinels *s, const char *list, const char *master,
    const char *password, char **cause)
{
	char	*copy, *p, *one, *why;

	memset(s, 0, sizeof *s);
	if (master == NULL || *master == '\0') {
		*cause = xstrdup("sentinels need master_name");
		return -1;
	}
	copy = p = xstrdup(list);
	while ((one = strsep(&p, ",")) != NULL) {
		one += strspn(one, " ");
		if (*one == '\0')
			continue;
		s->at = xreallocarray(s->at, s->n + 1, sizeof *s->at);
		if (address_parse(one, &s->at[s->n], &why) != 0) {
			/* What the parse made before it failed. */
			address_free(&s->at[s->n]);
			xasprintf(cause, "sentinel '%s': %s", one, why);
			free(why);
			free(copy);
			sentinels_free(s);
			return -1;
		}
		s->n++;
	}
	free(copy);
	if (s->n == 0) {
		*cause = xstrdup("no sentinel named");
		return -1;
	}
	s->master = xstrdup(master);
	s->password = password != NULL && *password != '\0' ?
	    xstrdup(password) : NULL;
	s->timeout_ms = SENTINEL_TIMEOUT_MS;
	return 0;
}

void
sentinels_free(struct sentinels *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		address_free(&s->at[i]);
	free(s->at);
	free(s->master);
	if (s->password != NULL)
		explicit_bzero(s->password, strlen(s->password));
	free(s->password);
	memset(s, 0, sizeof *s);
}

char *
sentinel_describe(const struct sentinels *s, size_t i)
{
	return address_describe(&s->at[i]);
}

int
sentinel_master_reply(const struct sentinels *s, const redisReply *r,
    char **host, int *port, char **why)
{
	long	p;
	char	*end;

	if (r == NULL) {
		*why = xstrdup("no answer");
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		xasprintf(why, "%s", r->str);
		return -1;
	}
	if (r->type == REDIS_REPLY_NIL) {
		xasprintf(why, "knows no master %s", s->master);
		return -1;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    r->element[0]->len == 0 || r->element[0]->len > 255) {
		*why = xstrdup("an unexpected answer");
		return -1;
	}
	p = strtol(r->element[1]->str, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535) {
		*why = xstrdup("an unexpected port");
		return -1;
	}
	*host = xstrdup(r->element[0]->str);
	*port = (int)p;
	return 0;
}

int
sentinel_role_master(const redisReply *r, const char **role)
{
	*role = "something else";
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		return 0;
	*role = r->element[0]->str;
	return strcmp(*role, "master") == 0;
}

/* One sentinel, waited for: 0 and the master's address, or -1 and why. */
static int
ask_one(struct sentinels *s, size_t i, char **host, int *port, char **why)
{
	const struct redis_address *a = &s->at[i];
	struct timeval	 tv = { s->timeout_ms / 1000,
	    (s->timeout_ms % 1000) * 1000 };
	redisContext	*c;
	redisReply	*r;
	int		 rc;

	c = a->path != NULL ? redisConnectUnixWithTimeout(a->path, tv) :
	    redisConnectWithTimeout(a->host, a->port, tv);
	if (c == NULL || c->err) {
		xasprintf(why, "%s", c != NULL ? c->errstr : "out of memory");
		redisFree(c);
		return -1;
	}
	(void)redisSetTimeout(c, tv);
	if (s->password != NULL) {
		r = redisCommand(c, "AUTH %s", s->password);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			xasprintf(why, "AUTH: %s", r != NULL ? r->str :
			    c->errstr);
			freeReplyObject(r);
			redisFree(c);
			return -1;
		}
		freeReplyObject(r);
	}
	r = redisCommand(c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", s->master);
	if (r == NULL) {
		xasprintf(why, "%s", c->errstr);
		rc = -1;
	} else
		rc = sentinel_master_reply(s, r, host, port, why);
	freeReplyObject(r);
	redisFree(c);
	return rc;
}

void
sentinel_said(const struct sentinels *s, size_t i, const char *why,
    char **said)
{
	char	*was = *said, *where = sentinel_describe(s, i);

	xasprintf(said, "%s%s%s: %s", was ? was : "", was ? "; " : "", where,
	    why);
	free(was);
	free(where);
}

char *
sentinel_none(const struct sentinels *s, const char *said)
{
	char	*msg;

	xasprintf(&msg, "no sentinel named master %s (%s)", s->master,
	    said != NULL ? said : "none asked");
	return msg;
}

int
sentinel_resolve(struct sentinels *s, char **host, int *port, char **cause)
{
	char	*why, *said = NULL;
	size_t	 k, i;

	for (k = 0; k < s->n; k++) {
		i = (s->first + k) % s->n;
		if (ask_one(s, i, host, port, &why) == 0) {
			s->first = i;
			free(said);
			return 0;
		}
		sentinel_said(s, i, why, &said);
		free(why);
	}
	*cause = sentinel_none(s, said);
	free(said);
	return -1;
}
