/*
 * moderatord --replay OLD_DIR [-r NEW_DIR]: decide a capture of comments
 * (JSON lines on stdin, or the last entries of a stream, read without
 * consuming them) with two rule sets and report what the change would
 * do: decisions changed and how, rules that gain and lose comments, with
 * examples, and rules that never fire. Rate limits, near_text limits and
 * escalate rules are counted in memory in input order, at each comment's
 * event time, by the decide script's mirrors (limits_mirror.c,
 * near_mirror.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <unistr.h>

#include "action.h"
#include "clock.h"
#include "decision.h"
#include "jsonl.h"
#include "ladder.h"
#include "modes.h"
#include "namemap.h"
#include "limits_mirror.h"
#include "near_mirror.h"
#include "ratelimit.h"
#include "redis_sync.h"
#include "replay_verdicts.h"
#include "xmalloc.h"

#define EXAMPLES	20	/* a transition's or a rule's, kept (--json) */
#define EXAMPLES_SHOWN	3	/* ... in the text report */
#define SNIPPET		60	/* bytes of text around a match */
#define BAD_SHOWN	10

/* What one rule set decided for one comment, rate limits settled. */
struct outcome {
	enum action	 action;
	char		*rules;
	char		*shadow;
	size_t		 start, end;	/* the deciding (or first) match */
	int		 span;
};

struct example {
	char		*id;
	char		*snippet;
	char		*match;
};

struct tally {
	const char	*name;		/* the map's key */
	unsigned long	 n;
	unsigned long	 gained;	/* rules: matched only with the new */
	unsigned long	 lost;		/* ... only with the old */
	unsigned long	 fired;		/* matched with either */
	unsigned long	 old, new;	/* comments matched with each */
	unsigned long	 judged[2][2];	/* [lost, gained][approved, removed] */
	int		 listed;	/* as never fired */
	struct example	 ex[EXAMPLES];
	size_t		 nex;
};

struct side {
	struct ruleset	*rs;
	struct matcher	*m;
	struct namemap	 windows;	/* struct window by key */
	struct near_mirror near;	/* near_text limits' buckets */
	struct namemap	 strikes;	/* escalate: struct window by key */
	/* Judged comments: [held (flag, reject) or approved][the verdict]. */
	unsigned long	 judged[2][2];
};

struct replay {
	const struct config	*cfg;
	struct side		 old, new;
	unsigned long		 total, changed, malformed;	/* lines */
	unsigned long		 bad_entries;	/* decided as malformed */
	unsigned long		 bad_lines[BAD_SHOWN];
	struct namemap		 transitions;	/* struct tally by "a -> b" */
	struct namemap		 rules;		/* struct tally by rule name */
	int64_t			 last_ts;
	int			 progress;
	struct bytes		*kv;		/* a stream entry's fields */
	int			 with_verdicts;
	struct namemap		 verdicts;	/* int (replay_verdicts.h) by id */
	unsigned long		 judged;	/* comments with a verdict */
};

static char *
append(char *list, const char *name)
{
	char	*s;

	xasprintf(&s, "%s%s%s", list, *list ? "," : "", name);
	free(list);
	return s;
}

/*
 * Rule r's limit (or ladder step, of action a) held the comment: named
 * in the outcome, and deciding it if it outranks what did (*prec), as in
 * the decide script's count.
 */
static void
held(struct outcome *o, const struct rule *r, enum action a, int final,
    uint64_t *prec)
{
	if (r->shadow)
		o->shadow = append(o->shadow, r->name);
	else if (!final) {
		o->rules = append(o->rules, r->name);
		if (action_precedence(a, r->index) > *prec) {
			o->action = a;
			*prec = action_precedence(a, r->index);
		}
	}
}

/* Decides e with one side's rules at event time t, as the daemon would. */
static void
decide(struct replay *rp, struct side *s, const struct entry *e, int64_t t,
    struct outcome *o)
{
	struct decision		 d;
	const struct rule	*r;
	const struct ladder_step *st;
	enum action		 pre;
	uint64_t		 prec, n;
	size_t			 i;

