/* One XREADGROUP reply's worth of entries: decide them, then log them. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "daemon.h"
#include "modlog.h"
#include "ratelimit.h"
#include "xmalloc.h"

uint64_t
monotonic_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

struct batch *
batch_new(size_t n)
{
	struct batch	*b;

	b = xcalloc(1, sizeof *b);
	b->items = xcalloc(n, sizeof *b->items);
	b->read_us = monotonic_us();
	return b;
}

void
batch_free(struct batch *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		entry_free(&b->items[i].entry);
		decision_free(&b->items[i].decision);
	}
	for (i = 0; i < b->ndescs; i++) {
		free(b->descs[i].name);
		free(b->descs[i].reason);
	}
	free(b->descs);
	free(b->items);
	free(b);
}

/* The batch's copy of rate-limit rule r: its index in b->descs. */
static size_t
desc_of(struct batch *b, const struct rule *r)
{
	struct rl_desc	*d;
	size_t		 i;

	for (i = 0; i < b->ndescs; i++)
		if (b->descs[i].order == r->index)
			return i;
	b->descs = xreallocarray(b->descs, b->ndescs + 1, sizeof *b->descs);
	d = &b->descs[b->ndescs];
	d->name = xstrdup(r->name);
	d->reason = xstrdup(r->reason);
	d->action = (int)r->action;
	d->shadow = r->shadow;
	d->max = r->limit->max;
	d->per_ms = r->limit->per_ms;
	d->order = r->index;
	return b->ndescs++;
}

/*
 * Decides every entry with the rules in force now. Nothing of the ruleset
 * is kept: hits are dropped and rate-limit checks point at the batch's own
 * copies of their rules, for a reload may free the ruleset before the
 * batch is written.
 */
void
batch_decide(struct daemon *dm, struct batch *b)
{
	struct decision	*d;
	size_t		 i, j;

	for (i = 0; i < b->n; i++) {
		d = &b->items[i].decision;
		if (b->items[i].poison) {
			/* It may be what crashed us: the script dead-letters it. */
			memset(d, 0, sizeof *d);
			d->action = ACTION_FLAG;
			d->order = SIZE_MAX;
			d->rules = xstrdup("");
			d->shadow = xstrdup("");
			d->reason = xstrdup("delivered too often");
			log_warnx(&dm->log, "not deciding entry %s: delivered more "
			    "than %u times", b->items[i].entry.stream_id,
			    dm->cfg.max_deliveries);
			continue;
		}
		decide(dm->matcher, dm->rules, &b->items[i].entry,
		    dm->cfg.default_action, d);
		if (d->slow_rule != NULL)
			log_warnx(&dm->log, "rule %s took %.1f ms on entry %s "
			    "(%zu bytes of text): check its pattern",
			    d->slow_rule->name, (double)d->slow_ns / 1e6,
			    b->items[i].entry.stream_id,
			    b->items[i].entry.text_bytes);
		d->slow_rule = NULL;
		free(d->hits);
		d->hits = NULL;
		d->nhits = 0;
		for (j = 0; j < d->nchecks; j++) {
			d->checks[j].desc = desc_of(b, d->checks[j].rule);
			d->checks[j].rule = NULL;
		}
		b->nchecks += d->nchecks;
	}
}

/*
 * The decide script answered with each entry's fate; a written entry's
 * decision, as the script settled it, is in its item.
 */
void
batch_logged(struct daemon *dm, const struct batch *b,
    const enum item_fate *fate)
{
	const struct batch_item	*it;
	uint64_t		 latency = monotonic_us() - b->read_us;
	size_t			 i;

	for (i = 0; i < b->n; i++) {
		it = &b->items[i];
		if (fate[i] == FATE_GONE) {
			log_debug(&dm->log, "%s: entry %s was no longer pending "
			    "for this consumer; its decision was not written",
			    __func__, it->entry.stream_id);
			continue;
		}
		if (fate[i] == FATE_DEAD) {
			dm->count.dead_lettered++;
			log_warnx(&dm->log, "entry %s was delivered more than %u "
			    "times: moved to %s with its fields, and "
			    "acknowledged", it->entry.stream_id,
			    dm->cfg.max_deliveries, dm->cfg.dead_letter_stream);
			continue;
		}
		dm->count.decided[it->decision.action]++;
		if (it->entry.malformed != NULL || it->entry.too_long)
			dm->count.malformed++;
		dm->count.rule_errors += it->decision.errors;
		modlog_decision(&dm->log, &it->entry, &it->decision, latency);
	}
	dm->count.batches++;
	logger_flush(&dm->log);
}
