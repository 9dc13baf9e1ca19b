/*
 * A plain blocking hiredis connection, logged in as the config says: for
 * the command-line tools (--explain, moderatorctl), never the daemon.
 */

#include <stdio.h>
#include <stdlib.h>

#include <hiredis/hiredis.h>

#include "address.h"
#include "redis_sync.h"

redisContext *
redis_sync_connect(const struct config *c, const char *prog)
{
	struct redis_address	 a;
	struct redis_login	 lg;
	struct timeval		 tv = { 3, 0 };
	redisContext		*rc = NULL;
	redisReply		*r;
	char			*cause, *where;

	if (address_parse(c->redis_address, &a, &cause) != 0) {
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
	goto out;
fail:
	if (rc != NULL)
		redisFree(rc);
	rc = NULL;
out:
	address_free(&a);
	return rc;
}
