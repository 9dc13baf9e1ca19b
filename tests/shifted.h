/*
 * An entry's text moved to a chosen alignment, shared by the prefilter's
 * unit test and its differential test: libhs once dropped literal
 * matches depending on the text's address, and an entry copies what it
 * is given, so the alignment is set on its copy.
 */
#ifndef SHIFTED_H
#define SHIFTED_H

#include <stdlib.h>
#include <string.h>

#include "entry.h"

#define SHIFTED_ALIGN	64

struct shifted {
	char	*buf;		/* SHIFTED_ALIGN-aligned */
	size_t	 cap;
	char	*kept;		/* the entry's own copy, while shifted */
};

/*
 * Points e's text at a copy off bytes past a SHIFTED_ALIGN boundary, in
 * s's buffer (grown as needed); shifted_restore puts e's own back before
 * entry_free. Nothing happens to an entry without a text.
 */
static inline void
shifted_text(struct shifted *s, struct entry *e, size_t off)
{
	struct field	*f;

	s->kept = NULL;
	if (e->text == NULL)
		return;
	f = &e->fields[e->text - e->fields];
	if (f->value_len + SHIFTED_ALIGN + 1 > s->cap) {
		free(s->buf);
		s->cap = (f->value_len + SHIFTED_ALIGN + 1) * 2;
		if (posix_memalign((void **)&s->buf, SHIFTED_ALIGN, s->cap) != 0)
			abort();
	}
	off %= SHIFTED_ALIGN;
	memcpy(s->buf + off, f->value, f->value_len + 1);
	s->kept = f->value;
	f->value = s->buf + off;
}

static inline void
shifted_restore(struct shifted *s, struct entry *e)
{
	if (s->kept != NULL)
		e->fields[e->text - e->fields].value = s->kept;
	s->kept = NULL;
}

#endif
