/*
 * moderatorctl status, reload, pending and requeue: the instances, the
 * group and the dead letters.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "presence.h"
#include "xmalloc.h"

#define RELOAD_POLL_US		200000
#define RELOAD_TIMEOUT_S	60
#define REQUEUE_PAGE		100

/*
 * Options of a command that has only --help (and maybe --count N or
 * --timeout S, when count or timeout is not NULL). Returns -1 to go on,
 * else the exit code.
 */
static int
parse(int argc, char **argv, const char *usage, unsigned long *count,
    unsigned long *timeout)
{
	struct ctl_opt	opts[3];
	size_t		n = 0;

	if (count != NULL)
		opts[n++] = (struct ctl_opt){ "count", CTL_NUMBER, count, 1,
		    ULONG_MAX };
	if (timeout != NULL)
		opts[n++] = (struct ctl_opt){ "timeout", CTL_NUMBER, timeout,
		    1, ULONG_MAX };
	opts[n] = (struct ctl_opt){ NULL, CTL_FLAG, NULL, 0, 0 };
	return ctl_options(argc, argv, usage, opts, NULL, 0);
}

static const char *
field_or(const redisReply *rec, const char *name, const char *dflt)
{
	const char	*v = ctl_field(rec, name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/* A time in ms since the epoch as local HH:MM:SS, or "-" for 0. */
static void
clock_time(const char *ms, char *buf, size_t len)
{
	if (ms == NULL || strtoull(ms, NULL, 10) == 0)
		snprintf(buf, len, "-");
	else
		ctl_time(strtoull(ms, NULL, 10), CTL_HMS, buf, len);
}

int
ctl_status(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl status\n"
"\n"
"Every running instance (a heartbeat in the last 15 s): consumer, host,\n"
"pid, version, rules loaded and their hash (the ruleset field of each\n"
"decision), decisions, the last reload and its result.\n";
	struct ctl_instance	*v;
	const redisReply	*rec;
	char			 at[16];
	uint64_t		 now;
	size_t			 i, n;
	int			 rc;

	if ((rc = parse(argc, argv, usage, NULL, NULL)) >= 0)
		return rc;
	now = ctl_now_ms(c);
	if ((n = ctl_instances(c, &v)) == 0) {
		printf("no running instance of group %s (no heartbeat in the "
		    "last %u s)\n", c->cfg.group, PRESENCE_TTL_MS / 1000);
		free(v);
		return 0;
	}
	printf("%-20s %-16s %7s %-8s %6s %-12s %10s %5s  %s\n", "CONSUMER",
	    "HOST", "PID", "VERSION", "RULES", "RULESET", "DECIDED", "BEAT",
	    "LAST RELOAD");
	for (i = 0; i < n; i++) {
		rec = v[i].record;
		clock_time(ctl_field(rec, "reload_at"), at, sizeof at);
		printf("%-20s %-16s %7s %-8s %6s %-12s %10llu %4llus  %s %s\n",
		    v[i].consumer, field_or(rec, "host", "?"),
		    field_or(rec, "pid", "?"), field_or(rec, "version", "?"),
		    field_or(rec, "rules", "?"), field_or(rec, "ruleset", "?"),
		    v[i].decided, ctl_age_s(now, v[i].heartbeat), at,
		    field_or(rec, "reload_result", "(none since start)"));
	}
	ctl_instances_free(v, n);
	return 0;
}

/*
 * Has the instance answered reload request gen (or started after it)?
 * Its reload must have come after the request too: after Redis lost its
 * data the counter starts again, and a record can still carry a higher
 * request from before.
 */
static int
answered(const redisReply *rec, unsigned long long gen,
    unsigned long long asked_ms)
{
	return (strtoull(field_or(rec, "reload_gen", "0"), NULL, 10) >= gen &&
	    strtoull(field_or(rec, "reload_at", "0"), NULL, 10) >= asked_ms) ||
	    strtoull(field_or(rec, "started", "0"), NULL, 10) > asked_ms;
}

int
ctl_reload(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl reload [--timeout SECONDS]\n"
"\n"
"Asks every running instance to reload its rules and waits for each\n"
"answer (default 60 s). Exit 0 if all took the new rules; 1 if any\n"
"refused them (the first error, file:line, is shown; the instance keeps\n"
"its old rules) or did not answer in time.\n";
	struct ctl_instance	*v, *now;
	redisReply		*r;
	char			*key;
	unsigned long		 timeout = RELOAD_TIMEOUT_S;
	unsigned long long	 gen, asked;
	size_t			 i, j, n, m, done = 0;
	int			 rc, *ok;
	time_t			 deadline;

	if ((rc = parse(argc, argv, usage, NULL, &timeout)) >= 0)
		return rc;
	if ((n = ctl_instances(c, &v)) == 0) {
		fprintf(stderr, "moderatorctl reload: no running instance of "
		    "group %s\n", c->cfg.group);
		free(v);
		return 1;
	}
	asked = ctl_now_ms(c);
	key = presence_key(PRESENCE_RELOAD, c->cfg.group, NULL);
	r = ctl_command(c, "INCR %s", key);
	free(key);
	if (r->type != REDIS_REPLY_INTEGER) {
		fprintf(stderr, "moderatorctl reload: INCR: %s\n",
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		freeReplyObject(r);
		ctl_instances_free(v, n);
		return 1;
	}
	gen = (unsigned long long)r->integer;
	freeReplyObject(r);
	printf("asked %zu instance%s to reload (request %llu)\n", n,
	    n == 1 ? "" : "s", gen);
	fflush(stdout);

	ok = xcalloc(n, sizeof *ok);	/* 0 waiting, 1 ok, -1 refused */
	deadline = time(NULL) + (time_t)timeout;
	rc = 0;
	while (done < n && time(NULL) < deadline) {
		usleep(RELOAD_POLL_US);
		m = ctl_instances(c, &now);
		for (i = 0; i < n; i++) {
			for (j = 0; ok[i] == 0 && j < m; j++) {
				if (strcmp(v[i].consumer, now[j].consumer) != 0 ||
				    !answered(now[j].record, gen, asked))
					continue;
				ok[i] = strncmp(field_or(now[j].record,
				    "reload_result", "ok"), "ok", 2) == 0 ?
				    1 : -1;
				printf("%-20s %-16s %s\n", v[i].consumer,
				    field_or(now[j].record, "host", "?"),
				    field_or(now[j].record, "reload_result",
				    "ok (started after the request)"));
				fflush(stdout);
				done++;
				if (ok[i] < 0)
					rc = 1;
			}
		}
		ctl_instances_free(now, m);
	}
	for (i = 0; i < n; i++) {
		if (ok[i] != 0)
			continue;
		printf("%-20s %-16s no answer in %lu s\n", v[i].consumer,
		    field_or(v[i].record, "host", "?"), timeout);
		rc = 1;
	}
	free(ok);
	ctl_instances_free(v, n);
	return rc;
}

int
ctl_pending(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl pending\n"
"\n"
"The consumer group: entries not yet delivered (lag), delivered and not\n"
"acknowledged (pending), each consumer's share and idle time, and the\n"
"dead-letter stream's length.\n";
	redisReply	*r, *cons, *k, *v;
	long long	 lag, pending, dead = 0;
	size_t		 i, j;
	int		 rc;

	if ((rc = parse(argc, argv, usage, NULL, NULL)) >= 0)
		return rc;
	ctl_group(c, &lag, &pending);
	r = ctl_command(c, "XLEN %s", c->cfg.dead_letter_stream);
	if (r->type == REDIS_REPLY_INTEGER)
		dead = r->integer;
	freeReplyObject(r);
	if (pending < 0)
		printf("stream %s: no group %s yet\n", c->cfg.input_stream,
		    c->cfg.group);
	else {
		printf("stream %s, group %s: ", c->cfg.input_stream,
		    c->cfg.group);
		if (lag >= 0)
			printf("lag %lld", lag);
		else
			printf("lag unknown");
		printf(", pending %lld\n", pending);
	}
	printf("dead letters (%s): %lld%s\n", c->cfg.dead_letter_stream, dead,
	    dead > 0 ? "  (moderatorctl requeue puts them back)" : "");
	if (pending < 0)
		return 0;
	cons = ctl_command(c, "XINFO CONSUMERS %s %s", c->cfg.input_stream,
	    c->cfg.group);
	if (cons->type == REDIS_REPLY_ARRAY && cons->elements > 0)
		printf("\n%-24s %10s %12s\n", "CONSUMER", "PENDING", "IDLE");
	for (i = 0; cons->type == REDIS_REPLY_ARRAY && i < cons->elements;
	    i++) {
		long long	np = 0, idle = 0;

		for (j = 0; j + 1 < cons->element[i]->elements; j += 2) {
			k = cons->element[i]->element[j];
			v = cons->element[i]->element[j + 1];
			if (v->type != REDIS_REPLY_INTEGER)
				continue;
			if (strcmp(k->str, "pending") == 0)
				np = v->integer;
			else if (strcmp(k->str, "idle") == 0)
				idle = v->integer;
		}
		printf("%-24s %10lld %10.1f s\n",
		    field_or(cons->element[i], "name", "?"), np,
		    (double)idle / 1000);
	}
	freeReplyObject(cons);
	return 0;
}

/* Whether a dead letter's field is the dead-letter stream's own. */
static int
dead_field(const char *name)
{
	return strncmp(name, "dead_", 5) == 0;
}

int
ctl_requeue(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl requeue [--count N]\n"
"\n"
"Moves dead-lettered entries, oldest first (all, or the first N), back\n"
"to the input stream with their original fields, each in one MULTI with\n"
"its removal from the dead-letter stream. Fix what made them fail first.\n"
"An entry with no fields of its own (deleted from the input stream\n"
"before it was decided) has nothing to put back: it is left, and said.\n";
	redisReply		*r, *x;
	struct ctl_entry	 e;
	const char		**av;
	size_t			*lens, i, j, k;
	unsigned long		 count = 0, moved = 0, left = 0;
	char			 from[96] = "-";
	int			 rc;

	if ((rc = parse(argc, argv, usage, &count, NULL)) >= 0)
		return rc;
	for (;;) {
		/* Paged from the last entry seen: one left stays behind. */
		r = ctl_command(c, "XRANGE %s %s + COUNT %d",
		    c->cfg.dead_letter_stream, from, REQUEUE_PAGE);
		if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
			freeReplyObject(r);
			break;
		}
		for (i = 0; i < r->elements && (count == 0 || moved < count);
		    i++) {
			if (ctl_entry(r->element[i], &e) != 0)
				continue;
			snprintf(from, sizeof from, "(%s", e.id);
			for (j = 0; j + 1 < e.fields->elements; j += 2)
				if (!dead_field(e.fields->element[j]->str))
					break;
			if (j + 1 >= e.fields->elements) {
				fprintf(stderr, "moderatorctl requeue: entry %s "
				    "has no fields of its own (deleted from %s "
				    "before it was decided): left in %s\n", e.id,
				    c->cfg.input_stream,
				    c->cfg.dead_letter_stream);
				left++;
				continue;
			}
			av = xreallocarray(NULL, e.fields->elements + 3,
			    sizeof *av);
			lens = xreallocarray(NULL, e.fields->elements + 3,
			    sizeof *lens);
			av[0] = "XADD";
			av[1] = c->cfg.input_stream;
			av[2] = "*";
			for (k = 0; k < 3; k++)
				lens[k] = strlen(av[k]);
			for (j = 0; j + 1 < e.fields->elements; j += 2) {
				if (dead_field(e.fields->element[j]->str))
					continue;
				av[k] = e.fields->element[j]->str;
				lens[k++] = e.fields->element[j]->len;
				av[k] = e.fields->element[j + 1]->str;
				lens[k++] = e.fields->element[j + 1]->len;
			}
			freeReplyObject(ctl_command(c, "MULTI"));
			freeReplyObject(ctl_argv(c, (int)k, av, lens));
			freeReplyObject(ctl_command(c, "XDEL %s %s",
			    c->cfg.dead_letter_stream, e.id));
			x = ctl_command(c, "EXEC");
			free(av);
			free(lens);
			if (x->type != REDIS_REPLY_ARRAY || x->elements != 2 ||
			    x->element[0]->type != REDIS_REPLY_STRING) {
				fprintf(stderr, "moderatorctl requeue: entry %s "
				    "not moved: %s\n", e.id,
				    x->type == REDIS_REPLY_ERROR ? x->str :
				    x->type == REDIS_REPLY_ARRAY &&
				    x->elements > 0 && x->element[0]->type ==
				    REDIS_REPLY_ERROR ? x->element[0]->str :
				    "the transaction failed");
				freeReplyObject(x);
				freeReplyObject(r);
				printf("requeued %lu entries\n", moved);
				return 1;
			}
			freeReplyObject(x);
			moved++;
		}
		freeReplyObject(r);
		if (count != 0 && moved >= count)
			break;
	}
	printf("requeued %lu entr%s to %s", moved, moved == 1 ? "y" : "ies",
	    c->cfg.input_stream);
	if (left > 0)
		printf("; %lu left in %s", left, c->cfg.dead_letter_stream);
	printf("\n");
	return 0;
}
