/*
 * Where moderators' verdicts leave the rules in force: the demotions that
 * every instance shares in Redis, applied to this daemon's rules (and to
 * each ruleset a reload swaps in), and what each verdict did, for the log
 * and the metrics. The verdict script decides; this only follows.
 */

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "redis_io.h"
#include "ruleset.h"
#include "xmalloc.h"

const struct ruleset *
standing_rules(void *arg)
{
	struct daemon	*dm = arg;

	return dm->rules;
}

#define VLOG_WINDOW_US	10000000	/* verdict lines: at most */
#define VLOG_MAX	10		/* ... this many a window */

/*
 * Whether a line about an odd verdict may be logged now: a flood of
 * malformed verdicts must not flood the log. Says how many were left out.
 */
static int
vlog_ok(struct daemon *dm)
{
	uint64_t	now = clock_monotonic_us();

	if (now - dm->vlog_since_us >= VLOG_WINDOW_US) {
		if (dm->vlog_dropped > 0)
			log_warnx(&dm->log, "%u more verdicts that were "
			    "malformed, unmatched or late were not logged "
			    "(moderatord_verdicts_total counts them all)",
			    dm->vlog_dropped);
		dm->vlog_since_us = now;
		dm->vlog_n = dm->vlog_dropped = 0;
	}
	if (dm->vlog_n < VLOG_MAX) {
		dm->vlog_n++;
		return 1;
	}
	dm->vlog_dropped++;
	return 0;
}

/* Verdicts counted: the log says what the batch demoted, once. */
void
standing_verdicts(const struct verdict_outcome *o, size_t n,
    const char *const *made, size_t nmade, void *arg)
{
	struct daemon	*dm = arg;
	char		 name[128], level[16];
	double		 p;
	unsigned long	 nv;
	size_t		 i;

	for (i = 0; i < n; i++) {
		metrics_verdict(&dm->metrics, o[i].outcome, o[i].v->verdict,
		    o[i].detail);
		if (strcmp(o[i].outcome, "counted") == 0 ||
		    strcmp(o[i].outcome, "same") == 0)
			log_debug(&dm->log, "verdict %s on comment %s: %s %s",
			    o[i].v->verdict, o[i].v->id, o[i].outcome,
			    o[i].detail);
		else if (!vlog_ok(dm))
			continue;
		else if (strcmp(o[i].outcome, "malformed") == 0)
			log_warnx(&dm->log, "verdict entry %s is malformed (%s): "
			    "counted as such and acknowledged", o[i].v->sid,
			    o[i].detail);
		else
			log_info(&dm->log, "verdict entry %s on comment %s: %s",
			    o[i].v->sid, o[i].v->id, strcmp(o[i].outcome,
			    "expired") == 0 ? "past the verdicts window, counted "
			    "as unmatched" : strcmp(o[i].outcome, "miss") == 0 ?
			    "removed, and no rule had matched it (a miss)" :
			    "no decision of ours is known for it (unmatched)");
	}
	for (i = 0; i < nmade; i++)
		if (sscanf(made[i], "%127s %15s %lf %lu", name, level, &p,
		    &nv) == 4)
			log_warnx(&dm->log, "rule %s demoted to %s: precision "
			    "%.2f over %lu verdicts", name, level, p, nv);
}

static int
level_of(const char *s, size_t len)
{
	if (len == 4 && memcmp(s, "flag", 4) == 0)
		return DEMOTED_FLAG;
	if (len == 6 && memcmp(s, "shadow", 6) == 0)
		return DEMOTED_SHADOW;
	return DEMOTED_NONE;
}

static const struct demotion_rec *
find(const struct daemon *dm, const char *name)
{
	size_t	i;

	for (i = 0; i < dm->ndem; i++)
		if (strcmp(dm->dem[i].name, name) == 0)
			return &dm->dem[i];
	return NULL;
}

/*
 * rs's rules as the demotions stand. A demotion made for another
 * definition of the rule is lifted: the rule was changed.
 */
void
standing_apply(struct daemon *dm, const struct ruleset *rs)
{
	const struct demotion_rec	*d;
	struct rule			*r;
	size_t				 i;
	int				 level;

	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		level = DEMOTED_NONE;
		if ((d = find(dm, r->name)) != NULL) {
			if (strcmp(d->def, r->def) == 0)
				level = d->level;
			else if (dm->rio != NULL) {
				log_info(&dm->log, "rule %s was changed: its "
				    "demotion is lifted", r->name);
				redis_io_lift(dm->rio, r->name);
			}
		}
		r->stats->demoted = level;
		metrics_shared(&dm->metrics, r->name, METRICS_DEMOTED,
		    (uint64_t)level);
	}
}

void
standing_free(struct daemon *dm)
{
	size_t	i;

	for (i = 0; i < dm->ndem; i++)
		free(dm->dem[i].name);
	free(dm->dem);
	dm->dem = NULL;
	dm->ndem = 0;
}

/* The counts (NAME|a, NAME|d, ...) and demotions, read each second. */
void
standing_shared(const struct bytes *c, size_t nc, const struct bytes *d,
    size_t nd, void *arg)
{
	struct daemon		*dm = arg;
	struct demotion_rec	*rec;
	const char		*sp;
	char			 name[128];
	size_t			 i;

	standing_free(dm);
	dm->dem = xcalloc(nd + 1, sizeof *dm->dem);
	for (i = 0; i < nd; i++) {
		const struct bytes *v = &d[2 * i + 1];

		if ((sp = memchr(v->p, ' ', v->len)) == NULL ||
		    v->len - (size_t)(sp - v->p) < sizeof rec->def)
			continue;
		rec = &dm->dem[dm->ndem++];
		rec->name = xstrndup(d[2 * i].p, d[2 * i].len);
		rec->level = level_of(v->p, (size_t)(sp - v->p));
		memcpy(rec->def, sp + 1, sizeof rec->def - 1);
		rec->def[sizeof rec->def - 1] = '\0';
	}
	standing_apply(dm, dm->rules);
	for (i = 0; i < nc; i++) {
		const struct bytes *k = &c[2 * i];

		if (k->len < 3 || k->len - 2 >= sizeof name ||
		    k->p[k->len - 2] != '|' || (k->p[k->len - 1] != 'a' &&
		    k->p[k->len - 1] != 'd'))
			continue;
		memcpy(name, k->p, k->len - 2);
		name[k->len - 2] = '\0';
		metrics_shared(&dm->metrics, name, k->p[k->len - 1] == 'a' ?
		    METRICS_AGREED : METRICS_DISAGREED, strtoull(c[2 * i + 1].p,
		    NULL, 10));
	}
}
