/*
 * libyaml's document API with positions: load a file whole, walk its
 * nodes, and report errors at the line and column a person sees.
 * libyaml marks count from zero; ours, like every editor's, from one.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "yfile.h"

static int	read_whole(const char *, char **, size_t *, struct diag *);
static int	parse(struct yfile *, struct diag *);
static size_t	scalar_source_index(const struct yfile *, const yaml_node_t *,
		    size_t);
static void	vreport(struct diag *, const struct yfile *, size_t, size_t,
		    const char *, va_list) __attribute__((format(printf, 5, 0)));

static int
read_whole(const char *path, char **buf, size_t *len, struct diag *d)
{
	FILE	*f;
	char	*p;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		diag_add(d, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells a file at the limit from a bigger one. */
	p = xmalloc(YAMLFILE_MAX_SIZE + 2);
	n = fread(p, 1, YAMLFILE_MAX_SIZE + 1, f);
	if (ferror(f)) {
		diag_add(d, path, 0, 0, "%s", strerror(errno));
		fclose(f);
		free(p);
		return -1;
	}
	fclose(f);
	if (n > YAMLFILE_MAX_SIZE) {
		diag_add(d, path, 0, 0, "file is larger than %u bytes",
		    YAMLFILE_MAX_SIZE);
		free(p);
		return -1;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

/*
 * Loads path into yf. On failure the diagnostics say why and where, and
 * yf needs no yfile_free (it is safe all the same).
 */
int
yfile_load(struct yfile *yf, const char *path, struct diag *d)
{
	memset(yf, 0, sizeof *yf);
	yf->path = xstrdup(path);
	if (read_whole(path, &yf->src, &yf->len, d) != 0)
		return -1;
	return parse(yf, d);
}

/* Loads len bytes of buf, named name in messages (the fuzzers use it). */
int
yfile_load_mem(struct yfile *yf, const char *name, const char *buf, size_t len,
    struct diag *d)
{
	memset(yf, 0, sizeof *yf);
	yf->path = xstrdup(name);
	if (len > YAMLFILE_MAX_SIZE) {
		diag_add(d, name, 0, 0, "file is larger than %u bytes",
		    YAMLFILE_MAX_SIZE);
		return -1;
	}
	yf->src = xstrndup(buf, len);
	yf->len = len;
	return parse(yf, d);
}

static int
parse(struct yfile *yf, struct diag *d)
{
	yaml_parser_t	 parser;
	yaml_document_t	 extra;
	const char	*path = yf->path;
	size_t		 line, col;
	int		 rc = -1;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yf->src,
	    yf->len);
	if (!yaml_parser_load(&parser, &yf->doc))
		goto parse_error;
	yf->loaded = 1;
	if (yaml_document_get_root_node(&yf->doc) != NULL) {
		if (!yaml_parser_load(&parser, &extra))
			goto parse_error;
		if (yaml_document_get_root_node(&extra) != NULL) {
			diag_add(d, path, extra.start_mark.line + 1,
			    extra.start_mark.column + 1,
			    "only one YAML document is allowed in a file");
			yaml_document_delete(&extra);
			goto out;
		}
		yaml_document_delete(&extra);
	}
	rc = 0;
	goto out;

parse_error:
	if (parser.error == YAML_READER_ERROR) {
		/* A reader error (bad encoding) has an offset, not a mark. */
		diag_add(d, path, 0, 0, "%s at byte %zu",
		    parser.problem ? parser.problem : "cannot read",
		    parser.problem_offset);
	} else {
		line = parser.problem_mark.line + 1;
		col = parser.problem_mark.column + 1;
		/*
		 * libyaml finds some mistakes only where it gives up (an
		 * unclosed quote: at the end of the file); where what it was
		 * reading began is where to look.
		 */
		if (parser.context != NULL &&
		    parser.context_mark.line != parser.problem_mark.line)
			diag_add(d, path, line, col, "%s %s that begins at line "
			    "%zu, column %zu: the mistake is there or after it",
			    parser.problem, parser.context,
			    (size_t)parser.context_mark.line + 1,
			    (size_t)parser.context_mark.column + 1);
		else if (parser.context != NULL)
			diag_add(d, path, line, col, "%s %s", parser.problem,
			    parser.context);
		else
			diag_add(d, path, line, col, "%s",
			    parser.problem ? parser.problem : "bad YAML");
	}
out:
	yaml_parser_delete(&parser);
	return rc;
}

