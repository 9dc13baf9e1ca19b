/* One XREADGROUP reply's worth of entries: decide them, then log them. */

#include <stdlib.h>
#include <time.h>

#include "batch.h"
#include "daemon.h"
#include "modlog.h"
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
	free(b->items);
	free(b);
}

/*
 * Decides every entry with the rules in force now. The hits are dropped at
 * once: they point into the ruleset, which a reload may free before the
 * batch is written. What is kept (names, reason) is copied.
 */
void
batch_decide(struct daemon *dm, struct batch *b)
{
	struct decision	*d;
	size_t		 i;

	for (i = 0; i < b->n; i++) {
		d = &b->items[i].decision;
		decide(dm->matcher, dm->rules, &b->items[i].entry,
		    dm->cfg.default_action, d);
		free(d->hits);
		d->hits = NULL;
		d->nhits = 0;
	}
}

/*
 * The decide script answered: written[i] is 1 where entry i was decided
 * and acknowledged, 0 where it was no longer pending for this consumer
 * (another consumer claimed and decided it).
 */
void
batch_logged(struct daemon *dm, const struct batch *b, const long long *written,
    size_t n)
{
	const struct batch_item	*it;
	uint64_t		 latency = monotonic_us() - b->read_us;
	size_t			 i;

	for (i = 0; i < b->n && i < n; i++) {
		it = &b->items[i];
		if (!written[i]) {
			log_debug(&dm->log, "%s: entry %s was no longer pending "
			    "for this consumer; its decision was not written",
			    __func__, it->entry.stream_id);
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
