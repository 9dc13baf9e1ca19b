/*
 * Precision from verdicts. The Wilson interval rather than the normal
 * approximation: it stays inside [0, 1] and means something after a
 * handful of verdicts, which is where a new rule's story starts.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "diag.h"
#include "precision.h"
#include "ruleset.h"
#include "yfile.h"

/* The interval of agreed out of agreed + disagreed; [0, 1] for none. */
void
precision_wilson(uint64_t agreed, uint64_t disagreed, double *lo, double *hi)
{
	double	n = (double)agreed + (double)disagreed, p, z2, c, h;

	if (n == 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	p = (double)agreed / n;
	z2 = PRECISION_Z * PRECISION_Z;
	c = (p + z2 / (2 * n)) / (1 + z2 / n);
	h = PRECISION_Z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) /
	    (1 + z2 / n);
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

/* Every scalar under n, tagged by kind, into the hash. */
static void
hash_node(struct sha256_ctx *c, struct yfile *yf, yaml_node_t *n, int top)
{
	yaml_node_pair_t	*p;
	yaml_node_item_t	*i;
	yaml_node_t		*k;
	uint8_t			 tag;
	uint64_t		 len;

	tag = (uint8_t)n->type;
	sha256_update(c, 1, &tag);
	switch (n->type) {
	case YAML_SCALAR_NODE:
		len = n->data.scalar.length;
		sha256_update(c, sizeof len, (const uint8_t *)&len);
		sha256_update(c, len, n->data.scalar.value);
		break;
	case YAML_SEQUENCE_NODE:
		for (i = n->data.sequence.items.start;
		    i < n->data.sequence.items.top; i++)
			hash_node(c, yf, yaml_document_get_node(&yf->doc, *i),
			    0);
		break;
	case YAML_MAPPING_NODE:
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(&yf->doc, p->key);
			/* Its examples and its floor are not what it does. */
			if (top && k->type == YAML_SCALAR_NODE &&
			    (strcmp((char *)k->data.scalar.value, "tests") == 0 ||
			    strcmp((char *)k->data.scalar.value,
			    "min_precision") == 0 ||
			    strcmp((char *)k->data.scalar.value,
			    "min_verdicts") == 0))
				continue;
			hash_node(c, yf, k, 0);
			hash_node(c, yf, yaml_document_get_node(&yf->doc,
			    p->value), 0);
		}
		break;
	default:
		break;
	}
}

/*
 * min_precision (a number in (0, 1]) and min_verdicts of rule node n into
 * r, and r's definition hash. -1 after an error said to d.
 */
int
precision_load(struct diag *d, struct yfile *yf, yaml_node_t *n,
    struct rule *r)
{
	struct sha256_ctx	 c;
	yaml_node_t		*v;
	uint8_t			 dig[SHA256_DIGEST_SIZE];
	size_t			 i;

	r->min_precision = -1;
	r->min_verdicts = RULES_DEFAULT_MIN_VERDICTS;
	if ((v = yfile_find(yf, n, "min_precision")) != NULL &&
	    yfile_fraction(d, yf, v, "min_precision", &r->min_precision) != 0)
		return -1;
	if ((v = yfile_find(yf, n, "min_verdicts")) != NULL &&
	    yfile_uint(d, yf, v, 1, 1000000000, &r->min_verdicts) != 0)
		return -1;
	if (v != NULL && r->min_precision < 0) {
		yfile_error(d, yf, v, "min_verdicts needs min_precision");
		return -1;
	}
	sha256_init(&c);
	hash_node(&c, yf, n, 1);
	sha256_digest(&c, sizeof dig, dig);
	for (i = 0; i < (sizeof r->def - 1) / 2; i++)
		snprintf(r->def + 2 * i, 3, "%02x", dig[i]);
	return 0;
}