void
yfile_free(struct yfile *yf)
{
	if (yf->loaded)
		yaml_document_delete(&yf->doc);
	free(yf->src);
	free(yf->path);
	memset(yf, 0, sizeof *yf);
}

yaml_node_t *
yfile_root(struct yfile *yf)
{
	return yaml_document_get_root_node(&yf->doc);
}

yaml_node_t *
yfile_node(struct yfile *yf, int id)
{
	return yaml_document_get_node(&yf->doc, id);
}

size_t
yfile_line(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

static void
vreport(struct diag *d, const struct yfile *yf, size_t line, size_t col,
    const char *fmt, va_list ap)
{
	char	*msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	diag_add(d, yf->path, line, col, "%s", msg ? msg : "error");
	free(msg);
}

void
yfile_error(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreport(d, yf, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
	va_end(ap);
}

/*
 * Where byte off of a scalar's value stands in the source. Quoting makes
 * the two differ: '' is one quote, and a double-quoted escape is several
 * source bytes for one value character. A scalar that spans lines is
 * folded by YAML, so its offsets map only to its start.
 */
static size_t
scalar_source_index(const struct yfile *yf, const yaml_node_t *n, size_t off)
{
	const char	*s = yf->src;
	size_t		 i = n->start_mark.index, end = n->end_mark.index, v;
	unsigned long	 cp;
	int		 style = n->data.scalar.style;

	if (memchr(s + i, '\n', end - i) != NULL)
		return n->start_mark.index;
	if (style == YAML_PLAIN_SCALAR_STYLE)
		return i + off;
	if (style != YAML_SINGLE_QUOTED_SCALAR_STYLE &&
	    style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return n->start_mark.index;
	i++;
	for (v = 0; v < off && i < end; ) {
		if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
			i += (s[i] == '\'' && s[i + 1] == '\'') ? 2 : 1;
			v++;
		} else if (s[i] != '\\') {
			i++;
			v++;
		} else if (s[i + 1] == 'x') {
			i += 4;
			v++;
		} else if (s[i + 1] == 'u' || s[i + 1] == 'U') {
			cp = strtoul(s + i + 2, NULL, 16);
			i += s[i + 1] == 'u' ? 6 : 10;
			v += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		} else {
			i += 2;
			v++;
		}
	}
	return i < end ? i : end;
}

/* Reports an error at byte off inside a scalar's value (a regex error). */
void
yfile_error_at(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    size_t off, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 idx, i, col;

	idx = scalar_source_index(yf, n, off);
	col = n->start_mark.column;
	/* Columns count characters, as libyaml's do: skip UTF-8 continuations. */
	for (i = n->start_mark.index; i < idx && i < yf->len; i++)
		if (((unsigned char)yf->src[i] & 0xc0) != 0x80)
			col++;
	va_start(ap, fmt);
	vreport(d, yf, n->start_mark.line + 1, col + 1, fmt, ap);
	va_end(ap);
}

const char *
yfile_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
yfile_want_scalar(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    const char *what)
{
	if (n->type == YAML_SCALAR_NODE)
		return 0;
	yfile_error(d, yf, n, "%s must be a single value, not a %s", what,
	    n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	return -1;
}

int
yfile_bool(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    int *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char	*s;
	size_t		 i;

	if (yfile_want_scalar(d, yf, n, "a boolean") != 0)
		return -1;
	s = yfile_scalar(n);
	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	yfile_error(d, yf, n, "expected true or false, not '%s'", s);
	return -1;
}

int
yfile_uint(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    uint64_t min, uint64_t max, uint64_t *out)
{
	const char		*s;
	char			*end;
	unsigned long long	 v;

	if (yfile_want_scalar(d, yf, n, "a number") != 0)
		return -1;
	s = yfile_scalar(n);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE) {
		yfile_error(d, yf, n, "expected a whole number, not '%s'", s);
		return -1;
	}
	if (v < min || v > max) {
		yfile_error(d, yf, n, "%llu is out of range (%llu to %llu)", v,
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A fraction above 0 and at most 1, such as 0.7: key says what it is. */
int
yfile_fraction(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    const char *key, double *out)
{
	const char	*s;
	char		*end;

	if (yfile_want_scalar(d, yf, n, key) != 0)
		return -1;
	s = yfile_scalar(n);
	*out = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(*out > 0) || *out > 1) {
		yfile_error(d, yf, n, "%s must be a number above 0 and at "
		    "most 1, such as 0.7, not '%s'", key, s);
		return -1;
	}
	return 0;
}

/*
 * A duration with its unit: 500ms, 60s, 10m, 2h, 1d. A bare number is an
 * error: "60" could mean seconds or milliseconds, and a guess is worse.
 */
int
yfile_duration_ms(struct diag *d, const struct yfile *yf, const yaml_node_t *n,
    uint64_t min_ms, uint64_t max_ms, uint64_t *out)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }
	};
	const char		*s;
	char			*end;
	unsigned long long	 v;
	size_t			 i;

	if (yfile_want_scalar(d, yf, n, "a duration") != 0)
		return -1;
	s = yfile_scalar(n);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno == ERANGE || end == s)
		goto bad;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > max_ms / units[i].ms || v * units[i].ms < min_ms) {
			yfile_error(d, yf, n, "duration %s is out of range "
			    "(%llums to %llums)", s, (unsigned long long)min_ms,
			    (unsigned long long)max_ms);
			return -1;
		}
		*out = v * units[i].ms;
		return 0;
	}
