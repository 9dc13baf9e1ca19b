/*
 * moderatorctl learn spam|ham: teaches the site's classifier the comments
 * of JSON lines on stdin (their "text"; with an "id", a comment is learned
 * once, and learned again under the other class it moves over). A line
 * that is not a comment is said, with its number, and left out; the rest
 * are learned.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_proto.h"
#include "ctl.h"
#include "jsonl.h"
#include "normalize.h"
#include "redis_sync.h"
#include "verdict_proto.h"
#include "xmalloc.h"

#define LEARN_BATCH	64

struct learning {
	struct ctl		*c;
	struct bayes_item	 items[LEARN_BATCH];
	char			*ids[LEARN_BATCH];
	size_t			 n;
	unsigned long		 outcome[4];	/* learned, moved, same, other */
	struct decide_argv	 argv;
	int			 failed;
};

static const char *const outcomes[] = { "learned", "moved", "same" };

static void
flush(struct learning *l)
{
	redisReply	*r;
	size_t		 i, k;

	if (l->n == 0)
		return;
	if (!l->failed) {
		bayes_learn_encode(&l->argv, l->c->cfg.verdict_prefix,
		    l->c->cfg.verdict_window_ms, l->items, l->n);
		r = redisCommandArgv(ctl_rc(l->c), (int)l->argv.n, l->argv.v,
		    l->argv.len);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != l->n) {
			fprintf(stderr, "moderatorctl learn: %s\n", r == NULL ?
			    l->c->rc->errstr : r->type == REDIS_REPLY_ERROR ?
			    r->str : "an unexpected reply from Redis");
			l->failed = 1;
		} else
			for (i = 0; i < r->elements; i++) {
				for (k = 0; k < 3; k++)
					if (r->element[i]->type ==
					    REDIS_REPLY_STRING && strcmp(
					    r->element[i]->str, outcomes[k]) == 0)
						break;
				l->outcome[k]++;
			}
		freeReplyObject(r);
	}
	for (i = 0; i < l->n; i++) {
		free(l->items[i].words);
		free(l->ids[i]);
	}
	l->n = 0;
}

/* What the classifier has learned in all, from every source. */
void
ctl_learned(struct ctl *c)
{
	unsigned long long	 spam, ham;
	const char		*why;

	if (redis_sync_learned(ctl_rc(c), c->cfg.verdict_prefix, &spam, &ham,
	    &why) == 0)
		printf("the classifier has learned %llu spam and %llu ham "
		    "comments\n", spam, ham);
}

int
ctl_learn(struct ctl *c, int argc, char **argv)
{
	struct learning		 l;
	struct jsonl		 j;
	struct normalizer	*nz;
	const struct bytes	*text, *id;
	struct bayes_item	*it;
	char			*line = NULL, *err;
	size_t			 cap = 0;
	ssize_t			 len;
	unsigned long		 lineno = 0, bad = 0;
	const char		*class;
	int			 spam, rc;
	static const char	 usage[] =
"usage: moderatorctl learn spam|ham < comments.jsonl\n"
"  teaches the classifier the comments of JSON lines on stdin: each an\n"
"  object with \"text\"; with \"id\", a comment is learned once\n";

	if ((rc = ctl_options(argc, argv, usage, NULL, &class, 1)) >= 0)
		return rc;
	if (class == NULL || (strcmp(class, "spam") != 0 &&
	    strcmp(class, "ham") != 0)) {
		fputs(usage, stderr);
		return 1;
	}
	spam = strcmp(class, "spam") == 0;
	memset(&l, 0, sizeof l);
	l.c = c;
	decide_argv_init(&l.argv);
	jsonl_init(&j);
	nz = normalizer_new();
	while (!l.failed && (len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		if (jsonl_parse(&j, line, (size_t)len, &err) != 0) {
			fprintf(stderr, "moderatorctl learn: line %lu: %s\n",
			    lineno, err);
			free(err);
			bad++;
			continue;
		}
		text = bytes_field(j.kv, j.n, "text");
		id = bytes_field(j.kv, j.n, "id");
		if (text == NULL || (id != NULL && (id->len > VERDICT_ID_MAX ||
		    memchr(id->p, '\0', id->len) != NULL))) {
			fprintf(stderr, "moderatorctl learn: line %lu: %s\n",
			    lineno, text == NULL ? "no text" : "an id longer "
			    "than 1024 bytes or with a NUL byte");
			bad++;
			continue;
		}
		it = &l.items[l.n];
		l.ids[l.n] = id != NULL ? xstrndup(id->p, id->len) :
		    xstrdup("");
		it->id = l.ids[l.n];
		it->spam = spam;
		it->sure = 0;
		/* The daemon would flag a longer text unread: learn its start. */
		it->len = bayes_text_words(nz, text->p, text->len >
		    c->cfg.limits.max_text ? c->cfg.limits.max_text :
		    text->len, &it->words);
		if (++l.n == LEARN_BATCH)
			flush(&l);
	}
	flush(&l);
	normalizer_free(nz);
	jsonl_free(&j);
	free(line);
	decide_argv_free(&l.argv);
	if (l.failed)
		return 1;
	printf("learned %lu %s comments", l.outcome[0] + l.outcome[1],
	    argv[1]);
	if (l.outcome[1] > 0)
		printf(" (%lu of them moved from %s)", l.outcome[1], spam ?
		    "ham" : "spam");
	if (l.outcome[2] > 0)
		printf("; %lu already learned as %s", l.outcome[2], argv[1]);
	if (bad > 0)
		printf("; %lu lines left out", bad);
	printf("\n");
	ctl_learned(c);
	return bad > 0 ? 1 : 0;
}
