/*
 * moderatorctl strikes AUTHOR: an author's strikes under each escalate
 * rule the daemons run that is keyed by author alone (the daemons publish
 * their ladders under the verdict prefix, "ladders"), newest first, and
 * the step that applies to the author's next comment now.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "entry.h"
#include "json.h"
#include "ladder.h"
#include "ratelimit.h"
#include "verdict_proto.h"
#include "xmalloc.h"

/* The JSON line of one ladder's strikes r (ZRANGE WITHSCORES). */
static void
show_json(const char *author, const char *name, const struct ladder *lad,
    const struct ladder_step *st, uint64_t n, const redisReply *r,
    uint64_t now)
{
	struct jbuf	 j, one;
	char		 when[32];
	int64_t		 t;
	size_t		 i;

	jbuf_init(&j);
	jbuf_open(&j);
	jbuf_cstr(&j, "author", author);
	jbuf_cstr(&j, "rule", name);
	jbuf_int(&j, "strikes", (int64_t)n);
	jbuf_cstr(&j, "decay", lad->decay);
	jbuf_cstr(&j, "step", st != NULL ? action_name(st->action) : "");
	jbuf_raw(&j, ",\"comments\":[", 13);
	for (i = r->elements; i >= 2; i -= 2) {
		t = strtoll(r->element[i - 1]->str, NULL, 10);
		ctl_time((uint64_t)t, CTL_UTC, when, sizeof when - 1);
		strcat(when, "Z");
		jbuf_init(&one);
		jbuf_open(&one);
		jbuf_cstr(&one, "id", r->element[i - 2]->str);
		jbuf_cstr(&one, "at", when);
		jbuf_int(&one, "counts", t > (int64_t)now -
		    (int64_t)lad->decay_ms);
		jbuf_close(&one);
		if (i != r->elements)
			jbuf_raw(&j, ",", 1);
		jbuf_raw(&j, one.p, one.len);
		jbuf_free(&one);
	}
	jbuf_raw(&j, "]", 1);
	jbuf_close(&j);
	printf("%s\n", j.p);
	jbuf_free(&j);
}

/*
 * One ladder's strikes of author (entry e); 1 if the ladder is keyed
 * otherwise.
 */
static int
show(struct ctl *c, const char *author, const char *name,
    const char *published, const struct entry *e, uint64_t now, int json)
{
	struct rate_limit		 rl;
	struct ladder			 lad;
	const struct ladder_step	*st = NULL;
	redisReply			*r;
	char				*key, when[32], field[] = "author";
	char				*fields[1] = { field };
	uint64_t			 n = 0;
	int64_t				 last = 0, t;
	size_t				 i;

	/* Only a ladder keyed by author alone: "author SPEC". */
	if (strncmp(published, "author ", 7) != 0 ||
	    ladder_from_spec(published + 7, &lad) != 0)
		return 1;
	memset(&rl, 0, sizeof rl);
	rl.fields = fields;
	rl.nfields = 1;
	rl.ladder = &lad;
	rl.text_view = SIZE_MAX;
	if ((key = ratelimit_key(&rl, name, e, NULL)) == NULL) {
		ladder_clear(&lad);
		return 1;
	}
	r = ctl_command(c, "ZRANGE %s%s 0 -1 WITHSCORES", c->cfg.rl_prefix,
	    key);
	if (r->type != REDIS_REPLY_ARRAY)
		r->elements = 0;
	for (i = 0; i + 1 < r->elements; i += 2) {
		t = strtoll(r->element[i + 1]->str, NULL, 10);
		n += t > (int64_t)now - (int64_t)lad.decay_ms;
		if (t > last)
			last = t;
	}
	if (n > 0)
		st = ladder_step_at(&lad, n, last, (int64_t)now);
	if (json)
		show_json(author, name, &lad, st, n, r, now);
	else {
		printf("%s: %llu strike%s in %s%s\n", name,
		    (unsigned long long)n, n == 1 ? "" : "s", lad.decay,
		    st == NULL ? "" : st->action == ACTION_REJECT ?
		    "; the next comment is rejected" :
		    "; the next comment is flagged");
		/* Newest first. */
		for (i = r->elements; i >= 2; i -= 2) {
			t = strtoll(r->element[i - 1]->str, NULL, 10);
			ctl_time((uint64_t)t, CTL_UTC, when, sizeof when - 1);
		strcat(when, "Z");
			printf("  %s  %s%s\n", when, r->element[i - 2]->str,
			    t > (int64_t)now - (int64_t)lad.decay_ms ? "" :
			    "  (decayed)");
		}
	}
	freeReplyObject(r);
	free(key);
	ladder_clear(&lad);
	return 0;
}

int
ctl_strikes(struct ctl *c, int argc, char **argv)
{
	struct entry_limits	 lim;
	struct entry		 e;
	struct bytes		 kv[2];
	redisReply		*lads;
	char			*k;
	static const char	 usage[] =
"usage: moderatorctl strikes [--json] AUTHOR\n"
"\n"
"The author's strikes under each escalate rule keyed by author, newest\n"
"first, and whether their next comment would be flagged or rejected.\n";
	const char		*author;
	size_t			 i, shown = 0;
	int			 json = 0, rc;
	const struct ctl_opt	 opts[] = {
		{ "json", CTL_FLAG, &json, 0, 0 },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	if ((rc = ctl_options(argc, argv, usage, opts, &author, 1)) >= 0)
		return rc;
	if (author == NULL || *author == '\0') {
		fputs(usage, stderr);
		return 1;
	}
	k = verdict_key(c->cfg.verdict_prefix, "ladders");
	lads = ctl_command(c, "HGETALL %s", k);
	free(k);
	kv[0] = (struct bytes){ "author", 6 };
	kv[1] = (struct bytes){ author, strlen(author) };
	entry_limits_default(&lim);
	entry_init(&e, (struct bytes){ "0-0", 3 }, kv, 1, &lim);
	for (i = 0; lads->type == REDIS_REPLY_ARRAY && i + 1 < lads->elements;
	    i += 2)
		shown += show(c, author, lads->element[i]->str,
		    lads->element[i + 1]->str, &e, ctl_now_ms(c), json) == 0;
	if (shown == 0 && !json)
		printf("no escalate rule keyed by author is running (a daemon "
		    "publishes its ladders when it connects)\n");
	entry_free(&e);
	freeReplyObject(lads);
	return 0;
}
