/*
 * The invariants of a normalised view's offset map, shared by the unit
 * tests and the fuzzers: every byte's span lies inside the original,
 * spans never go backwards, and each starts and ends at a boundary of
 * the original's characters (an invalid byte is one).
 */
#ifndef VIEWCHECK_H
#define VIEWCHECK_H

#include <stdlib.h>

#include <unistr.h>

#include "textview.h"

/* 0 if v's map of in (len bytes) holds; else 1 + the first bad byte. */
static inline size_t
viewcheck(const char *in, size_t len, const struct textview *v)
{
	unsigned char	*boundary = calloc(len + 1, 1);
	ucs4_t		 uc;
	size_t		 i = 0, bad = 0;
	int		 k;

	if (boundary == NULL)
		abort();
	while (i < len) {
		boundary[i] = 1;
		k = u8_mbtoucr(&uc, (const uint8_t *)in + i, len - i);
		i += k > 0 ? (size_t)k : 1;
	}
	boundary[len] = 1;
	for (i = 0; i < v->len && bad == 0; i++) {
		if (v->start[i] >= v->end[i] || v->end[i] > len ||
		    !boundary[v->start[i]] || !boundary[v->end[i]] ||
		    (i > 0 && (v->start[i] < v->start[i - 1] ||
		    v->end[i] < v->end[i - 1])))
			bad = i + 1;
	}
	if (bad == 0 && v->p[v->len] != '\0')
		bad = v->len + 1;
	free(boundary);
	return bad;
}

#endif