	decision_make(s->m, s->rs, e, rp->cfg->rules.default_action, &d);
	o->action = d.action;
	o->rules = xstrdup(d.rules);
	o->shadow = xstrdup(d.shadow);
	o->span = 0;
	prec = action_precedence(d.action, d.order);
	for (i = 0; i < d.nchecks; i++) {
		r = d.checks[i].rule;
		if (r->limit->ladder != NULL)
			continue;
		if (d.checks[i].sig != NULL ? !near_mirror_over(&s->near,
		    d.checks[i].key, d.checks[i].sig, d.checks[i].id, t,
		    r->limit->max, r->limit->per_ms,
		    ratelimit_near_need(r->limit)) :
		    !mirror_window_over(&s->windows, d.checks[i].key, t,
		    d.checks[i].id, r->limit->max, r->limit->per_ms))
			continue;
		held(o, r, r->action, d.final, &prec);
	}
	pre = o->action;
	for (i = 0; i < d.nchecks; i++) {
		r = d.checks[i].rule;
		if (r->limit->ladder == NULL || (st = mirror_ladder(&s->strikes,
		    r->limit->ladder, d.checks[i].key, e->id != NULL &&
		    e->id->value_len > 0 ? e->id->value : e->stream_id, t, pre,
		    &n)) == NULL)
			continue;
		held(o, r, st->action, d.final, &prec);
	}
	for (i = 0; i < d.nhits; i++) {
		if (d.hits[i].rule->index == d.order || !o->span) {
			o->start = d.hits[i].start;
			o->end = d.hits[i].end;
			o->span = d.hits[i].end > d.hits[i].start ||
			    d.hits[i].rule->index == d.order;
		}
	}
	decision_free(&d);
}

/* s as valid UTF-8: invalid bytes as U+FFFD, control characters as spaces. */
static char *
clean(const char *s, size_t len)
{
	char	*out = xmalloc(len * 3 + 1), *p = out;
	size_t	 i = 0;
	ucs4_t	 uc;
	int	 n;

	while (i < len) {
		n = u8_mbtoucr(&uc, (const uint8_t *)s + i, len - i);
		if (n <= 0 || uc < 0x20) {
			if (n > 0 && uc < 0x20)
				*p++ = ' ';
			else
				p += u8_uctomb((uint8_t *)p, 0xfffd, 3);
			i += n > 0 ? (size_t)n : 1;
			continue;
		}
		memcpy(p, s + i, (size_t)n);
		p += n;
		i += (size_t)n;
	}
	*p = '\0';
	return out;
}

static void
add_example(struct tally *t, const struct entry *e, const struct outcome *o)
{
	const struct field	*id = e->id, *text = e->text;
	size_t			 from, to;
	struct example		*x;
	char			*cut;

	if (t->nex == EXAMPLES)
		return;
	x = &t->ex[t->nex++];
	x->id = id ? clean(id->value, id->value_len) : xstrdup("");
	if (text == NULL) {
		x->snippet = xstrdup("");
		x->match = xstrdup("");
		return;
	}
	from = o->span && o->start > SNIPPET / 2 ? o->start - SNIPPET / 2 : 0;
	to = from + SNIPPET < text->value_len ? from + SNIPPET : text->value_len;
	if (o->span && o->end > to)
		to = o->end;
	/* Whole characters, and "..." where the text goes on. */
	while (from > 0 && ((unsigned char)text->value[from] & 0xc0) == 0x80)
		from--;
	while (to < text->value_len &&
	    ((unsigned char)text->value[to] & 0xc0) == 0x80)
		to++;
	cut = clean(text->value + from, to - from);
	xasprintf(&x->snippet, "%s%s%s", from > 0 ? "..." : "", cut,
	    to < text->value_len ? "..." : "");
	free(cut);
	x->match = o->span ? clean(text->value + o->start, o->end - o->start) :
	    xstrdup("");
}

static struct tally *
tally(struct namemap *m, const char *name)
{
	return namemap_get(m, name, sizeof(struct tally));
}

