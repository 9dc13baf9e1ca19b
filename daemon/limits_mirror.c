/*
 * The decide script's counting (decide.lua) done in memory, for --replay:
 * rate-limit windows, short and long alike, and escalate rules' strikes;
 * near_text limits are near_mirror.c. A change to the script's rule is a
 * change here: the window cases of tests/window_cases.json run through
 * both (test_limits_mirror, and test_ratelimit against a real Redis).
 */

#include <stdlib.h>
#include <string.h>

#include "limits_mirror.h"
#include "xmalloc.h"

/* Drops entry i of w. */
static void
window_drop(struct window *w, size_t i)
{
	if (w->id != NULL) {
		free(w->id[i]);
		memmove(w->id + i, w->id + i + 1, (w->n - i - 1) *
		    sizeof *w->id);
	}
	memmove(w->t + i, w->t + i + 1, (w->n - i - 1) * sizeof *w->t);
	w->n--;
}

/*
 * Counts event t (of value id, or NULL) in key's window; is it over max
 * in (t - per, +inf)? As the decide script: later events count too, a
 * value counts once at its newest time, and only the newest max + 1 are
 * kept, which is enough to answer exactly.
 */
int
mirror_window_over(struct namemap *windows, const char *key, int64_t t,
    const char *id, uint64_t max, uint64_t per)
{
	struct window	*w = namemap_get(windows, key, sizeof *w);
	size_t		 i, in = 0;
	int		 add = 1;

	for (i = 0; id != NULL && i < w->n; i++) {
		if (strcmp(w->id[i], id) != 0)
			continue;
		if (w->t[i] >= t)
			add = 0;
		else
			window_drop(w, i);
		break;
	}
	if (add) {
		w->t = xreallocarray(w->t, w->n + 1, sizeof *w->t);
		if (id != NULL)
			w->id = xreallocarray(w->id, w->n + 1, sizeof *w->id);
		for (i = w->n; i > 0 && w->t[i - 1] > t; i--) {
			w->t[i] = w->t[i - 1];
			if (id != NULL)
				w->id[i] = w->id[i - 1];
		}
		w->t[i] = t;
		if (id != NULL)
			w->id[i] = xstrdup(id);
		w->n++;
	}
	while (w->n > max + 1)
		window_drop(w, 0);
	for (i = 0; i < w->n; i++)
		in += w->t[i] > t - (int64_t)per;
	return in > max;
}

void
mirror_window_clear(void *p)
{
	struct window	*w = p;
	size_t		 i;

	for (i = 0; w->id != NULL && i < w->n; i++)
		free(w->id[i]);
	free(w->id);
	free(w->t);
}

/*
 * An escalate rule's check at t on key's strikes, as the decide script
 * makes it (decide.lua, count): the step that applies, if any (its
 * strikes in *n); a strike for the comment id if what the other rules
 * decided (pre) is one.
 */
const struct ladder_step *
mirror_ladder(struct namemap *strikes, const struct ladder *lad,
    const char *key, const char *id, int64_t t, enum action pre,
    uint64_t *n)
{
	struct window			*w = namemap_get(strikes, key, sizeof *w);
	const struct ladder_step	*st;
	int64_t				 last = INT64_MIN;
	size_t				 i;

	for (i = 0, *n = 0; i < w->n; i++) {
		*n += w->t[i] > t - (int64_t)lad->decay_ms;
		if (w->t[i] > last)
			last = w->t[i];
	}
	st = *n > 0 ? ladder_step_at(lad, *n, last, t) : NULL;
	if ((pre == ACTION_REJECT && (lad->from & LADDER_FROM_REJECT)) ||
	    (pre == ACTION_FLAG && (lad->from & LADDER_FROM_FLAG))) {
		if (w->id == NULL)
			w->id = xcalloc(1, sizeof *w->id);
		w->t = xreallocarray(w->t, w->n + 1, sizeof *w->t);
		w->id = xreallocarray(w->id, w->n + 1, sizeof *w->id);
		w->t[w->n] = t;
		w->id[w->n++] = xstrdup(id);
		for (i = w->n; i-- > 0;)
			if (w->t[i] <= t - (int64_t)lad->decay_ms)
				window_drop(w, i);
		while (w->n > LADDER_KEEP)
			window_drop(w, 0);
	}
	return st;
}
