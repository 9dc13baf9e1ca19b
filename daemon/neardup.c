/*
 * MinHash signatures of texts for near-duplicate counting. A text (the
 * folded view of a comment: letters and digits only, case and look-alikes
 * folded) is cut into overlapping shingles of NEARDUP_SHINGLE characters,
 * each hashed once to 64 bits (a polynomial of its characters' hashes,
 * rolled along the text, then mixed): its top bits choose one of
 * NEARDUP_K bins and the bin keeps the least of its shingles' low bits
 * (one-permutation hashing: one hash a shingle, not one a shingle and
 * value). A bin no shingle fell in borrows the value of another chosen by
 * a fixed hash chain of its own number (densification), so that two
 * texts' signatures still agree value by value with the probability of
 * their Jaccard similarity. Values keep 16 bits: a chance equality once
 * in 65,536.
 * A text shorter than NEARDUP_SHORT characters is one shingle, the whole
 * text, so that it is near only to the same text.
 *
 * Every value is computed from the text alone and the constants below:
 * daemons of one group, and the replay, make the same signatures.
 */

#include <string.h>

#include "neardup.h"

static uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* FNV-1a over a whole (short) text's bytes, then mixed. */
static uint64_t
text_hash(const unsigned char *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ull;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return splitmix(h);
}

/* The length of the UTF-8 character at p (1 for a stray byte). */
static size_t
char_len(const unsigned char *p, size_t left)
{
	size_t	n, i;

	if (p[0] < 0xc0)
		n = 1;
	else if (p[0] < 0xe0)
		n = 2;
	else if (p[0] < 0xf0)
		n = 3;
	else
		n = 4;
	if (n > left)
		return 1;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Into its bin (top bits), if less than what the bin holds. */
static void
add_shingle(uint32_t *min, uint64_t h)
{
	size_t		bin = (size_t)(h >> 58);	/* NEARDUP_K = 64 */
	uint32_t	v = (uint32_t)h;

	if (v < min[bin])
		min[bin] = v;
}

/* A character's hash: its bytes (1 to 4) and their number, mixed. */
static uint64_t
char_hash(const unsigned char *p, size_t n)
{
	uint64_t	v = n;
	size_t		i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return splitmix(v);
}

#define ROLL	0x100000001b3ull	/* odd: the polynomial's base */

void
neardup_signature(const char *text, size_t len, struct neardup_sig *sig)
{
	const unsigned char	*p = (const unsigned char *)text;
	uint64_t		 ring[NEARDUP_SHINGLE], h = 0, top = 1, c;
	size_t			 i, at, n, j, from, nchars = 0;
	uint32_t		 min[NEARDUP_K];

	if (len > NEARDUP_TEXT_MAX)
		len = NEARDUP_TEXT_MAX;
	for (i = 0; i < NEARDUP_K; i++)
		min[i] = UINT32_MAX;
	for (i = 0; i < NEARDUP_SHINGLE; i++)
		top *= ROLL;			/* ROLL^NEARDUP_SHINGLE */
	/*
	 * h is the sum of the last NEARDUP_SHINGLE characters' hashes times
	 * powers of ROLL: each step adds one and takes the oldest out.
	 */
	for (at = 0; at < len; at += n, nchars++) {
		n = char_len(p + at, len - at);
		c = char_hash(p + at, n);
		h = h * ROLL + c;
		if (nchars >= NEARDUP_SHINGLE)
			h -= ring[nchars % NEARDUP_SHINGLE] * top;
		ring[nchars % NEARDUP_SHINGLE] = c;
		if (nchars + 1 >= NEARDUP_SHINGLE)
			add_shingle(min, splitmix(h));
	}
	if (nchars < NEARDUP_SHORT) {
		/* Short: the whole text is the one shingle. */
		for (i = 0; i < NEARDUP_K; i++)
			min[i] = UINT32_MAX;
		add_shingle(min, text_hash(p, len));
	}
	/*
	 * An empty bin i borrows from the first filled bin of the chain
	 * splitmix(i, 1), splitmix(i, 2), ... (filled from the text itself:
	 * at least one is, the whole text if nothing else).
	 */
	for (i = 0; i < NEARDUP_K; i++) {
		from = i;
		for (j = 1; min[from] == UINT32_MAX; j++)
			from = (size_t)(splitmix((uint64_t)i << 32 | j) %
			    NEARDUP_K);
		sig->v[i] = (uint16_t)(min[from] >> 16);
	}
}

/* How many of two signatures' NEARDUP_K values are equal. */
unsigned
neardup_same(const struct neardup_sig *a, const struct neardup_sig *b)
{
	unsigned	i, same = 0;

	for (i = 0; i < NEARDUP_K; i++)
		same += a->v[i] == b->v[i];
	return same;
}

/* The share of equal values: the estimated Jaccard similarity. */
double
neardup_similarity(const struct neardup_sig *a, const struct neardup_sig *b)
{
	return (double)neardup_same(a, b) / NEARDUP_K;
}

/* Band b of a signature: NEARDUP_ROWS values as one number. */
uint64_t
neardup_band(const struct neardup_sig *sig, size_t b)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < NEARDUP_ROWS; i++)
		v = v << 16 | sig->v[b * NEARDUP_ROWS + i];
	return v;
}