static int
in_list(const char *list, const char *name, size_t len)
{
	const char	*p = list;

	while (*p != '\0') {
		if (strncmp(p, name, len) == 0 && (p[len] == ',' ||
		    p[len] == '\0'))
			return 1;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Each rule of a's lists that b's lists lack: counted as gained or lost. */
static void
diff_rules(struct replay *rp, const struct outcome *a, const struct outcome *b,
    const struct entry *e, int gained, int verdict)
{
	const char	*lists[2] = { a->rules, a->shadow }, *p;
	char		 name[128];
	struct tally	*t;
	size_t		 i, len;

	for (i = 0; i < 2; i++) {
		for (p = lists[i]; *p != '\0'; p += len + (p[len] == ',')) {
			len = strcspn(p, ",");
			if (len == 0 || len >= sizeof name ||
			    in_list(b->rules, p, len) || in_list(b->shadow, p, len))
				continue;
			memcpy(name, p, len);
			name[len] = '\0';
			t = tally(&rp->rules, name);
			if (gained)
				t->gained++;
			else
				t->lost++;
			if (verdict != VERDICT_NONE)
				t->judged[gained][verdict == VERDICT_REMOVE]++;
			add_example(t, e, a);
		}
	}
}

static void
mark_fired(struct replay *rp, const char *list, int new)
{
	struct tally	*t;
	char		 name[128];
	size_t		 len;

	for (; *list != '\0'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",");
		if (len == 0 || len >= sizeof name)
			continue;
		memcpy(name, list, len);
		name[len] = '\0';
		t = tally(&rp->rules, name);
		t->fired++;
		if (new)
			t->new++;
		else
			t->old++;
	}
}

static void
outcome_free(struct outcome *o)
{
	free(o->rules);
	free(o->shadow);
}

/* The moderators' verdict on comment e, if any. */
static int
verdict_of(const struct replay *rp, const struct entry *e)
{
	const int	*v;
	char		*id;

	if (!rp->with_verdicts || e->id == NULL)
		return VERDICT_NONE;
	id = xstrndup(e->id->value, e->id->value_len);
	v = namemap_find(&rp->verdicts, id);
	free(id);
	return v != NULL ? *v : VERDICT_NONE;
}

static void
judge(struct side *s, const struct outcome *o, int verdict)
{
	if (verdict != VERDICT_NONE)
		s->judged[o->action != ACTION_APPROVE][verdict ==
		    VERDICT_REMOVE]++;
}

/* One comment, both sides. */
static void
replay_one(struct replay *rp, const struct entry *e, int64_t t)
{
	struct outcome	 o, n;
	struct tally	*tr;
	char		 name[64];
	int		 v = verdict_of(rp, e);

	rp->bad_entries += e->malformed != NULL || e->too_long;
	decide(rp, &rp->old, e, t, &o);
	decide(rp, &rp->new, e, t, &n);
	rp->judged += v != VERDICT_NONE;
	judge(&rp->old, &o, v);
	judge(&rp->new, &n, v);
	rp->total++;
	mark_fired(rp, o.rules, 0);
	mark_fired(rp, o.shadow, 0);
	mark_fired(rp, n.rules, 1);
	mark_fired(rp, n.shadow, 1);
	diff_rules(rp, &n, &o, e, 1, v);
	diff_rules(rp, &o, &n, e, 0, v);
	if (o.action != n.action) {
		rp->changed++;
		snprintf(name, sizeof name, "%s -> %s", action_name(o.action),
		    action_name(n.action));
		tr = tally(&rp->transitions, name);
		tr->n++;
		add_example(tr, e, n.action != ACTION_APPROVE ? &n : &o);
	}
	outcome_free(&o);
	outcome_free(&n);
	if (rp->progress && rp->total % 10000 == 0)
		fprintf(stderr, "\r%lu comments, %lu changed", rp->total,
		    rp->changed);
}

static void
bad_line(struct replay *rp, unsigned long lineno, const char *why)
{
	if (rp->malformed < BAD_SHOWN) {
		rp->bad_lines[rp->malformed] = lineno;
		fprintf(stderr, "moderatord: line %lu: %s\n", lineno, why);
	}
	rp->malformed++;
}

/* JSON lines on stdin; a line's "ts" (ms) is its event time. */
static void
replay_lines(struct replay *rp)
{
	struct jsonl	 j;
	struct entry	 e;
	char		*line = NULL, *err, *end;
	size_t		 cap = 0, i;
	unsigned long	 lineno = 0;
	ssize_t		 len;
	long long	 ts;

	jsonl_init(&j);
	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (len == 1 && line[0] == '\n')
			continue;
		if (jsonl_parse(&j, line, (size_t)len, &err) != 0) {
			bad_line(rp, lineno, err);
			free(err);
			continue;
		}
		for (i = 0; i < j.n; i++) {
			if (j.kv[2 * i].len != 2 ||
			    memcmp(j.kv[2 * i].p, "ts", 2) != 0)
				continue;
			ts = strtoll(j.kv[2 * i + 1].p, &end, 10);
			if (end != j.kv[2 * i + 1].p)
				rp->last_ts = ts;
		}
		entry_init(&e, (struct bytes){ "replay", 6 }, j.kv, j.n,
		    &rp->cfg->limits);
		replay_one(rp, &e, rp->last_ts);
		entry_free(&e);
	}
	free(line);
	jsonl_free(&j);
}

