/*
 * moderatorctl rules: every rule the daemons run, with what moderators'
 * verdicts say of it (agreed, disagreed, precision and its 95 % Wilson
 * interval) and where that leaves it: live, shadow, demoted, or ready to
 * go live. --reset NAME lifts a demotion. All of it read from the keys
 * the daemons share (verdict_proto.h), so it covers every instance.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "json.h"
#include "precision.h"
#include "verdict_proto.h"
#include "xmalloc.h"

struct row {
	const char	*name;
	char		 action[16];
	char		 mode[16];
	double		 floor;		/* 0: none */
	unsigned long	 min;
	char		 where[256];
	uint64_t	 agreed, disagreed, base_a, base_d, hits;
	char		 demoted[16];	/* "" or flag, shadow */
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->name,
	    ((const struct row *)b)->name);
}

static uint64_t
hash_u64(const redisReply *h, const char *name, const char *suffix)
{
	char		 key[256];
	const char	*v;

	snprintf(key, sizeof key, "%s|%s", name, suffix);
	v = ctl_field(h, key);
	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

static const char *
state(const struct row *r, double lo)
{
	if (strcmp(r->demoted, "flag") == 0)
		return "demoted to flag";
	if (strcmp(r->demoted, "shadow") == 0)
		return "demoted to shadow";
	if (strcmp(r->mode, "shadow") == 0)
		return r->floor > 0 && r->agreed + r->disagreed >= r->min &&
		    lo > r->floor ? "ready to go live" : "shadow";
	return "live";
}

static int
reset(struct ctl *c, const char *name)
{
	redisReply	*r;
	char		*counts = verdict_key(c->cfg.verdict_prefix, "counts");
	char		*demoted = verdict_key(c->cfg.verdict_prefix, "demoted");
	const char	*argv[6] = { "EVAL", verdict_lift_lua, "2", counts,
			    demoted, name };
	int		 rc = 0;

	r = ctl_argv(c, 6, argv, NULL);
	if (r->type == REDIS_REPLY_INTEGER)
		printf(r->integer ? "rule %s: demotion lifted; only verdicts "
		    "from now on can demote it again\n" : "rule %s was not "
		    "demoted\n", name);
	else {
		fprintf(stderr, "moderatorctl rules: %s\n", r->type ==
		    REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		rc = 1;
	}
	freeReplyObject(r);
	free(counts);
	free(demoted);
	return rc;
}

int
ctl_rules(struct ctl *c, int argc, char **argv)
{
	redisReply	*meta, *counts, *dem;
	struct ctl_window w;
	struct row	*rows;
	struct jbuf	 j;
	char		*k;
	size_t		 i, n = 0;
	int		 json = 0, rc;
	double		 lo, hi, p;
	const char	*name = NULL;
	static const char usage[] =
"usage: moderatorctl rules [--json] [--reset NAME]\n"
"  every rule with its verdicts, precision and state; --reset NAME lifts\n"
"  a demotion\n";
	const struct ctl_opt opts[] = {
		{ "json", CTL_FLAG, &json, 0, 0 },
		{ "reset", CTL_STRING, &name, 0, 0 },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	if ((rc = ctl_options(argc, argv, usage, opts, NULL, 0)) >= 0)
		return rc;
	if (name != NULL)
		return reset(c, name);
	k = verdict_key(c->cfg.verdict_prefix, "rules");
	meta = ctl_command(c, "HGETALL %s", k);
	free(k);
	k = verdict_key(c->cfg.verdict_prefix, "counts");
	counts = ctl_command(c, "HGETALL %s", k);
	free(k);
	k = verdict_key(c->cfg.verdict_prefix, "demoted");
	dem = ctl_command(c, "HGETALL %s", k);
	free(k);
	if (ctl_window_read(c, 60, 0, &w) != 0)
		return 1;
	rows = xcalloc(meta->elements / 2 + 1, sizeof *rows);
	for (i = 0; i + 1 < meta->elements; i += 2) {
		struct row	*r = &rows[n++];
		const char	*d;
		size_t		 m;

		r->name = meta->element[i]->str;
		if (sscanf(meta->element[i + 1]->str, "%15s %15s %lf %lu %255s",
		    r->action, r->mode, &r->floor, &r->min, r->where) < 4)
			continue;
		r->agreed = hash_u64(counts, r->name, "a");
		r->disagreed = hash_u64(counts, r->name, "d");
		r->base_a = hash_u64(counts, r->name, "ba");
		r->base_d = hash_u64(counts, r->name, "bd");
		if ((d = ctl_field(dem, r->name)) != NULL)
			sscanf(d, "%15s", r->demoted);
		for (m = 0; m < w.nrules; m++)
			if (strcmp(w.rules[m].name, r->name) == 0)
				r->hits += w.rules[m].n;
		for (m = 0; m < w.nshadow; m++)
			if (strcmp(w.shadow[m].name, r->name) == 0)
				r->hits += w.shadow[m].n;
	}
	qsort(rows, n, sizeof *rows, by_name);
	if (json)
		putchar('[');
	else
		printf("%-24s %7s %7s %9s %9s %16s  %s\n", "rule", "hits",
		    "agreed", "disagreed", "precision", "95 % interval",
		    "state");
	for (i = 0; i < n; i++) {
		struct row	*r = &rows[i];
		uint64_t	 ag = r->agreed > r->base_a ? r->agreed - r->base_a :
				    0;
		uint64_t	 dg = r->disagreed > r->base_d ? r->disagreed -
				    r->base_d : 0;

		p = r->agreed + r->disagreed > 0 ? (double)r->agreed /
		    (double)(r->agreed + r->disagreed) : NAN;
		/* The interval that demotion reads: since the last lift. */
		precision_wilson(ag, dg, &lo, &hi);
		if (json) {
			jbuf_init(&j);
			jbuf_open(&j);
			jbuf_cstr(&j, "rule", r->name);
			jbuf_int(&j, "hits", (int64_t)r->hits);
			jbuf_int(&j, "agreed", (int64_t)r->agreed);
			jbuf_int(&j, "disagreed", (int64_t)r->disagreed);
			jbuf_num(&j, "precision", p);
			jbuf_num(&j, "low", ag + dg > 0 ? lo : NAN);
			jbuf_num(&j, "high", ag + dg > 0 ? hi : NAN);
			jbuf_num(&j, "min_precision", r->floor > 0 ? r->floor :
			    NAN);
			jbuf_cstr(&j, "action", r->action);
			jbuf_cstr(&j, "state", state(r, lo));
			jbuf_cstr(&j, "where", r->where);
			jbuf_close(&j);
			printf("%s%s", i > 0 ? "," : "", j.p);
			jbuf_free(&j);
			continue;
		}
		if (p == p)
			printf("%-24s %7llu %7llu %9llu %9.2f     [%.2f, %.2f]  "
			    "%s\n", r->name, (unsigned long long)r->hits,
			    (unsigned long long)r->agreed,
			    (unsigned long long)r->disagreed, p, lo, hi,
			    state(r, lo));
		else
			printf("%-24s %7llu %7s %9s %9s %16s  %s\n", r->name,
			    (unsigned long long)r->hits, "0", "0", "-", "-",
			    state(r, lo));
	}
	if (json)
		puts("]");
	else if (n == 0)
		printf("no rules known yet: a daemon with verdicts on "
		    "(redis: verdict_stream) says its rules when it connects\n");
	if (!json)
		ctl_learned(c);
	free(rows);
	ctl_window_free(&w);
	freeReplyObject(meta);
	freeReplyObject(counts);
	freeReplyObject(dem);
	return 0;
}

/* moderatorctl stats' lines on verdicts: totals, and what is demoted. */
void
ctl_verdicts_summary(struct ctl *c)
{
	static const char *const kinds[] = { "approve", "remove", "changed",
	    "miss", "unmatched", "expired", "malformed" };
	redisReply	*t, *d;
	char		*k;
	const char	*v;
	size_t		 i;

	if (*c->cfg.verdict_stream == '\0')
		return;
	k = verdict_key(c->cfg.verdict_prefix, "totals");
	t = ctl_command(c, "HGETALL %s", k);
	free(k);
	k = verdict_key(c->cfg.verdict_prefix, "demoted");
	d = ctl_command(c, "HGETALL %s", k);
	free(k);
	printf("moderators' verdicts (all time):");
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		printf("%s %s %s", i ? "," : "", (v = ctl_field(t, kinds[i])) !=
		    NULL ? v : "0", kinds[i]);
	putchar('\n');
	for (i = 0; d->type == REDIS_REPLY_ARRAY && i + 1 < d->elements; i += 2)
		printf("  rule %s demoted to %.*s (moderatorctl rules)\n",
		    d->element[i]->str, (int)strcspn(d->element[i + 1]->str,
		    " "), d->element[i + 1]->str);
	freeReplyObject(t);
	freeReplyObject(d);
}
