/*
 * The moderators' verdicts a replay is judged by (--verdicts FILE or
 * --from-verdicts): comment id -> the last verdict given on it, from
 * JSON lines or from the verdict stream read without consuming it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "config.h"
#include "jsonl.h"
#include "redis_sync.h"
#include "replay_verdicts.h"
#include "verdict_proto.h"
#include "xmalloc.h"

#define VERDICTS_MAX	10000000ul	/* read from the stream at most */

/* One verdict's fields (n pairs kv): kept if well formed; 1 if it was. */
static int
keep(struct namemap *m, const char *sid, const struct bytes *kv, size_t n)
{
	struct verdict	 v;
	int		*got, ok;

	verdict_parse(&v, sid, kv, n);
	if ((ok = *v.bad == '\0')) {
		got = namemap_get(m, v.id, sizeof *got);
		*got = strcmp(v.verdict, "remove") == 0 ? VERDICT_REMOVE :
		    VERDICT_APPROVE;
	}
	verdict_clear(&v);
	return ok;
}

static void
stream_entry(const char *id, const redisReply *fields, void *arg)
{
	struct namemap	*m = arg;
	struct bytes	*kv;
	size_t		 i;

	kv = xcalloc(fields->elements + 1, sizeof *kv);
	for (i = 0; i < fields->elements; i++)
		kv[i] = (struct bytes){ fields->element[i]->str,
		    fields->element[i]->len };
	(void)keep(m, id, kv, fields->elements / 2);
	free(kv);
}

/*
 * Verdicts into m (an int by comment id), from path, or from the config's
 * verdict stream if path is NULL. The number read, or -1 after a message.
 */
long
replay_verdicts_load(struct namemap *m, const struct config *c,
    const char *path)
{
	struct jsonl	 j;
	redisContext	*rc;
	FILE		*f;
	char		*line = NULL, *err;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned long	 lineno = 0;
	long		 n = 0;

	if (path == NULL) {
		if ((rc = redis_sync_connect(c, "moderatord")) == NULL)
			return -1;
		n = redis_sync_last_entries(rc, "moderatord", c->verdict_stream,
		    VERDICTS_MAX, stream_entry, m);
		redisFree(rc);
		return n != 0 ? -1 : (long)m->n;
	}
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "moderatord: --verdicts %s: %m\n", path);
		return -1;
	}
	jsonl_init(&j);
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		if (jsonl_parse(&j, line, (size_t)len, &err) != 0) {
			fprintf(stderr, "moderatord: %s:%lu: %s\n", path,
			    lineno, err);
			free(err);
			continue;
		}
		if (keep(m, "", j.kv, j.n))
			n++;
		else
			fprintf(stderr, "moderatord: %s:%lu: not a verdict "
			    "(id, and verdict approve or remove)\n", path,
			    lineno);
	}
	free(line);
	jsonl_free(&j);
	fclose(f);
	return n;
}
