/*
 * `when:` conditions: { field: 'condition', ... }, all of which must hold.
 * A condition is a comparison ('< 2', '>= 100', '== 3', '!= 0' against a
 * number; '== text' or '!= text' against a string), a bare number (equal
 * to it), or otherwise a regex.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "condition.h"
#include "pattern.h"
#include "xmalloc.h"

static const struct {
	const char	*text;
	enum cond_op	 num_op;
	enum cond_op	 str_op;	/* COND_REGEX: numbers only */
} ops[] = {
	/* Two-character operators first, so "<=" is not read as "<". */
	{ "<=", COND_LE, COND_REGEX },
	{ ">=", COND_GE, COND_REGEX },
	{ "==", COND_EQ_NUM, COND_EQ_STR },
	{ "!=", COND_NE_NUM, COND_NE_STR },
	{ "<", COND_LT, COND_REGEX },
	{ ">", COND_GT, COND_REGEX },
};

static int	parse_number(const char *, size_t, double *);
static int	parse_one(struct diag *, struct yfile *, yaml_node_t *,
		    yaml_node_t *, int, int, struct condition *);

/* A whole string as a finite number, spaces around allowed. */
static int
parse_number(const char *s, size_t len, double *out)
{
	char	*end;
	double	 v;

	if (len == 0 || memchr(s, '\0', len) != NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v))
		return -1;
	while (end < s + len && (*end == ' ' || *end == '\t'))
		end++;
	if (end != s + len)
		return -1;
	*out = v;
	return 0;
}

static int
parse_one(struct diag *d, struct yfile *yf, yaml_node_t *k, yaml_node_t *v,
    int caseless, int jit, struct condition *c)
{
	const char	*s, *rest;
	size_t		 i, len;

	memset(c, 0, sizeof *c);
	if (yfile_want_scalar(d, yf, v, "a condition") != 0)
		return -1;
	s = yfile_scalar(v);
	len = v->data.scalar.length;
	c->field = xstrdup(yfile_scalar(k));
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strncmp(s, ops[i].text, strlen(ops[i].text)) != 0)
			continue;
		rest = s + strlen(ops[i].text);
		while (*rest == ' ')
			rest++;
		if (parse_number(rest, len - (size_t)(rest - s), &c->num) == 0) {
			c->op = ops[i].num_op;
			return 0;
		}
		if (ops[i].str_op == COND_REGEX) {
			yfile_error_at(d, yf, v, (size_t)(rest - s), "expected a "
			    "number after '%s', not '%s'", ops[i].text, rest);
			return -1;
		}
		c->op = ops[i].str_op;
		c->len = len - (size_t)(rest - s);
		c->str = xstrndup(rest, c->len);
		return 0;
	}
	if (parse_number(s, len, &c->num) == 0) {
		c->op = COND_EQ_NUM;
		return 0;
	}
	c->op = COND_REGEX;
	if ((c->re = pattern_compile(d, yf, v, caseless, jit, NULL)) == NULL)
		return -1;
	return 0;
}

/*
 * Parses a when: mapping into an array of conditions (*out, *n), which the
 * caller frees with condition_free_all. Reports every error; -1 if any.
 */
int
condition_parse_when(struct diag *d, struct yfile *yf, yaml_node_t *n,
    int caseless, int jit, struct condition **out, size_t *nout)
{
	yaml_node_pair_t	*p, *q;
	yaml_node_t		*k;
	size_t			 count;
	int			 rc = 0;

	*out = NULL;
	*nout = 0;
	if (n->type != YAML_MAPPING_NODE ||
	    n->data.mapping.pairs.start == n->data.mapping.pairs.top) {
		yfile_error(d, yf, n, "when must be a mapping of fields to "
		    "conditions, such as { author_age_days: '< 2' }");
		return -1;
	}
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	*out = xcalloc(count, sizeof **out);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yfile_node(yf, p->key);
		if (k->type != YAML_SCALAR_NODE || k->data.scalar.length == 0) {
			yfile_error(d, yf, k, "a when key must be a field name");
			rc = -1;
			continue;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			if (strcmp(yfile_scalar(yfile_node(yf, q->key)),
			    yfile_scalar(k)) == 0) {
				yfile_error(d, yf, k, "duplicate field '%s' in "
				    "when", yfile_scalar(k));
				rc = -1;
				break;
			}
		}
		if (q < p)
			continue;
		if (parse_one(d, yf, k, yfile_node(yf, p->value), caseless, jit,
		    &(*out)[*nout]) != 0) {
			free((*out)[*nout].field);
			rc = -1;
			continue;
		}
		(*nout)++;
	}
	return rc;
}

void
condition_free_all(struct condition *c, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(c[i].field);
		free(c[i].str);
		pcre2_code_free(c[i].re);
	}
	free(c);
}

int
condition_eval(const struct condition *c, const struct entry *e,
    pcre2_match_data *md, pcre2_match_context *mctx, int *err)
{
	const struct field	*f;
	double			 v;
	int			 rc;

	if ((f = entry_get(e, c->field)) == NULL)
		return 0;
	switch (c->op) {
	case COND_REGEX:
		rc = pcre2_match(c->re, (PCRE2_SPTR)f->value, f->value_len, 0,
		    0, md, mctx);
		if (rc >= 0)
			return 1;
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		*err = rc;
		return -1;
	case COND_EQ_STR:
	case COND_NE_STR:
		rc = f->value_len == c->len &&
		    memcmp(f->value, c->str, c->len) == 0;
		return c->op == COND_EQ_STR ? rc : !rc;
	default:
		break;
	}
	if (parse_number(f->value, f->value_len, &v) != 0)
		return 0;
	switch (c->op) {
	case COND_EQ_NUM:
		return v == c->num;
	case COND_NE_NUM:
		return v != c->num;
	case COND_LT:
		return v < c->num;
	case COND_LE:
		return v <= c->num;
	case COND_GT:
		return v > c->num;
	case COND_GE:
		return v >= c->num;
	default:
		return 0;
	}
}
