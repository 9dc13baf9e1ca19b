/*
 * moderatorctl export: the last N input entries, oldest first, as JSON
 * lines of their fields plus "ts" (the entry id's time, in ms), which is
 * what moderatord --replay reads. Nothing is consumed: XREVRANGE, no
 * group.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "json.h"
#include "redis_sync.h"
#include "xmalloc.h"

#define EXPORT_MAX	10000000ul

static const char usage[] =
"usage: moderatorctl export [--count N] [--stream KEY]\n"
"\n"
"Writes the last N entries (default 1000, at most 10,000,000) of the input\n"
"stream (or KEY), oldest first, one JSON object of fields a line, with\n"
"\"ts\", the entry's time in ms. For moderatord --replay:\n"
"  moderatorctl export --count 100000 > day.jsonl\n";

static void
print_entry(const char *id, const redisReply *fields, void *arg)
{
	struct jbuf	 j;
	char		*key;
	size_t		 i;

	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_int(&j, "ts", (int64_t)ctl_id_ms(id));
	for (i = 0; i + 1 < fields->elements; i += 2) {
		/* A field named ts would clash: the entry's own time wins. */
		key = xstrndup(fields->element[i]->str,
		    fields->element[i]->len);
		if (strcmp(key, "ts") != 0)
			jbuf_str(&j, key, fields->element[i + 1]->str,
			    fields->element[i + 1]->len);
		free(key);
	}
	jbuf_close(&j);
	fwrite(j.p, 1, j.len, stdout);
	putchar('\n');
	jbuf_free(&j);
}

int
ctl_export(struct ctl *c, int argc, char **argv)
{
	const char		*stream = c->cfg.input_stream;
	unsigned long		 count = 1000;
	int			 rc;
	const struct ctl_opt	 opts[] = {
		{ "count", CTL_NUMBER, &count, 1, EXPORT_MAX },
		{ "stream", CTL_STRING, &stream, 0, 0 },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	if ((rc = ctl_options(argc, argv, usage, opts, NULL, 0)) >= 0)
		return rc;
	if (redis_sync_last_entries(ctl_rc(c), "moderatorctl export", stream,
	    count, print_entry, NULL) != 0)
		return 1;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("moderatorctl export: stdout");
		return 1;
	}
	return 0;
}