bad:
	yfile_error(d, yf, n, "expected a duration such as 500ms, 60s, 10m, "
	    "2h or 1d, not '%s'", s);
	return -1;
}

/* The value of key in mapping map, or NULL. */
yaml_node_t *
yfile_find(struct yfile *yf, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*p;
	const char		*k;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		k = yfile_scalar(yfile_node(yf, p->key));
		if (k != NULL && strcmp(k, key) == 0)
			return yfile_node(yf, p->value);
	}
	return NULL;
}

/*
 * Checks that n is a mapping whose keys are distinct scalars from allowed
 * (a NULL-terminated list). Reports every bad key; -1 if any.
 */
int
yfile_mapping_check(struct diag *d, struct yfile *yf, yaml_node_t *n,
    const char *const *allowed, const char *what)
{
	yaml_node_pair_t	*p, *q;
	yaml_node_t		*k, *k2;
	size_t			 i;
	int			 rc = 0, known;

	if (n->type != YAML_MAPPING_NODE) {
		yfile_error(d, yf, n, "%s must be a mapping of keys to values",
		    what);
		return -1;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yfile_node(yf, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			yfile_error(d, yf, k, "a key of %s must be a plain word",
			    what);
			rc = -1;
			continue;
		}
		known = 0;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(yfile_scalar(k), allowed[i]) == 0)
				known = 1;
		if (!known) {
			yfile_error(d, yf, k, "unknown key '%s' in %s",
			    yfile_scalar(k), what);
			rc = -1;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			k2 = yfile_node(yf, q->key);
			if (k2->type == YAML_SCALAR_NODE &&
			    strcmp(yfile_scalar(k), yfile_scalar(k2)) == 0) {
				yfile_error(d, yf, k, "duplicate key '%s' in %s",
				    yfile_scalar(k), what);
				rc = -1;
				break;
			}
		}
	}
	return rc;
}