/* One stream entry: its id's time is its event time. */
static void
replay_entry(const char *id, const redisReply *fields, void *arg)
{
	struct replay	*rp = arg;
	struct entry	 e;
	size_t		 f;

	rp->kv = xreallocarray(rp->kv, fields->elements + 1, sizeof *rp->kv);
	for (f = 0; f < fields->elements; f++)
		rp->kv[f] = (struct bytes){ fields->element[f]->str,
		    fields->element[f]->len };
	entry_init(&e, (struct bytes){ id, strlen(id) }, rp->kv,
	    fields->elements / 2, &rp->cfg->limits);
	replay_one(rp, &e, (int64_t)strtoll(id, NULL, 10));
	entry_free(&e);
}

/* The last count entries of stream key, oldest first; 0, or -1. */
static int
replay_stream(struct replay *rp, const char *key, unsigned long count)
{
	redisContext	*rc;
	int		 rc_;

	if ((rc = redis_sync_connect(rp->cfg, "moderatord")) == NULL)
		return -1;
	rc_ = redis_sync_last_entries(rc, "moderatord", key, count,
	    replay_entry, rp);
	redisFree(rc);
	return rc_;
}

/* The tallies of a tree, most first (then by name). */
struct tallies {
	struct tally	**v;
	size_t		  n;
	size_t		  cap;
};

static void
collect(const char *name, void *value, void *arg)
{
	struct tallies	*ts = arg;
	struct tally	*t = value;

	t->name = name;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->v = xreallocarray(ts->v, ts->cap, sizeof *ts->v);
	}
	ts->v[ts->n++] = t;
}

static int
cmp_most(const void *a, const void *b)
{
	const struct tally	*x = *(struct tally *const *)a;
	const struct tally	*y = *(struct tally *const *)b;
	unsigned long		 nx = x->n + x->gained + x->lost;
	unsigned long		 ny = y->n + y->gained + y->lost;

	if (nx != ny)
		return nx < ny ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct tallies
sorted(const struct namemap *m)
{
	struct tallies	ts = { NULL, 0, 0 };

	namemap_each(m, collect, &ts);
	if (ts.n > 1)
		qsort(ts.v, ts.n, sizeof *ts.v, cmp_most);
	return ts;
}

static void
print_examples(const struct tally *t)
{
	size_t	i;

	for (i = 0; i < t->nex && i < EXAMPLES_SHOWN; i++) {
		printf("      %s: \"%s\"", t->ex[i].id, t->ex[i].snippet);
		if (*t->ex[i].match)
			printf("  [matched \"%s\"]", t->ex[i].match);
		putchar('\n');
	}
}

/* The names of rules (of either set) that never fired. */
static void
never_fired(struct replay *rp, json_t *arr)
{
	const struct ruleset	*sets[2] = { rp->old.rs, rp->new.rs };
	const char		*name;
	struct tally		*t;
	size_t			 i, s;
	int			 shown = 0;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < sets[s]->nrules; i++) {
			name = sets[s]->rules[i].name;
			t = tally(&rp->rules, name);
			/* A rule of both sets is listed once. */
			if (t->fired || t->listed)
				continue;
			t->listed = 1;
			if (arr != NULL)
				json_array_append_new(arr, json_string(name));
			else
				printf("%s%s", shown++ ? ", " : "  ", name);
		}
	}
	if (arr == NULL)
		printf("%s\n", shown ? "" : "  (none)");
}

static json_t *
examples_json(const struct tally *t)
{
	json_t	*a = json_array(), *o;
	size_t	 i;

	for (i = 0; i < t->nex; i++) {
		o = json_pack("{s:s, s:s, s:s}", "id", t->ex[i].id, "text",
		    t->ex[i].snippet, "match", t->ex[i].match);
		json_array_append_new(a, o);
	}
	return a;
}

