/*
 * near_text limits counted in memory exactly as the decide script counts
 * them in Redis (decide.lua: near_over and short_insert), for --replay.
 * A change to one is a change to both: test_replay drives the same
 * brigade through each.
 */

#include <stdlib.h>
#include <string.h>

#include "near_mirror.h"
#include "ratelimit.h"
#include "xmalloc.h"

struct near_bucket {
	int64_t		*t;
	size_t		*rec;
	size_t		 n;
};

void
near_mirror_init(struct near_mirror *nm)
{
	memset(nm, 0, sizeof *nm);
}

static void
bucket_clear(void *p)
{
	struct near_bucket	*b = p;

	free(b->t);
	free(b->rec);
}

void
near_mirror_free(struct near_mirror *nm)
{
	size_t	i;

	namemap_free(&nm->buckets, bucket_clear);
	for (i = 0; i < nm->nrecs; i++)
		free(nm->recs[i].id);
	free(nm->recs);
	near_mirror_init(nm);
}

static void
bucket_drop(struct near_bucket *b, size_t i)
{
	memmove(b->t + i, b->t + i + 1, (b->n - i - 1) * sizeof *b->t);
	memmove(b->rec + i, b->rec + i + 1, (b->n - i - 1) * sizeof *b->rec);
	b->n--;
}

/*
 * Puts record r (time t, identity id or NULL) into b: after every entry no
 * newer, a value already there (by its identity's first 8 characters, as
 * the script keeps it) kept at its newest time, the newest
 * RATELIMIT_NEAR_KEEP kept.
 */
static void
bucket_insert(struct near_mirror *nm, struct near_bucket *b, size_t r,
    int64_t t, const char *id)
{
	size_t	i;

	for (i = 0; id != NULL && i < b->n; i++) {
		if (strncmp(nm->recs[b->rec[i]].id, id, 8) != 0)
			continue;
		if (b->t[i] >= t)
			return;
		bucket_drop(b, i);
		break;
	}
	b->t = xreallocarray(b->t, b->n + 1, sizeof *b->t);
	b->rec = xreallocarray(b->rec, b->n + 1, sizeof *b->rec);
	for (i = b->n; i > 0 && b->t[i - 1] > t; i--) {
		b->t[i] = b->t[i - 1];
		b->rec[i] = b->rec[i - 1];
	}
	b->t[i] = t;
	b->rec[i] = r;
	b->n++;
	while (b->n > RATELIMIT_NEAR_KEEP)
		bucket_drop(b, 0);
}

static int
seen(const size_t *list, size_t n, size_t r)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (list[i] == r)
			return 1;
	return 0;
}

/*
 * Counts a comment at t with signature sig (and identity id, for a
 * distinct limit) under near_text key; is it over max: more than max
 * comments (values) in (t - per, +inf) found in its buckets, itself
 * included, with at least need of NEARDUP_K values equal to its own?
 */
int
near_mirror_over(struct near_mirror *nm, const char *key,
    const struct neardup_sig *sig, const char *id, int64_t t, uint64_t max,
    uint64_t per, unsigned need)
{
	const struct near_record *r;
	struct near_bucket	*b;
	size_t			*found = NULL, nfound = 0, i, j, k, me, n = 1;
	const char		**ids;
	char			*field;

	if (nm->nrecs == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 64;
		nm->recs = xreallocarray(nm->recs, nm->cap, sizeof *nm->recs);
	}
	me = nm->nrecs++;
	nm->recs[me].sig = *sig;
	nm->recs[me].id = id != NULL ? xstrdup(id) : NULL;
	for (i = 0; i < NEARDUP_BANDS; i++) {
		field = ratelimit_band_field(key, i, neardup_band(sig, i));
		b = namemap_get(&nm->buckets, field, sizeof *b);
		free(field);
		for (j = 0; j < b->n; j++) {
			if (b->t[j] <= t - (int64_t)per ||
			    seen(found, nfound, b->rec[j]))
				continue;
			found = xreallocarray(found, nfound + 1, sizeof *found);
			found[nfound++] = b->rec[j];
		}
		bucket_insert(nm, b, me, t, id);
	}
	ids = xreallocarray(NULL, nfound + 1, sizeof *ids);
	ids[0] = id;
	for (i = 0; i < nfound; i++) {
		r = &nm->recs[found[i]];
		if (neardup_same(&r->sig, sig) < need)
			continue;
		if (id == NULL) {
			n++;
			continue;
		}
		for (k = 0; k < n && strcmp(ids[k], r->id) != 0; k++)
			;
		if (k == n)
			ids[n++] = r->id;
	}
	free(ids);
	free(found);
	return n > max;
}
