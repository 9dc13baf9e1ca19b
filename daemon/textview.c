/* Views of a text and their offset maps: see textview.h. */

#include <stdlib.h>
#include <string.h>

#include "textview.h"
#include "xmalloc.h"

void
textview_init(struct textview *v)
{
	memset(v, 0, sizeof *v);
}

void
textview_free(struct textview *v)
{
	free(v->p);
	free(v->start);
	free(v->end);
	textview_init(v);
}

/* Room for n bytes and the NUL; what is there may be lost. */
void
textview_reserve(struct textview *v, size_t n)
{
	if (n + 1 <= v->cap)
		return;
	v->cap = (n + 1) * 2;
	free(v->p);
	free(v->start);
	free(v->end);
	v->p = xmalloc(v->cap);
	v->start = xcalloc(v->cap, sizeof *v->start);
	v->end = xcalloc(v->cap, sizeof *v->end);
}

/*
 * The original span of view bytes [vs, ve): from where the first came
 * from to where the last did. An empty match maps to an empty span at
 * its place; at the view's end, after the last byte's span.
 */
void
textview_span(const struct textview *v, size_t vs, size_t ve, size_t *os,
    size_t *oe)
{
	if (vs < v->len)
		*os = v->start[vs];
	else
		*os = v->len > 0 ? v->end[v->len - 1] : 0;
	if (ve > vs && ve <= v->len)
		*oe = v->end[ve - 1];
	else
		*oe = *os;
}
