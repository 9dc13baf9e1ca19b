/*
 * moderatorctl stats and top: the decisions of a recent window (what was
 * decided, by which rules, about whom, how fast), once or refreshed live
 * with the instances and the backlog.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define CHART_WIDTH	40
#define CHART_ROWS	60
#define STATS_MAX_MIN	(7 * 24 * 60)

static void
print_counts(const char *title, const struct ctl_count *v, size_t n,
    size_t top)
{
	size_t	i;

	printf("\n%s\n", title);
	if (n == 0)
		printf("  (none)\n");
	for (i = 0; i < n && i < top; i++)
		printf("  %-32s %8llu\n", v[i].name, (unsigned long long)v[i].n);
}

static void
print_outcomes(const struct ctl_window *w)
{
	size_t	a;

	for (a = 0; a < ACTION_COUNT; a++)
		printf("  %-8s %8llu  %5.1f%%\n", action_name((enum action)a),
		    (unsigned long long)w->decided[a], w->total ?
		    100.0 * (double)w->decided[a] / (double)w->total : 0.0);
}

static void
print_latency(struct ctl_window *w)
{
	if (w->nlatency == 0)
		return;
	printf("latency, comment to decision: p50 %llu ms, p99 %llu ms, max "
	    "%llu ms\n",
	    (unsigned long long)ctl_percentile(w->latency_ms, w->nlatency, 0.5),
	    (unsigned long long)ctl_percentile(w->latency_ms, w->nlatency, 0.99),
	    (unsigned long long)ctl_percentile(w->latency_ms, w->nlatency, 1));
}

/*
 * One row per minute (or per few minutes, to fit CHART_ROWS): '#' for
 * flagged and rejected, '=' for approved, scaled to the busiest row.
 */
static void
print_chart(const struct ctl_window *w)
{
	size_t		 step = (w->minutes + CHART_ROWS - 1) / CHART_ROWS;
	size_t		 rows = (w->minutes + step - 1) / step, i, m;
	uint64_t	*all, *bad, most = 0;
	int		 nb, ng, k;
	char		 at[8];

	all = calloc(rows + 1, sizeof *all);
	bad = calloc(rows + 1, sizeof *bad);
	if (all == NULL || bad == NULL)
		abort();
	/* The bucket past the last minute holds the current partial one. */
	for (m = 0; m <= w->minutes; m++) {
		i = m / step < rows ? m / step : rows - 1;
		all[i] += w->per_minute[m];
		bad[i] += w->per_minute_bad[m];
	}
	for (i = 0; i < rows; i++)
		if (all[i] > most)
			most = all[i];
	printf("\nper %zu minute%s ('#' flagged or rejected, '=' approved)\n",
	    step, step == 1 ? "" : "s");
	for (i = 0; i < rows; i++) {
		ctl_time(w->from_ms + (uint64_t)(i * step + 1) * 60000, CTL_HM,
		    at, sizeof at);
		nb = most ? (int)((bad[i] * CHART_WIDTH + most - 1) / most) : 0;
		ng = most ? (int)((all[i] * CHART_WIDTH + most - 1) / most) -
		    nb : 0;
		printf("  %s ", at);
		for (k = 0; k < nb; k++)
			putchar('#');
		for (k = 0; k < ng; k++)
			putchar('=');
		printf("%*s %6llu", CHART_WIDTH - nb - ng, "",
		    (unsigned long long)all[i]);
		if (bad[i])
			printf("  (%llu)", (unsigned long long)bad[i]);
		putchar('\n');
	}
	free(all);
	free(bad);
}

