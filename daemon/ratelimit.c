/*
 * Rate-limit rules: what a limit counts by (its key) and how the key of a
 * comment is made. The counting itself happens in Redis, in the decide
 * script (decide.lua), so that a comment is counted exactly when its
 * decision is written and acknowledged.
 *
 * A key is "<rule>:<fields>" ("<rule>:d:<fields>" if it counts distinct
 * values, so that its windows never meet those of the rule before such an
 * edit): each key field's value with its length in front (so no two
 * different lists of values can make one key). The
 * text field is folded first (a view of the text under
 * RATELIMIT_TEXT_STAGES, normalize.c) and a key with text in it, or
 * longer than RATELIMIT_KEY_RAW_MAX, or with bytes that are not printable
 * ASCII, is replaced by a SHA-256 digest: keys stay short, and no comment
 * text is kept in Redis. A near_text limit's key is "<rule>:n:<fields>"
 * (the fields besides near_text): its windows are that key's band
 * buckets (ratelimit_band_field).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "ladder.h"
#include "neardup.h"
#include "ratelimit.h"
#include "xmalloc.h"

static const char *const rl_keys[] = { "key", "max", "per", "distinct",
	"similarity", NULL };

static int
add_field(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct rate_limit *rl)
{
	size_t	i;

	if (yfile_want_scalar(d, yf, n, "a key field") != 0)
		return -1;
	if (n->data.scalar.length == 0) {
		yfile_error(d, yf, n, "a key field name must not be empty");
		return -1;
	}
	if (strcmp(yfile_scalar(n), "near_text") == 0) {
		if (rl->near) {
			yfile_error(d, yf, n, "key field 'near_text' given twice");
			return -1;
		}
		rl->near = 1;
		return 0;
	}
	for (i = 0; i < rl->nfields; i++) {
		if (strcmp(rl->fields[i], yfile_scalar(n)) == 0) {
			yfile_error(d, yf, n, "key field '%s' given twice",
			    yfile_scalar(n));
			return -1;
		}
	}
	rl->fields = xreallocarray(rl->fields, rl->nfields + 1,
	    sizeof *rl->fields);
	rl->fields[rl->nfields++] = xstrdup(yfile_scalar(n));
	return 0;
}

/* A key: a field, or a list of fields, into rl. */
int
ratelimit_parse_key(struct diag *d, struct yfile *yf, yaml_node_t *v,
    struct rate_limit *rl)
{
	yaml_node_item_t	*it;
	int			 rc = 0;

	if (v->type != YAML_SEQUENCE_NODE)
		return add_field(d, yf, v, rl);
	if (v->data.sequence.items.start == v->data.sequence.items.top) {
		yfile_error(d, yf, v, "the key list is empty");
		rc = -1;
	}
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++)
		if (add_field(d, yf, yfile_node(yf, *it), rl) != 0)
			rc = -1;
	return rc;
}

/* Parses a rate_limit: mapping. Every error goes to d; -1 if any. */
int
ratelimit_parse(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct rate_limit *rl)
{
	yaml_node_t		*v;
	int			 rc = 0;

	memset(rl, 0, sizeof *rl);
	rl->text_view = SIZE_MAX;
	rl->similarity = RATELIMIT_SIMILARITY;
	if (yfile_mapping_check(d, yf, n, rl_keys, "rate_limit") != 0) {
		if (n->type != YAML_MAPPING_NODE)
			return -1;
		rc = -1;
	}
	if ((v = yfile_find(yf, n, "key")) == NULL) {
		yfile_error(d, yf, n, "rate_limit needs a key: a field, such as "
		    "author, or a list of fields");
		rc = -1;
	} else if (ratelimit_parse_key(d, yf, v, rl) != 0)
		rc = -1;

	if ((v = yfile_find(yf, n, "max")) == NULL) {
		yfile_error(d, yf, n, "rate_limit needs max: how many comments "
		    "are allowed per window");
		rc = -1;
	} else if (yfile_uint(d, yf, v, 0, RATELIMIT_MAX_MAX, &rl->max) != 0)
		rc = -1;
	if ((v = yfile_find(yf, n, "per")) == NULL) {
		yfile_error(d, yf, n, "rate_limit needs per: the window, such "
		    "as 60s or 10m");
		rc = -1;
	} else if (yfile_duration_ms(d, yf, v, 1, RATELIMIT_MAX_PER_MS,
	    &rl->per_ms) != 0)
		rc = -1;
	if ((v = yfile_find(yf, n, "distinct")) != NULL) {
		if (yfile_want_scalar(d, yf, v, "distinct: a field") != 0)
			rc = -1;
		else if (v->data.scalar.length == 0) {
			yfile_error(d, yf, v, "distinct needs a field name, such "
			    "as author");
			rc = -1;
		} else
			rl->distinct = xstrdup(yfile_scalar(v));
	}
	if ((v = yfile_find(yf, n, "similarity")) != NULL) {
		if (!rl->near) {
			yfile_error(d, yf, v, "similarity is for key: near_text "
			    "(how alike two texts must be to count together)");
			rc = -1;
		} else if (yfile_fraction(d, yf, v, "similarity",
		    &rl->similarity) != 0)
			rc = -1;
	}
	if (rl->near && rl->max > RATELIMIT_SHORT_MAX) {
		yfile_error(d, yf, n, "a near_text limit's max is at most %d",
		    RATELIMIT_SHORT_MAX);
		rc = -1;
	}
	return rc;
}

