/* JSON lines of comments (jansson), for --profile and replays. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonl.h"
#include "xmalloc.h"

void
jsonl_init(struct jsonl *j)
{
	memset(j, 0, sizeof *j);
}

static void
forget(struct jsonl *j)
{
	size_t	i;

	for (i = 0; i < j->nowned; i++)
		free(j->owned[i]);
	j->nowned = 0;
	j->n = 0;
}

void
jsonl_free(struct jsonl *j)
{
	forget(j);
	free(j->owned);
	free(j->kv);
	jsonl_init(j);
}

static void
add(struct jsonl *j, const char *name, char *value, size_t len)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 16;
		j->kv = xreallocarray(j->kv, 2 * j->cap, sizeof *j->kv);
		j->owned = xreallocarray(j->owned, 2 * j->cap,
		    sizeof *j->owned);
	}
	j->owned[j->nowned++] = xstrdup(name);
	j->owned[j->nowned++] = value;
	j->kv[2 * j->n] = (struct bytes){ j->owned[j->nowned - 2],
	    strlen(name) };
	j->kv[2 * j->n + 1] = (struct bytes){ value, len };
	j->n++;
}

/*
 * Parses line (len bytes) into j's fields: 0, or -1 with *err (allocated)
 * saying why the line is not an object of plain values.
 */
int
jsonl_parse(struct jsonl *j, const char *line, size_t len, char **err)
{
	json_error_t	 jerr;
	json_t		*o, *v;
	const char	*k;
	char		*s;

	forget(j);
	if ((o = json_loadb(line, len, JSON_ALLOW_NUL, &jerr)) == NULL) {
		xasprintf(err, "not JSON: %s (column %d)", jerr.text,
		    jerr.column);
		return -1;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		xasprintf(err, "not a JSON object");
		return -1;
	}
	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			add(j, k, xstrndup(json_string_value(v),
			    json_string_length(v)), json_string_length(v));
		else if (json_is_integer(v)) {
			xasprintf(&s, "%lld", (long long)json_integer_value(v));
			add(j, k, s, strlen(s));
		} else if (json_is_real(v)) {
			xasprintf(&s, "%.17g", json_real_value(v));
			add(j, k, s, strlen(s));
		} else if (json_is_boolean(v)) {
			s = xstrdup(json_is_true(v) ? "true" : "false");
			add(j, k, s, strlen(s));
		} else if (!json_is_null(v)) {
			json_decref(o);
			xasprintf(err, "field '%s' is not a string, number or "
			    "boolean", k);
			return -1;
		}
	}
	json_decref(o);
	return 0;
}
