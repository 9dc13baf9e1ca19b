/*
 * A stream entry's field/value pairs -> struct entry, within bounds.
 * Nothing here rejects an entry: what breaks the schema or a bound makes
 * it malformed, and a malformed entry is flagged and acknowledged like any
 * other, so no comment is dropped silently.
 */

#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "xmalloc.h"

static int	name_is(struct bytes, const char *);

void
entry_limits_default(struct entry_limits *l)
{
	l->max_text = ENTRY_DEFAULT_MAX_TEXT;
	l->max_fields = ENTRY_DEFAULT_MAX_FIELDS;
	l->max_field = ENTRY_DEFAULT_MAX_FIELD;
}

static int
name_is(struct bytes b, const char *name)
{
	return b.len == strlen(name) && memcmp(b.p, name, b.len) == 0;
}

const struct bytes *
bytes_field(const struct bytes *kv, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (name_is(kv[2 * i], name))
			return &kv[2 * i + 1];
	return NULL;
}

static void
set_malformed(struct entry *e, const char *why)
{
	if (e->malformed == NULL)
		e->malformed = xstrdup(why);
}

/*
 * Builds e from the stream id sid and n field/value pairs in kv (2n
 * items). Everything is copied: e owns its memory and outlives kv.
 */
void
entry_init(struct entry *e, struct bytes sid, const struct bytes *kv, size_t n,
    const struct entry_limits *lim)
{
	struct field	*f;
	struct bytes	 k, v;
	size_t		 i, j;
	char		*why;

	memset(e, 0, sizeof *e);
	e->stream_id = xstrndup(sid.p, sid.len);
	if (n > lim->max_fields) {
		xasprintf(&why, "%zu fields, more than the limit of %zu", n,
		    lim->max_fields);
		set_malformed(e, why);
		free(why);
	}
	e->fields = xcalloc(n < lim->max_fields ? n : lim->max_fields,
	    sizeof *e->fields);
	for (i = 0; i < n; i++) {
		k = kv[2 * i];
		v = kv[2 * i + 1];
		/*
		 * Past the field limit only id is kept: the decision needs it.
		 * (>=: once a late id is kept, nfields is past the limit.)
		 */
		if (e->nfields >= lim->max_fields) {
			if (!name_is(k, "id"))
				continue;
			e->fields = xreallocarray(e->fields, e->nfields + 1,
			    sizeof *e->fields);
		}
		if (k.len > lim->max_field) {
			set_malformed(e, "a field name is too long");
			continue;
		}
		for (j = 0; j < e->nfields; j++) {
			if (e->fields[j].name_len == k.len &&
			    memcmp(e->fields[j].name, k.p, k.len) == 0)
				break;
		}
		if (j < e->nfields) {
			set_malformed(e, "a field appears twice");
			continue;
		}
		f = &e->fields[e->nfields];
		if (name_is(k, "text") && v.len > lim->max_text) {
			e->too_long = 1;
			e->text_bytes = v.len;
			v.len = 0;
		} else if (!name_is(k, "text") && v.len > lim->max_field) {
			xasprintf(&why, "field '%.*s' is longer than %zu bytes",
			    (int)(k.len > 64 ? 64 : k.len), k.p, lim->max_field);
			set_malformed(e, why);
			free(why);
			if (name_is(k, "id"))
				continue;
			v.len = 0;
		}
		f->name = xstrndup(k.p, k.len);
		f->name_len = k.len;
		f->value = xstrndup(v.p, v.len);
		f->value_len = v.len;
		e->nfields++;
	}
	e->id = entry_get(e, "id");
	e->text = entry_get(e, "text");
	if (e->text != NULL && !e->too_long)
		e->text_bytes = e->text->value_len;
	if (e->id == NULL && e->text == NULL)
		set_malformed(e, "no id and no text field");
	else if (e->id == NULL)
		set_malformed(e, "no id field");
	else if (e->text == NULL)
		set_malformed(e, "no text field");
	else if (e->id->value_len == 0)
		set_malformed(e, "empty id");
}

/* An entry whose fields are gone (deleted from the stream while pending). */
void
entry_init_missing(struct entry *e, struct bytes sid, const char *why)
{
	memset(e, 0, sizeof *e);
	e->stream_id = xstrndup(sid.p, sid.len);
	e->malformed = xstrdup(why);
}

void
entry_free(struct entry *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nfields; i++) {
		free(e->fields[i].name);
		free(e->fields[i].value);
	}
	free(e->fields);
	free(e->stream_id);
	free(e->malformed);
	memset(e, 0, sizeof *e);
}

/* The first field called name, or NULL. Names with NULs never match. */
const struct field *
entry_get(const struct entry *e, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < e->nfields; i++)
		if (e->fields[i].name_len == len &&
		    memcmp(e->fields[i].name, name, len) == 0)
			return &e->fields[i];
	return NULL;
}
