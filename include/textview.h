#ifndef TEXTVIEW_H
#define TEXTVIEW_H

#include <stddef.h>
#include <stdint.h>

/*
 * A view of a text: the text as some normalize stages left it, and for
 * each of its bytes the span of the original text it came from. Spans
 * lie inside the original, never go backwards, and cover whole original
 * characters (an invalid byte is a character of its own), so a match in
 * the view is reported as a span of what the commenter wrote.
 */
struct textview {
	char		*p;		/* NUL-terminated; may hold invalid UTF-8 */
	size_t		 len;
	uint32_t	*start;		/* per byte of p */
	uint32_t	*end;
	size_t		 cap;
};

void	textview_init(struct textview *);
void	textview_free(struct textview *);
void	textview_reserve(struct textview *, size_t);
void	textview_span(const struct textview *, size_t, size_t, size_t *,
	    size_t *);

#endif