/* Of the judged comments a rule set held, the share moderators removed. */
static double
precision_of(const struct side *s)
{
	unsigned long	held = s->judged[1][0] + s->judged[1][1];

	return held > 0 ? (double)s->judged[1][1] / (double)held : -1;
}

static json_t *
side_json(const struct side *s)
{
	double	p = precision_of(s);

	return json_pack("{s:I, s:I, s:I, s:o}", "held_removed",
	    (json_int_t)s->judged[1][1], "held_approved",
	    (json_int_t)s->judged[1][0], "approved_removed",
	    (json_int_t)s->judged[0][1], "precision", p < 0 ? json_null() :
	    json_real(p));
}

static void
side_text(const char *which, const struct side *s)
{
	double	p = precision_of(s);

	printf("  %s rules held %lu of them (%lu removed, %lu approved by "
	    "moderators)", which, s->judged[1][0] + s->judged[1][1],
	    s->judged[1][1], s->judged[1][0]);
	if (p >= 0)
		printf(": precision %.2f", p);
	printf("; approved %lu that moderators removed\n", s->judged[0][1]);
}

static void
report_json(struct replay *rp)
{
	struct tallies	 tr = sorted(&rp->transitions), ru;
	json_t		*root, *trans, *rules, *never;
	size_t		 i;

	root = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "old_ruleset",
	    rp->old.rs->hash, "new_ruleset", rp->new.rs->hash, "total",
	    (json_int_t)rp->total, "changed", (json_int_t)rp->changed,
	    "malformed", (json_int_t)(rp->malformed + rp->bad_entries),
	    "unreadable", (json_int_t)rp->malformed, "malformed_entries",
	    (json_int_t)rp->bad_entries);
	trans = json_object();
	for (i = 0; i < tr.n; i++)
		json_object_set_new(trans, tr.v[i]->name, json_pack(
		    "{s:I, s:o}", "count", (json_int_t)tr.v[i]->n, "examples",
		    examples_json(tr.v[i])));
	json_object_set_new(root, "transitions", trans);
	ru = sorted(&rp->rules);
	rules = json_object();
	for (i = 0; i < ru.n; i++) {
		json_t	*o = json_pack("{s:I, s:I, s:I, s:I, s:o}", "gained",
		    (json_int_t)ru.v[i]->gained, "lost",
		    (json_int_t)ru.v[i]->lost, "old", (json_int_t)ru.v[i]->old,
		    "new", (json_int_t)ru.v[i]->new, "examples",
		    examples_json(ru.v[i]));

		if (rp->with_verdicts) {
			const unsigned long (*j)[2] = ru.v[i]->judged;

			json_object_set_new(o, "gained_removed",
			    json_integer((json_int_t)j[1][1]));
			json_object_set_new(o, "gained_approved",
			    json_integer((json_int_t)j[1][0]));
			json_object_set_new(o, "lost_removed",
			    json_integer((json_int_t)j[0][1]));
			json_object_set_new(o, "lost_approved",
			    json_integer((json_int_t)j[0][0]));
		}
		json_object_set_new(rules, ru.v[i]->name, o);
	}
	json_object_set_new(root, "rules", rules);
	if (rp->with_verdicts)
		json_object_set_new(root, "verdicts", json_pack("{s:I, s:o, s:o}",
		    "judged", (json_int_t)rp->judged, "old", side_json(&rp->old),
		    "new", side_json(&rp->new)));
	never = json_array();
	never_fired(rp, never);
	json_object_set_new(root, "never_fired", never);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
	free(tr.v);
	free(ru.v);
}

