/*
 * A plain blocking hiredis connection, logged in as the config says: for
 * the command-line tools (--explain, moderatorctl), never the daemon.
 * With sentinels, to the master they name, checked with ROLE.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "address.h"
#include "sentinel.h"
#include "xmalloc.h"
#include "redis_sync.h"

#define LAST_ENTRIES_PAGE	1000

/* Where Redis is: the configured address, or the sentinels' master. */
static int
where_is(const struct config *c, struct redis_address *a, char **cause)
{
	struct sentinels	s;
	char			*why;

	if (*c->sentinels == '\0')
		return address_parse(c->redis_address, a, cause);
	memset(a, 0, sizeof *a);
	if (sentinels_parse(&s, c->sentinels, c->master_name,
	    c->sentinel_password, &why) != 0) {
		xasprintf(cause, "sentinels: %s", why);
		free(why);
		return -1;
	}
	if (sentinel_resolve(&s, &a->host, &a->port, cause) != 0) {
		sentinels_free(&s);
		return -1;
	}
	a->db = -1;
	sentinels_free(&s);
	return 0;
}

/* With sentinels, what they named must be a master: 0, or -1 and said. */
static int
check_role(const struct config *c, redisContext *rc, const char *prog)
{
	redisReply	*r;
	const char	*role;
	int		 ok;

	if (*c->sentinels == '\0')
		return 0;
	r = redisCommand(rc, "ROLE");
	ok = sentinel_role_master(r, &role);
	if (!ok)
		fprintf(stderr, "%s: the sentinels named a %s as master %s's "
		    "master (a failover under way?); try again\n", prog, role,
		    c->master_name);
	freeReplyObject(r);
	return ok ? 0 : -1;
}

redisContext *
redis_sync_connect(const struct config *c, const char *prog)
{
	struct redis_address	 a;
	struct redis_login	 lg;
	struct timeval		 tv = { 3, 0 };
	redisContext		*rc = NULL;
	redisReply		*r;
	char			*cause, *where;

	if (where_is(c, &a, &cause) != 0) {
		fprintf(stderr, "%s: redis address: %s\n", prog, cause);
		free(cause);
		goto out;
	}
	rc = a.path ? redisConnectUnixWithTimeout(a.path, tv) :
	    redisConnectWithTimeout(a.host, a.port, tv);
	if (rc == NULL || rc->err) {
		where = address_describe(&a);
		fprintf(stderr, "%s: cannot connect to Redis at %s: %s\n",
		    prog, where, rc ? rc->errstr : "out of memory");
		free(where);
		goto fail;
	}
	redisSetTimeout(rc, tv);
	address_login(&a, c->redis_password, c->redis_db, &lg);
	if (lg.password != NULL) {
		r = lg.user ? redisCommand(rc, "AUTH %s %s", lg.user,
		    lg.password) : redisCommand(rc, "AUTH %s", lg.password);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "%s: Redis refused AUTH\n", prog);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	if (lg.db != 0) {
		r = redisCommand(rc, "SELECT %d", lg.db);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "%s: Redis refused SELECT %d\n", prog,
			    lg.db);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	if (check_role(c, rc, prog) != 0)
		goto fail;
	goto out;
fail:
	if (rc != NULL)
		redisFree(rc);
	rc = NULL;
out:
	address_free(&a);
	return rc;
}

/*
 * The last count entries of stream key, oldest first: cb(id, fields,
 * arg) for each, fields a flat array of names and values. Read with
 * XREVRANGE a page at a time (nothing consumed, no group), newest first,
 * and handed on oldest first. 0, or -1 after a message.
 */
int
redis_sync_last_entries(struct redisContext *rc, const char *prog,
    const char *key, unsigned long count,
    void (*cb)(const char *, const struct redisReply *, void *), void *arg)
{
	redisReply	**pages = NULL, *r, *x;
	char		 to[80] = "+";
	unsigned long	 got = 0;
	size_t		 np = 0, i;
	long		 k;
	int		 rc_ = 0;

	while (got < count) {
		r = redisCommand(rc, "XREVRANGE %s %s - COUNT %lu", key, to,
		    count - got < LAST_ENTRIES_PAGE ? count - got :
		    LAST_ENTRIES_PAGE);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "%s: XREVRANGE %s: %s\n", prog, key,
			    r == NULL ? rc->errstr : r->type ==
			    REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			freeReplyObject(r);
			rc_ = -1;
			break;
		}
		if (r->elements == 0) {
			freeReplyObject(r);
			break;
		}
		got += r->elements;
		pages = xreallocarray(pages, np + 1, sizeof *pages);
		pages[np++] = r;
		x = r->element[r->elements - 1];
		if (x->type != REDIS_REPLY_ARRAY || x->elements != 2 ||
		    x->element[0]->type != REDIS_REPLY_STRING)
			break;
		snprintf(to, sizeof to, "(%s", x->element[0]->str);
	}
	for (i = np; i-- > 0;) {
		r = pages[i];
		for (k = (long)r->elements - 1; rc_ == 0 && k >= 0; k--) {
			x = r->element[k];
			if (x->type == REDIS_REPLY_ARRAY && x->elements == 2 &&
			    x->element[0]->type == REDIS_REPLY_STRING &&
			    x->element[1]->type == REDIS_REPLY_ARRAY)
				cb(x->element[0]->str, x->element[1], arg);
		}
		freeReplyObject(r);
	}
	free(pages);
	return rc_;
}

int
redis_sync_learned(redisContext *rc, const char *prefix,
    unsigned long long *spam, unsigned long long *ham, const char **why)
{
	redisReply	*r;
	int		 ret = -1;

	*spam = *ham = 0;
	r = redisCommand(rc, "HMGET %sb spam ham", prefix);
	if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
		if (r->element[0]->type == REDIS_REPLY_STRING)
			*spam = strtoull(r->element[0]->str, NULL, 10);
		if (r->element[1]->type == REDIS_REPLY_STRING)
			*ham = strtoull(r->element[1]->str, NULL, 10);
		ret = 0;
	} else
		*why = r == NULL ? rc->errstr : r->type == REDIS_REPLY_ERROR ?
		    "an error reply" : "an unexpected reply";
	freeReplyObject(r);
	return ret;
}
