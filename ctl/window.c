/*
 * The decisions of the last minutes, read back from the output stream
 * (newest first, a page at a time, capped) and summed: by outcome, by
 * rule, by author of what was flagged or rejected (read from the input
 * stream), by minute, and the latency from comment to decision.
 */

#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "ctl.h"
#include "xmalloc.h"

#define PAGE		1000
#define WINDOW_CAP	1000000

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (0 to 1) of v, sorted in place; 0 when empty. */
uint64_t
ctl_percentile(uint64_t *v, size_t n, double p)
{
	size_t	i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_u64);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* The authors of the input entries ids (pipelined XRANGEs). */
static void
count_authors(struct ctl *c, struct counter *k, const char **ids, size_t n)
{
	redisReply	*r;
	struct ctl_entry e;
	const char	*author;
	size_t		 i;

	for (i = 0; i < n; i++)
		redisAppendCommand(ctl_rc(c), "XRANGE %s %s %s",
		    c->cfg.input_stream, ids[i], ids[i]);
	for (i = 0; i < n; i++) {
		if (redisGetReply(ctl_rc(c), (void **)&r) != REDIS_OK) {
			fprintf(stderr, "moderatorctl: Redis: %s\n",
			    c->rc->errstr);
			exit(1);
		}
		/* Trimmed from the input stream since: no author to tell. */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		    ctl_entry(r->element[0], &e) == 0 &&
		    (author = ctl_field(e.fields, "author")) != NULL)
			count_add(k, author, strlen(author));
		freeReplyObject(r);
	}
}

/*
 * The decisions of the last minutes, up to now (Redis's clock); with
 * authors, who wrote what was flagged or rejected. 0, or -1 after a
 * message.
 */
int
ctl_window_read(struct ctl *c, uint64_t minutes, int authors,
    struct ctl_window *w)
{
	struct counter	 rules, shadow, who;
	redisReply	*r;
	struct ctl_entry e;
	const char	*decision, *entry, *bad[PAGE];
	char		 from[32], to[40];
	size_t		 i, nbad, cap = 0, minute;
	uint64_t	 ms, in_ms;
	enum action	 a;

	memset(w, 0, sizeof *w);
	memset(&rules, 0, sizeof rules);
	memset(&shadow, 0, sizeof shadow);
	memset(&who, 0, sizeof who);
	w->to_ms = ctl_now_ms(c);
	w->from_ms = w->to_ms - minutes * 60000;
	w->minutes = minutes;
	w->per_minute = xcalloc(minutes + 1, sizeof *w->per_minute);
	w->per_minute_bad = xcalloc(minutes + 1, sizeof *w->per_minute_bad);
	snprintf(from, sizeof from, "%llu", (unsigned long long)w->from_ms);
	snprintf(to, sizeof to, "+");
	for (;;) {
		r = ctl_command(c, "XREVRANGE %s %s %s COUNT %d",
		    c->cfg.output_stream, to, from, PAGE);
		if (r->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "moderatorctl: XREVRANGE %s: %s\n",
			    c->cfg.output_stream, r->type == REDIS_REPLY_ERROR ?
			    r->str : "unexpected reply");
			freeReplyObject(r);
			namemap_free(&rules.names, NULL);
			namemap_free(&shadow.names, NULL);
			namemap_free(&who.names, NULL);
			ctl_window_free(w);
			return -1;
		}
		nbad = 0;
		for (i = 0; i < r->elements; i++) {
			if (ctl_entry(r->element[i], &e) != 0 ||
			    (decision = ctl_field(e.fields, "decision")) == NULL ||
			    action_parse(decision, &a) != 0)
				continue;
			ms = ctl_id_ms(e.id);
			w->decided[a]++;
			w->total++;
			minute = (size_t)((ms - w->from_ms) / 60000);
			if (minute > minutes)
				minute = minutes;
			w->per_minute[minute]++;
			if (ms + 10000 >= w->to_ms)
				w->last10s++;
			if (a != ACTION_APPROVE)
				w->per_minute_bad[minute]++;
			count_list(&rules, ctl_field(e.fields, "rules"));
			count_list(&shadow, ctl_field(e.fields, "shadow"));
			if ((entry = ctl_field(e.fields, "entry")) != NULL) {
				in_ms = ctl_id_ms(entry);
				if (w->nlatency == cap) {
					cap = cap ? cap * 2 : 1024;
					w->latency_ms = xreallocarray(
					    w->latency_ms, cap,
					    sizeof *w->latency_ms);
				}
				w->latency_ms[w->nlatency++] = ms >= in_ms ?
				    ms - in_ms : 0;
				if (authors && a != ACTION_APPROVE)
					bad[nbad++] = entry;
			}
		}
		if (nbad > 0)
			count_authors(c, &who, bad, nbad);
		if (r->elements < PAGE || w->total >= WINDOW_CAP) {
			w->truncated = r->elements == PAGE;
			freeReplyObject(r);
			break;
		}
		/* The next page ends just before the oldest entry of this one. */
		ctl_entry(r->element[r->elements - 1], &e);
		snprintf(to, sizeof to, "(%s", e.id);
		freeReplyObject(r);
	}
	w->rules = count_array(&rules, &w->nrules);
	w->shadow = count_array(&shadow, &w->nshadow);
	w->authors = count_array(&who, &w->nauthors);
	return 0;
}

static void
free_counts(struct ctl_count *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void
ctl_window_free(struct ctl_window *w)
{
	free_counts(w->rules, w->nrules);
	free_counts(w->shadow, w->nshadow);
	free_counts(w->authors, w->nauthors);
	free(w->per_minute);
	free(w->per_minute_bad);
	free(w->latency_ms);
	memset(w, 0, sizeof *w);
}
