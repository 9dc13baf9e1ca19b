/*
 * moderatorctl export: the last N input entries, oldest first, as JSON
 * lines of their fields plus "ts" (the entry id's time, in ms), which is
 * what moderatord --replay reads. Nothing is consumed: XREVRANGE, no
 * group.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "json.h"
#include "xmalloc.h"

#define EXPORT_PAGE	1000
#define EXPORT_MAX	10000000ul

static const char usage[] =
"usage: moderatorctl export [--count N] [--stream KEY]\n"
"\n"
"Writes the last N entries (default 1000, at most 10,000,000) of the input\n"
"stream (or KEY), oldest first, one JSON object of fields a line, with\n"
"\"ts\", the entry's time in ms. For moderatord --replay:\n"
"  moderatorctl export --count 100000 > day.jsonl\n";

static void
print_entry(const struct ctl_entry *e)
{
	struct jbuf	 j;
	char		*key;
	size_t		 i;

	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_int(&j, "ts", (int64_t)ctl_id_ms(e->id));
	for (i = 0; i + 1 < e->fields->elements; i += 2) {
		/* A field named ts would clash: the entry's own time wins. */
		key = xstrndup(e->fields->element[i]->str,
		    e->fields->element[i]->len);
		if (strcmp(key, "ts") != 0)
			jbuf_str(&j, key, e->fields->element[i + 1]->str,
			    e->fields->element[i + 1]->len);
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
	static const struct option longopts[] = {
		{ "count",	required_argument,	NULL, 'n' },
		{ "stream",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*stream = c->cfg.input_stream;
	redisReply	**pages = NULL, *r;
	struct ctl_entry e;
	unsigned long	 count = 1000, got = 0;
	char		 to[80] = "+";
	size_t		 npages = 0, i;
	long		 k;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (ctl_number("export", "--count", optarg, 1,
			    EXPORT_MAX, &count) != 0)
				return 1;
			break;
		case 's':
			stream = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	/* Newest first, a page at a time; printed oldest first. */
	while (got < count) {
		r = ctl_command(c, "XREVRANGE %s %s - COUNT %lu", stream, to,
		    count - got < EXPORT_PAGE ? count - got : EXPORT_PAGE);
		if (r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "moderatorctl export: %s: %s\n", stream,
			    r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
			freeReplyObject(r);
			break;
		}
		if (r->elements == 0) {
			freeReplyObject(r);
			break;
		}
		got += r->elements;
		pages = xreallocarray(pages, npages + 1, sizeof *pages);
		pages[npages++] = r;
		if (ctl_entry(r->element[r->elements - 1], &e) != 0)
			break;
		snprintf(to, sizeof to, "(%s", e.id);
	}
	for (i = npages; i-- > 0;) {
		r = pages[i];
		for (k = (long)r->elements - 1; k >= 0; k--)
			if (ctl_entry(r->element[k], &e) == 0)
				print_entry(&e);
		freeReplyObject(r);
	}
	free(pages);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("moderatorctl export: stdout");
		return 1;
	}
	return 0;
}
