/*
 * Word lists of rules: words_file (one entry a line, '#' starts a
 * comment, the path relative to the rules directory) and words lists too
 * long for one regex. Each entry is folded as the view it is looked for
 * in (the caller's stages: normalize's, case, spaces), then the list is
 * compiled (wordlist.c). Errors in a words_file are reported at its own
 * file:line.
 */

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#include "lexicon.h"
#include "normalize.h"
#include "rules_list.h"
#include "xmalloc.h"

/* Entries being gathered, folded. */
struct entries {
	char		**s;
	size_t		 *len;
	size_t		  n;
	struct textview	  view;
	struct rules_list_seen *seen;
};

static void
entries_free(struct entries *e)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		free(e->s[i]);
	free(e->s);
	free(e->len);
	textview_free(&e->view);
}

/* Adds entry s folded by stages; -1 (and why in *why) if it cannot be. */
static int
entry_add(struct entries *e, const char *s, size_t len, unsigned stages,
    struct normalizer *nz, const char **why)
{
	size_t	i;

	if (len > RULES_LIST_ENTRY_MAX) {
		*why = "an entry longer than 1024 bytes";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t') {
			*why = "a control character in an entry";
			return -1;
		}
	}
	e->seen->scripts |= normalize_scripts(s, len, 0);
	if (e->seen->lexicon != NULL)
		lexicon_add_text(e->seen->lexicon, s, len);
	normalize_view(nz, s, len, stages, &e->view);
	if (e->view.len == 0) {
		*why = "an entry that is empty once normalised";
		return -1;
	}
	if (e->n % 1024 == 0) {
		e->s = xreallocarray(e->s, e->n + 1024, sizeof *e->s);
		e->len = xreallocarray(e->len, e->n + 1024, sizeof *e->len);
	}
	e->s[e->n] = xstrndup(e->view.p, e->view.len);
	e->len[e->n++] = e->view.len;
	return 0;
}

static struct wordlist *
compile(struct diag *d, struct yfile *yf, yaml_node_t *n, struct entries *e)
{
	struct wordlist	*wl;
	char		*err;

	if ((wl = wordlist_new(e->s, e->len, e->n, &err)) == NULL) {
		yfile_error(d, yf, n, "%s", err);
		free(err);
	}
	entries_free(e);
	return wl;
}

/* words: [...] too long for one regex. */
struct wordlist *
rules_list_words(struct diag *d, struct yfile *yf, yaml_node_t *n,
    unsigned stages, struct normalizer *nz, struct rules_list_seen *seen)
{
	struct entries		 e;
	yaml_node_item_t	*it;
	yaml_node_t		*w;
	const char		*why;
	int			 bad = 0;

	memset(&e, 0, sizeof e);
	e.seen = seen;
	textview_init(&e.view);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		w = yfile_node(yf, *it);
		if (yfile_want_scalar(d, yf, w, "a word") != 0) {
			bad = 1;
			continue;
		}
		if (entry_add(&e, yfile_scalar(w), w->data.scalar.length,
		    stages, nz, &why) != 0) {
			yfile_error(d, yf, w, "%s", why);
			bad = 1;
		}
	}
	if (bad) {
		entries_free(&e);
		return NULL;
	}
	return compile(d, yf, n, &e);
}

/*
 * words_file: PATH, relative to the directory of rulefile. Its entries
 * go into hash (the ruleset's), so that an edit of the list changes it.
 */
struct wordlist *
rules_list_file(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct sha256_ctx *hash, const char *rulefile, unsigned stages,
    struct normalizer *nz, struct rules_list_seen *seen)
{
	struct entries	 e;
	struct stat	 sb;
	const char	*name, *why;
	char		*dir, *path, *line = NULL, *p, *q;
	size_t		 cap = 0, lineno = 0, before = d->n;
	ssize_t		 len;
	FILE		*f;

	if (yfile_want_scalar(d, yf, n, "a file name") != 0)
		return NULL;
	name = yfile_scalar(n);
	if (*name == '\0') {
		yfile_error(d, yf, n, "words_file must name a file");
		return NULL;
	}
	dir = xstrdup(rulefile);
	if (*name == '/')
		path = xstrdup(name);
	else
		xasprintf(&path, "%s/%s", dirname(dir), name);
	free(dir);
	if ((f = fopen(path, "r")) == NULL || fstat(fileno(f), &sb) != 0) {
		yfile_error(d, yf, n, "cannot read %s: %s", path,
		    strerror(errno));
		if (f != NULL)
			fclose(f);
		free(path);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)RULES_LIST_FILE_MAX) {
		yfile_error(d, yf, n, "%s: not a file of at most 64 MiB", path);
		fclose(f);
		free(path);
		return NULL;
	}
	memset(&e, 0, sizeof e);
	e.seen = seen;
	textview_init(&e.view);
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((p = memchr(line, '#', (size_t)len)) != NULL)
			len = p - line;
		for (p = line; p < line + len && (*p == ' ' || *p == '\t' ||
		    *p == '\r' || *p == '\n'); p++)
			;
		for (q = line + len; q > p && (q[-1] == ' ' || q[-1] == '\t' ||
		    q[-1] == '\r' || q[-1] == '\n'); q--)
			;
		if (q == p)
			continue;
		sha256_update(hash, (size_t)(q - p), (const uint8_t *)p);
		sha256_update(hash, 1, (const uint8_t *)"\n");
		if (e.n == RULES_LIST_MAX) {
			diag_add(d, path, lineno, 0, "more than 1,000,000 "
			    "entries");
			break;
		}
		if (entry_add(&e, p, (size_t)(q - p), stages, nz, &why) != 0)
			diag_add(d, path, lineno, 0, "%s", why);
	}
	free(line);
	fclose(f);
	if (e.n == 0 && d->n == before)
		yfile_error(d, yf, n, "%s holds no entry", path);
	free(path);
	if (d->n != before) {
		entries_free(&e);
		return NULL;
	}
	return compile(d, yf, n, &e);
}