/*
 * How many of two signatures' NEARDUP_K values must be equal for their
 * estimated similarity to reach the limit's: at least 1.
 */
unsigned
ratelimit_near_need(const struct rate_limit *rl)
{
	unsigned	need = 1;

	while (need < NEARDUP_K &&
	    (double)need / NEARDUP_K < rl->similarity - 1e-9)
		need++;
	return need;
}

/*
 * The field of band b (value v) of a near_text limit's key, in its period
 * hashes: the key without "<rule>:", then the band's number and 32 bits
 * of its value in hex (a fixed length, so no two keys' fields meet).
 * Two texts sharing a band's 32 bits by chance only make a candidate,
 * which their signatures then tell apart. The caller frees it.
 */
char *
ratelimit_band_field(const char *key, size_t b, uint64_t v)
{
	char	*s;

	xasprintf(&s, "%s%zx%08lx", ratelimit_field(key), b,
	    (unsigned long)(uint32_t)(v ^ v >> 32));
	return s;
}

void
ratelimit_clear(struct rate_limit *rl)
{
	size_t	i;

	for (i = 0; i < rl->nfields; i++)
		free(rl->fields[i]);
	free(rl->fields);
	free(rl->distinct);
	ladder_free(rl->ladder);
	memset(rl, 0, sizeof *rl);
}

/*
 * Are rl's windows short, fields of period hashes, rather than sorted
 * sets? Those of a limit with max up to RATELIMIT_SHORT_MAX are; an
 * escalate rule's strikes never are.
 */
int
ratelimit_short(const struct rate_limit *rl)
{
	return rl->ladder == NULL && rl->max <= RATELIMIT_SHORT_MAX;
}

/* Is the text one of the key's fields, or what is counted distinct? */
int
ratelimit_has_text(const struct rate_limit *rl)
{
	size_t	i;

	for (i = 0; i < rl->nfields; i++)
		if (strcmp(rl->fields[i], "text") == 0)
			return 1;
	return rl->near || (rl->distinct != NULL &&
	    strcmp(rl->distinct, "text") == 0);
}

