#ifndef NEARDUP_H
#define NEARDUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Near-duplicate texts (rate_limit key: near_text): a MinHash signature of
 * a text's character shingles, whose share of equal values estimates the
 * Jaccard similarity of two texts' shingle sets, and its bands for
 * locality-sensitive lookup: two texts share a band with probability
 * 1 - (1 - J^NEARDUP_ROWS)^NEARDUP_BANDS (J = 0.7: 0.99; J = 0.6: 0.95;
 * J = 0.3: 0.28, J = 0.1: 0.01). Each band is a bucket a comment is
 * written to: 12 bands of 3 find more pairs at 0.6 to 0.8 than 16 of 4,
 * for three quarters of the writes.
 */
#define NEARDUP_K	64	/* values in a signature */
#define NEARDUP_ROWS	3	/* values in a band */
#define NEARDUP_BANDS	12	/* bands: the first 36 values */
#define NEARDUP_SHINGLE	5	/* characters in a shingle */
#define NEARDUP_SHORT	20	/* characters below which texts are compared
				   exactly */
#define NEARDUP_TEXT_MAX (16 * 1024)	/* bytes of a text looked at */

struct neardup_sig {
	uint16_t	v[NEARDUP_K];
};

void	 neardup_signature(const char *, size_t, struct neardup_sig *);
unsigned neardup_same(const struct neardup_sig *,
	    const struct neardup_sig *);
double	 neardup_similarity(const struct neardup_sig *,
	    const struct neardup_sig *);
uint64_t neardup_band(const struct neardup_sig *, size_t);

#endif