static void
report_text(struct replay *rp)
{
	struct tallies	 tr = sorted(&rp->transitions), ru;
	size_t		 i, shown;

	printf("old rules %s, new rules %s\n", rp->old.rs->hash,
	    rp->new.rs->hash);
	printf("%lu comments replayed, %lu decisions changed (%.1f%%)",
	    rp->total, rp->changed, rp->total ? 100.0 * (double)rp->changed /
	    (double)rp->total : 0.0);
	if (rp->malformed > 0)
		printf("; %lu lines not read (line %lu%s)", rp->malformed,
		    rp->bad_lines[0], rp->malformed > 1 ? " and more: see "
		    "stderr" : "");
	if (rp->bad_entries > 0)
		printf("; %lu malformed comments (decided flag by both)",
		    rp->bad_entries);
	printf("\n");
	if (tr.n > 0)
		printf("\nchanged decisions:\n");
	for (i = 0; i < tr.n; i++) {
		printf("  %-20s %8lu\n", tr.v[i]->name, tr.v[i]->n);
		print_examples(tr.v[i]);
	}
	ru = sorted(&rp->rules);
	printf("\nrules that gain or lose comments:\n");
	for (i = shown = 0; i < ru.n; i++) {
		if (!ru.v[i]->gained && !ru.v[i]->lost)
			continue;
		shown++;
		printf("  %-32s +%lu -%lu\n", ru.v[i]->name, ru.v[i]->gained,
		    ru.v[i]->lost);
		if (rp->with_verdicts)
			printf("      judged: of the %lu gained, %lu removed and "
			    "%lu approved by moderators; of the %lu lost, %lu "
			    "removed and %lu approved\n", ru.v[i]->gained,
			    ru.v[i]->judged[1][1], ru.v[i]->judged[1][0],
			    ru.v[i]->lost, ru.v[i]->judged[0][1],
			    ru.v[i]->judged[0][0]);
		print_examples(ru.v[i]);
	}
	if (shown == 0)
		printf("  (none)\n");
	if (rp->with_verdicts) {
		printf("\nmoderators' verdicts on %lu of the comments:\n",
		    rp->judged);
		side_text("old", &rp->old);
		side_text("new", &rp->new);
	}
	printf("\nrules that never fired in either set:\n");
	never_fired(rp, NULL);
	free(tr.v);
	free(ru.v);
}

static void
tally_clear(void *p)
{
	struct tally	*t = p;
	size_t		 i;

	for (i = 0; i < t->nex; i++) {
		free(t->ex[i].id);
		free(t->ex[i].snippet);
		free(t->ex[i].match);
	}
}

static void
side_free(struct side *s)
{
	namemap_free(&s->windows, mirror_window_clear);
	namemap_free(&s->strikes, mirror_window_clear);
	near_mirror_free(&s->near);
	matcher_free(s->m);
	ruleset_free(s->rs);
}

int
replay_main(const struct config *c, const struct replay_opts *o)
{
	struct replay	rp;
	size_t		i;
	int		rc = 0;

	memset(&rp, 0, sizeof rp);
	rp.cfg = c;
	if ((rp.old.rs = check_load_rules(c, o->old_dir)) == NULL)
		return 1;
	if ((rp.new.rs = check_load_rules(c, NULL)) == NULL) {
		ruleset_free(rp.old.rs);
		return 1;
	}
	rp.old.m = matcher_new(&c->rules);
	rp.new.m = matcher_new(&c->rules);
	rp.old.m->at = rp.new.m->at = o->at;
	rp.progress = isatty(STDERR_FILENO);
	if (o->verdicts != NULL || o->from_verdicts) {
		rp.with_verdicts = 1;
		if (replay_verdicts_load(&rp.verdicts, c, o->verdicts) < 0)
			rc = 1;
	}
	if (rc != 0)
		;
	else if (o->stream != NULL)
		rc = replay_stream(&rp, o->stream, o->count) != 0;
	else
		replay_lines(&rp);
	if (rp.progress && rp.total >= 10000)
		fputc('\n', stderr);
	/* Every rule of either set is reported, zeros included. */
	for (i = 0; i < rp.old.rs->nrules; i++)
		(void)tally(&rp.rules, rp.old.rs->rules[i].name);
	for (i = 0; i < rp.new.rs->nrules; i++)
		(void)tally(&rp.rules, rp.new.rs->rules[i].name);
	if (rc == 0) {
		if (o->json)
			report_json(&rp);
		else
			report_text(&rp);
		if (o->fail_on_change && rp.changed > 0)
			rc = 2;
	}
	namemap_free(&rp.transitions, tally_clear);
	namemap_free(&rp.rules, tally_clear);
	namemap_free(&rp.verdicts, NULL);
	side_free(&rp.old);
	side_free(&rp.new);
	free(rp.kv);
	return rc;
}