/* The first nbytes of p's SHA-256 digest as hex digits into out. */
static void
digest_hex(const char *p, size_t len, size_t nbytes, char *out)
{
	struct sha256_ctx	ctx;
	uint8_t			digest[SHA256_DIGEST_SIZE];
	size_t			i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)p);
	sha256_digest(&ctx, sizeof digest, digest);
	for (i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/*
 * The identity of e's value of the field counted distinct (folded, if it
 * is the text): RATELIMIT_ID_LEN hex digits of its digest, 64 bits, so
 * that two values share one by chance once in 2^32 windows of 2^16
 * values. NULL if e has no such value (it does not count). The caller
 * frees it.
 */
char *
ratelimit_identity(const struct rate_limit *rl, const struct entry *e,
    const struct textview *folded)
{
	const struct field	*f;
	const char		*p;
	char			*id;
	size_t			 len;

	if (strcmp(rl->distinct, "text") == 0) {
		if (folded == NULL || folded->len == 0)
			return NULL;
		p = folded->p;
		len = folded->len;
	} else {
		if ((f = entry_get(e, rl->distinct)) == NULL ||
		    f->value_len == 0)
			return NULL;
		p = f->value;
		len = f->value_len;
	}
	id = xmalloc(RATELIMIT_ID_LEN + 1);
	digest_hex(p, len, RATELIMIT_ID_LEN / 2, id);
	return id;
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char	num[24];
	int	k;

	k = snprintf(num, sizeof num, "%zu:", n);
	if (*len + (size_t)k + n + 1 > *cap) {
		*cap = (*len + (size_t)k + n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, num, (size_t)k);
	memcpy(*buf + *len + k, s, n);
	*len += (size_t)k + n;
	(*buf)[*len] = '\0';
}

/*
 * The key that comment e counts under for the rule named rule, without the
 * configured prefix; NULL if e lacks a key field (or has it empty), or its
 * text folds to nothing (a comment of only emoji or punctuation is not a
 * duplicate of every other such comment). folded is e's text view under
 * RATELIMIT_TEXT_STAGES, when the key has text in it. The caller frees
 * the key.
 */
char *
ratelimit_key(const struct rate_limit *rl, const char *rule,
    const struct entry *e, const struct textview *folded)
{
	const struct field	*f;
	char			*buf = xstrdup(""), *key;
	const char		*d = rl->distinct != NULL ? "d:" : "";
	const char		*n = rl->near ? "n:" : rl->ladder ? "s:" : "";
	size_t			 len = 0, cap = 1, i;
	int			 hash = 0;

	if (rl->near && (folded == NULL || folded->len == 0))
		goto none;
	for (i = 0; i < rl->nfields; i++) {
		/* Empty is missing: anonymous comments do not share a window. */
		if ((f = entry_get(e, rl->fields[i])) == NULL ||
		    f->value_len == 0)
			goto none;
		if (strcmp(rl->fields[i], "text") == 0) {
			if (folded == NULL || folded->len == 0)
				goto none;
			append(&buf, &len, &cap, folded->p, folded->len);
			hash = 1;
		} else
			append(&buf, &len, &cap, f->value, f->value_len);
	}
	for (i = 0; i < len && !hash; i++)
		if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e)
			hash = 1;
	if (!hash && len <= RATELIMIT_KEY_RAW_MAX) {
		xasprintf(&key, "%s:%s%s%s", rule, n, d, buf);
		free(buf);
		return key;
	}
	key = xmalloc(strlen(rule) + 8 + 2 * 16 + 1);
	/* 128 bits of the digest: collisions stay out of reach. */
	digest_hex(buf, len, 16, key + sprintf(key, "%s:%s%s#:", rule, n, d));
	free(buf);
	return key;
none:
	free(buf);
	return NULL;
}

/*
 * The prefix of the period hashes of the rule named rule with windows of
 * per_ms, under the configured prefix: "<prefix><rule>:p<per>:", followed
 * by a period's number or "periods" (its ledger). A changed per makes new
 * hashes, as periods of another length do not line up. The caller frees
 * it.
 */
char *
ratelimit_hashes(const char *prefix, const char *rule, uint64_t per_ms)
{
	char	*s;

	xasprintf(&s, "%s%s:p%llu:", prefix, rule, (unsigned long long)per_ms);
	return s;
}

/* A key's field in its period hashes: the key without "<rule>:". */
const char *
ratelimit_field(const char *key)
{
	const char	*colon = strchr(key, ':');

	return colon != NULL ? colon + 1 : key;
}

/*
 * "author=alice thread=a42" for --explain; text is shown folded (folded
 * as for ratelimit_key).
 */
char *
ratelimit_describe(const struct rate_limit *rl, const struct entry *e,
    const struct textview *folded)
{
	const struct field	*f;
	char			*out = xstrdup(""), *next;
	size_t			 i, n;

	for (i = 0; i < rl->nfields; i++) {
		f = entry_get(e, rl->fields[i]);
		if (f != NULL && folded != NULL &&
		    strcmp(rl->fields[i], "text") == 0) {
			/* Cut between characters, not inside one. */
			n = folded->len > 60 ? 60 : folded->len;
			while (n > 0 && n < folded->len &&
			    ((unsigned char)folded->p[n] & 0xc0) == 0x80)
				n--;
			xasprintf(&next, "%s%s%s=\"%.*s%s\"", out, i ? " " : "",
			    rl->fields[i], (int)n, folded->p, n < folded->len ?
			    "..." : "");
		} else if (f != NULL)
			xasprintf(&next, "%s%s%s=%.*s", out, i ? " " : "",
			    rl->fields[i], (int)(f->value_len > 60 ? 60 :
			    f->value_len), f->value);
		else
			xasprintf(&next, "%s%s%s missing", out, i ? " " : "",
			    rl->fields[i]);
		free(out);
		out = next;
	}
	if (rl->near) {
		xasprintf(&next, "%s%stext near-identical (similarity %.2f or "
		    "more)", out, *out != '\0' ? " " : "", rl->similarity);
		free(out);
		out = next;
	}
	if (rl->distinct != NULL) {
		xasprintf(&next, "%s, counting distinct %s", out, rl->distinct);
		free(out);
		out = next;
	}
	return out;
}
