/* Diagnostics: "file:line:column: message" lines collected by the parsers. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "xmalloc.h"

void
diag_init(struct diag *d)
{
	d->lines = NULL;
	d->n = d->cap = 0;
}

void
diag_free(struct diag *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	diag_init(d);
}

static void
diag_push(struct diag *d, char *line)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->lines = xreallocarray(d->lines, d->cap, sizeof *d->lines);
	}
	d->lines[d->n++] = line;
}

void
diag_add(struct diag *d, const char *file, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *full;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		msg = xstrdup("(out of memory formatting a message)");
	if (file == NULL)
		full = msg;
	else {
		if (line != 0 && col != 0)
			xasprintf(&full, "%s:%zu:%zu: %s", file, line, col, msg);
		else if (line != 0)
			xasprintf(&full, "%s:%zu: %s", file, line, msg);
		else
			xasprintf(&full, "%s: %s", file, msg);
		free(msg);
	}
	diag_push(d, full);
}

/* Prints every line to f, each after prefix (say "warning: "). */
void
diag_print(const struct diag *d, FILE *f, const char *prefix)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		fprintf(f, "%s%s\n", prefix, d->lines[i]);
}
