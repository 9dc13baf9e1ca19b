/* moderatorctl's Redis: blocking commands; a lost connection ends it. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "redis_sync.h"

/*
 * The connection, made at the first use: a command's --help or a bad
 * option says so without Redis. A failure ends the program.
 */
redisContext *
ctl_rc(struct ctl *c)
{
	char	*cause;

	if (c->rc != NULL)
		return c->rc;
	if (config_read_password(&c->cfg, &cause) != 0) {
		fprintf(stderr, "moderatorctl: redis password file: %s\n", cause);
		free(cause);
		exit(1);
	}
	if ((c->rc = redis_sync_connect(&c->cfg, "moderatorctl")) == NULL)
		exit(1);
	return c->rc;
}

static redisReply *
checked(struct ctl *c, redisReply *r)
{
	if (r == NULL) {
		fprintf(stderr, "moderatorctl: Redis: %s\n", c->rc->err ?
		    c->rc->errstr : "no reply");
		exit(1);
	}
	return r;
}

redisReply *
ctl_command(struct ctl *c, const char *fmt, ...)
{
	va_list	ap;
	void	*r;

	va_start(ap, fmt);
	r = redisvCommand(ctl_rc(c), fmt, ap);
	va_end(ap);
	return checked(c, r);
}

redisReply *
ctl_argv(struct ctl *c, int argc, const char **argv, const size_t *lens)
{
	return checked(c, redisCommandArgv(ctl_rc(c), argc, argv, lens));
}

/* The value of name in a flat field/value array (HGETALL, XINFO, entry). */
const char *
ctl_field(const redisReply *a, const char *name)
{
	size_t	i;

	if (a == NULL || a->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < a->elements; i += 2)
		if (a->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(a->element[i]->str, name) == 0 &&
		    a->element[i + 1]->type == REDIS_REPLY_STRING)
			return a->element[i + 1]->str;
	return NULL;
}

/* A stream id's time part: Redis's clock when the entry was added. */
uint64_t
ctl_id_ms(const char *id)
{
	return strtoull(id, NULL, 10);
}

/* Redis's clock (TIME), which stamps the stream ids, in ms. */
uint64_t
ctl_now_ms(struct ctl *c)
{
	redisReply	*r = ctl_command(c, "TIME");
	uint64_t	 ms = 0;

	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING)
		ms = strtoull(r->element[0]->str, NULL, 10) * 1000 +
		    strtoull(r->element[1]->str, NULL, 10) / 1000;
	freeReplyObject(r);
	return ms;
}

/* One element of an XRANGE-like reply; 0, or -1 if it is not an entry. */
int
ctl_entry(const redisReply *e, struct ctl_entry *out)
{
	if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[1]->type != REDIS_REPLY_ARRAY)
		return -1;
	out->id = e->element[0]->str;
	out->fields = e->element[1];
	return 0;
}