int
ctl_stats(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl stats [--minutes N]\n"
"\n"
"The decisions of the last N minutes (default 60): by outcome, latency,\n"
"the rules that matched most, live and shadow, the authors flagged or\n"
"rejected most, and a chart per minute. Read from the decision stream.\n";
	struct ctl_window	 w;
	unsigned long		 minutes = 60;
	char			 from[8], to[8];
	int			 rc;
	const struct ctl_opt	 opts[] = {
		{ "minutes", CTL_NUMBER, &minutes, 1, STATS_MAX_MIN },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	if ((rc = ctl_options(argc, argv, usage, opts, NULL, 0)) >= 0)
		return rc;
	if (ctl_window_read(c, minutes, 1, &w) != 0)
		return 1;
	ctl_time(w.from_ms, CTL_HM, from, sizeof from);
	ctl_time(w.to_ms, CTL_HM, to, sizeof to);
	printf("%llu decisions in the last %lu minutes (%s to %s)%s\n",
	    (unsigned long long)w.total, minutes, from, to, w.truncated ?
	    ", counting the newest 1,000,000" : "");
	print_outcomes(&w);
	print_latency(&w);
	print_counts("top rules", w.rules, w.nrules, CTL_TOP);
	print_counts("top shadow rules", w.shadow, w.nshadow, CTL_TOP);
	print_counts("authors flagged or rejected most", w.authors, w.nauthors,
	    CTL_TOP);
	ctl_verdicts_summary(c);
	print_chart(&w);
	ctl_window_free(&w);
	return 0;
}

/* One screen of top. */
static void
top_frame(struct ctl *c)
{
	struct ctl_window	 w;
	struct ctl_instance	*v;
	long long		 lag, pending, dead = -1;
	redisReply		*r;
	size_t			 i, n;
	uint64_t		 now;
	char			 at[16];

	if (ctl_window_read(c, 1, 0, &w) != 0)
		exit(1);
	ctl_group(c, &lag, &pending);
	r = ctl_command(c, "XLEN %s", c->cfg.dead_letter_stream);
	if (r->type == REDIS_REPLY_INTEGER)
		dead = r->integer;
	freeReplyObject(r);
	n = ctl_instances(c, &v);
	now = w.to_ms;

	if (c->tty)
		printf("\033[H\033[2J");
	ctl_time(now, CTL_HMS, at, sizeof at);
	printf("moderatorctl top - %s - group %s on %s\n\n", at, c->cfg.group,
	    c->cfg.input_stream);
	printf("rate     %8.1f/s last 10 s  %8.1f/s last minute\n",
	    (double)w.last10s / 10, (double)w.total / 60);
	printf("decided  approve %llu  flag %llu  reject %llu  (last minute)\n",
	    (unsigned long long)w.decided[ACTION_APPROVE],
	    (unsigned long long)w.decided[ACTION_FLAG],
	    (unsigned long long)w.decided[ACTION_REJECT]);
	if (w.nlatency > 0)
		printf("latency  p50 %llu ms  p99 %llu ms  max %llu ms\n",
		    (unsigned long long)ctl_percentile(w.latency_ms,
		    w.nlatency, 0.5), (unsigned long long)ctl_percentile(
		    w.latency_ms, w.nlatency, 0.99), (unsigned long long)
		    ctl_percentile(w.latency_ms, w.nlatency, 1));
	else
		printf("latency  -\n");
	printf("backlog  lag %lld  pending %lld  dead letters %lld\n", lag,
	    pending, dead);

	printf("\n%-20s %-16s %7s %6s %10s %5s\n", "INSTANCE", "HOST", "PID",
	    "RULES", "DECIDED", "BEAT");
	for (i = 0; i < n; i++)
		printf("%-20s %-16s %7s %6s %10llu %4llus\n", v[i].consumer,
		    ctl_field(v[i].record, "host") ?: "?",
		    ctl_field(v[i].record, "pid") ?: "?",
		    ctl_field(v[i].record, "rules") ?: "?", v[i].decided,
		    ctl_age_s(now, v[i].heartbeat));
	if (n == 0)
		printf("(no running instance)\n");
	ctl_instances_free(v, n);

	printf("\n%-32s %8s\n", "TOP RULES (last minute)", "HITS");
	for (i = 0; i < w.nrules && i < CTL_TOP; i++)
		printf("%-32s %8llu\n", w.rules[i].name,
		    (unsigned long long)w.rules[i].n);
	for (i = 0; i < w.nshadow && i < 3; i++)
		printf("%-32s %8llu  (shadow)\n", w.shadow[i].name,
		    (unsigned long long)w.shadow[i].n);
	fflush(stdout);
	ctl_window_free(&w);
}

int
ctl_top(struct ctl *c, int argc, char **argv)
{
	static const char usage[] =
"usage: moderatorctl top [--once]\n"
"\n"
"A live view, refreshed every second until interrupted: decision rates,\n"
"latency, backlog and dead letters, the running instances, and the rules\n"
"that matched most in the last minute. --once (or output that is not a\n"
"terminal) prints one screen and exits.\n";
	int			 rc, once = 0;
	const struct ctl_opt	 opts[] = {
		{ "once", CTL_FLAG, &once, 0, 0 },
		{ NULL, CTL_FLAG, NULL, 0, 0 }
	};

	if ((rc = ctl_options(argc, argv, usage, opts, NULL, 0)) >= 0)
		return rc;
	if (!c->tty)
		once = 1;
	for (;;) {
		top_frame(c);
		if (once)
			return 0;
		sleep(1);
	}
}
