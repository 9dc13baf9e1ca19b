/*
 * moderatorctl tail: decisions as they are written, read from the output
 * stream with a blocking XREAD, each joined to its comment's author and
 * thread from the input stream. Aligned and coloured on a terminal, one
 * JSON object a line otherwise.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "json.h"

#define TAIL_PAGE	256
#define TAIL_BLOCK_MS	1000

struct tail_opts {
	const char	*decision;
	const char	*rule;
	const char	*author;
	const char	*thread;
	unsigned long	 count;		/* stop after so many; 0: never */
	int		 json;
};

static const char tail_usage[] =
"usage: moderatorctl tail [--decision approve|flag|reject] [--rule NAME]\n"
"                         [--author A] [--thread T] [--since ID]\n"
"                         [--count N] [--json]\n"
"\n"
"Follows the decision stream. On a terminal: one aligned, coloured line a\n"
"decision; piped: one JSON object a line (--json forces it).\n"
"  --since ID   start after this decision id (0: from the oldest kept);\n"
"               default: only decisions written from now on\n"
"  --rule NAME  decisions that name the rule (live or shadow)\n"
"  --count N    stop after N decisions shown\n";

/* Is name one of the comma-separated list? */
static int
in_list(const char *list, const char *name)
{
	size_t	len = strlen(name);

	while (list != NULL && *list != '\0') {
		if (strncmp(list, name, len) == 0 &&
		    (list[len] == ',' || list[len] == '\0'))
			return 1;
		list = strchr(list, ',');
		if (list != NULL)
			list++;
	}
	return 0;
}

/* Text from outside, fit to width, control bytes shown as '?'. */
static void
put_cell(const char *s, int width)
{
	int	i;

	if (s == NULL)
		s = "-";
	for (i = 0; s[i] != '\0' && (width < 0 || i < width); i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	for (; i < width; i++)
		putchar(' ');
}

static void
show_line(struct ctl *c, uint64_t ms, const char *decision,
    const redisReply *d, const char *author, const char *thread)
{
	static const char *const colors[] = { "\033[32m", "\033[33m",
	    "\033[1;31m" };
	char		 when[16];
	enum action	 a = ACTION_APPROVE;
	const char	*rules = ctl_field(d, "rules"), *shadow;

	ctl_time(ms, CTL_HMS, when, sizeof when);
	(void)action_parse(decision, &a);
	printf("%s  %s", when, c->color ? colors[a] : "");
	put_cell(decision, 7);
	printf("%s ", c->color ? "\033[0m" : "");
	put_cell(ctl_field(d, "id"), 14);
	putchar(' ');
	put_cell(author, 12);
	putchar(' ');
	put_cell(thread, 10);
	putchar(' ');
	put_cell(rules != NULL && *rules ? rules : "-", 24);
	putchar(' ');
	put_cell(ctl_field(d, "reason"), -1);
	shadow = ctl_field(d, "shadow");
	if (shadow != NULL && *shadow != '\0') {
		printf("%s  shadow: ", c->color ? "\033[2m" : "");
		put_cell(shadow, -1);
		printf("%s", c->color ? "\033[0m" : "");
	}
	putchar('\n');
}

static void
show_json(const char *sid, uint64_t ms, const redisReply *d,
    const char *author, const char *thread)
{
	static const char *const keys[] = { "id", "decision", "rules",
	    "shadow", "reason", "entry", "ruleset" };
	struct jbuf	 j;
	char		 ts[40];
	size_t		 i;
	const char	*v;

	ctl_time(ms, CTL_UTC, ts, sizeof ts);
	snprintf(ts + strlen(ts), sizeof ts - strlen(ts), ".%03uZ",
	    (unsigned)(ms % 1000));
	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_cstr(&j, "ts", ts);
	jbuf_cstr(&j, "stream_id", sid);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if ((v = ctl_field(d, keys[i])) != NULL)
			jbuf_cstr(&j, keys[i], v);
	if (author != NULL)
		jbuf_cstr(&j, "author", author);
	if (thread != NULL)
		jbuf_cstr(&j, "thread", thread);
	jbuf_close(&j);
	printf("%s\n", j.p);
	jbuf_free(&j);
}

/* The input entries of a page of decisions, one pipelined XRANGE each. */
static redisReply **
comments_of(struct ctl *c, const redisReply *page)
{
	redisReply	**in = calloc(page->elements + 1, sizeof *in);
	struct ctl_entry e;
	const char	*entry;
	size_t		 i;

	if (in == NULL)
		abort();
	for (i = 0; i < page->elements; i++) {
		entry = ctl_entry(page->element[i], &e) == 0 ?
		    ctl_field(e.fields, "entry") : NULL;
		redisAppendCommand(ctl_rc(c), "XRANGE %s %s %s",
		    c->cfg.input_stream, entry ? entry : "0-1",
		    entry ? entry : "0-1");
	}
	for (i = 0; i < page->elements; i++) {
		if (redisGetReply(ctl_rc(c), (void **)&in[i]) != REDIS_OK) {
			fprintf(stderr, "moderatorctl: Redis: %s\n",
			    c->rc->errstr);
			exit(1);
		}
	}
	return in;
}

static const char *
comment_field(const redisReply *r, const char *name)
{
	struct ctl_entry	e;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 1 ||
	    ctl_entry(r->element[0], &e) != 0)
		return NULL;
	return ctl_field(e.fields, name);
}

