#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "entry.h"
#include "normalize.h"
#include "textview.h"
#include "yfile.h"

#define RATELIMIT_MAX_MAX	10000
#define RATELIMIT_MAX_PER_MS	(31ull * 24 * 3600 * 1000)
#define RATELIMIT_KEY_RAW_MAX	64
/*
 * The windows of a limit with max up to this are fields of period hashes
 * ("<rule>:p<per>:<period>", the field the key without "<rule>:"), read
 * and written once a batch (decide.lua); a longer one is a sorted set of
 * its own ("<rule>:<fields>", the key).
 */
#define RATELIMIT_SHORT_MAX	64
/* A distinct value's identity: hex digits of its digest. */
#define RATELIMIT_ID_LEN	16

/*
 * A near_text limit's windows are its signature's band buckets
 * (neardup.h): a field each (ratelimit_band_field), holding the newest
 * RATELIMIT_NEAR_KEEP comments that fell in it; each comment's signature
 * is a field of its own in the same period hashes (decide.lua). Its max
 * is at most RATELIMIT_SHORT_MAX.
 */
#define RATELIMIT_NEAR_KEEP	64
#define RATELIMIT_SIMILARITY	0.7

/* rate_limit: { key: author | [author, thread] | text, max: 5, per: 60s } */
struct rate_limit {
	char		**fields;	/* without near_text */
	size_t		  nfields;
	int		  near;		/* near_text is in the key */
	double		  similarity;	/* near_text: the least that counts */
	char		 *distinct;	/* count its distinct values, or NULL */
	struct ladder	 *ladder;	/* escalate: strikes, not comments */
	uint64_t	  max;
	uint64_t	  per_ms;
	size_t		  text_view;	/* the folded text's view, if keyed by it */
};

/*
 * How a text key is folded (normalize_view): compatibility forms, case,
 * invisible characters, Latin accents and look-alike letters do not make
 * a copy new; then only letters, digits and marks count.
 */
#define RATELIMIT_TEXT_STAGES	(NORM_NFKC | NORM_CASEFOLD | NORM_INVISIBLE | \
				 NORM_DIACRITICS | NORM_CONFUSABLES | NORM_ALNUM)

int	ratelimit_parse(struct diag *, struct yfile *, yaml_node_t *,
	    struct rate_limit *);
int	ratelimit_parse_key(struct diag *, struct yfile *, yaml_node_t *,
	    struct rate_limit *);
void	ratelimit_clear(struct rate_limit *);
int	ratelimit_has_text(const struct rate_limit *);
int	ratelimit_short(const struct rate_limit *);
char	*ratelimit_key(const struct rate_limit *, const char *,
	    const struct entry *, const struct textview *);
char	*ratelimit_identity(const struct rate_limit *, const struct entry *,
	    const struct textview *);
unsigned ratelimit_near_need(const struct rate_limit *);
char	*ratelimit_band_field(const char *, size_t, uint64_t);
char	*ratelimit_hashes(const char *, const char *, uint64_t);
const char *ratelimit_field(const char *);
char	*ratelimit_describe(const struct rate_limit *, const struct entry *,
	    const struct textview *);

#endif