/* Shows what passes the filters; 1 once count decisions were shown. */
static int
show_page(struct ctl *c, const struct tail_opts *o, const redisReply *page,
    unsigned long *shown)
{
	redisReply		**in = comments_of(c, page);
	struct ctl_entry	 e;
	const char		*decision, *author, *thread;
	size_t			 i;
	int			 done = 0;

	for (i = 0; i < page->elements && !done; i++) {
		if (ctl_entry(page->element[i], &e) != 0 ||
		    (decision = ctl_field(e.fields, "decision")) == NULL)
			continue;
		author = comment_field(in[i], "author");
		thread = comment_field(in[i], "thread");
		if ((o->decision && strcmp(o->decision, decision) != 0) ||
		    (o->rule && !in_list(ctl_field(e.fields, "rules"), o->rule) &&
		    !in_list(ctl_field(e.fields, "shadow"), o->rule)) ||
		    (o->author && (author == NULL ||
		    strcmp(o->author, author) != 0)) ||
		    (o->thread && (thread == NULL ||
		    strcmp(o->thread, thread) != 0)))
			continue;
		if (o->json)
			show_json(e.id, ctl_id_ms(e.id), e.fields, author, thread);
		else
			show_line(c, ctl_id_ms(e.id), decision, e.fields, author,
			    thread);
		if (o->count != 0 && ++*shown >= o->count)
			done = 1;
	}
	fflush(stdout);
	for (i = 0; i < page->elements; i++)
		freeReplyObject(in[i]);
	free(in);
	return done;
}

int
ctl_tail(struct ctl *c, int argc, char **argv)
{
	struct tail_opts	 o;
	struct ctl_entry	 e;
	redisReply		*r, *page;
	char			 last[64] = "$";
	const char		*since = NULL;
	unsigned long		 shown = 0;
	enum action		 a;
	int			 rc;
	const struct ctl_opt	 opts[] = {
		{ "decision", CTL_STRING, &o.decision, 0, 0 },
		{ "rule", CTL_STRING, &o.rule, 0, 0 },
		{ "author", CTL_STRING, &o.author, 0, 0 },
		{ "thread", CTL_STRING, &o.thread, 0, 0 },
		{ "since", CTL_STRING, &since, 0, 0 },
		{ "count", CTL_NUMBER, &o.count, 1, ULONG_MAX },
		{ "json", CTL_FLAG, &o.json, 0, 0 },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	memset(&o, 0, sizeof o);
	if ((rc = ctl_options(argc, argv, tail_usage, opts, NULL, 0)) >= 0)
		return rc;
	if (o.decision != NULL && action_parse(o.decision, &a) != 0) {
		fprintf(stderr, "moderatorctl tail: --decision must be approve, "
		    "flag or reject\n");
		return 1;
	}
	if (since != NULL)
		snprintf(last, sizeof last, "%s", since);
	if (!c->tty)
		o.json = 1;
	/*
	 * "From now on" is the id last written now: "$" in every XREAD would
	 * lose what comes between two of them.
	 */
	if (strcmp(last, "$") == 0) {
		r = ctl_command(c, "XREVRANGE %s + - COUNT 1",
		    c->cfg.output_stream);
		snprintf(last, sizeof last, "%s", r->type == REDIS_REPLY_ARRAY &&
		    r->elements == 1 && ctl_entry(r->element[0], &e) == 0 ?
		    e.id : "0-0");
		freeReplyObject(r);
	}
	for (;;) {
		r = ctl_command(c, "XREAD COUNT %d BLOCK %d STREAMS %s %s",
		    TAIL_PAGE, TAIL_BLOCK_MS, c->cfg.output_stream, last);
		if (r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "moderatorctl tail: %s\n", r->str);
			freeReplyObject(r);
			return 1;
		}
		/* [[stream, [entries]]], or nil when nothing came in time. */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		    r->element[0]->elements == 2) {
			page = r->element[0]->element[1];
			if (page->elements > 0 && ctl_entry(page->element[
			    page->elements - 1], &e) == 0)
				snprintf(last, sizeof last, "%s", e.id);
			if (show_page(c, &o, page, &shown)) {
				freeReplyObject(r);
				return 0;
			}
		}
		freeReplyObject(r);
	}
}
