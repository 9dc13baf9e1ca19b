#ifndef HS_REWRITE_INTERNAL_H
#define HS_REWRITE_INTERNAL_H

/*
 * The rewriter's parts (hs_rewrite.c: the pattern's structure;
 * hs_rewrite_class.c: one code point, as a byte class or its forms;
 * hs_rewrite_text.c: case forms, byte sets and the Vectorscan text).
 */

#include <stddef.h>
#include <stdint.h>

#include <pcre2.h>

/* A group's repeat past this becomes unbounded (as HS_REWRITE_BOUND) */
#define TEXT_BOUND	8
#define TEXT_BOUND_SHORT 32		/* ... of a group TEXT_SHORT bytes or less */
#define TEXT_SHORT	200
#define OUT_MAX		(256u * 1024)	/* a rewrite longer than this is refused */
#define DEPTH_MAX	200		/* nested groups */
#define RANGE_FOLD_MAX	4096		/* code points of a caseless range */
#define ANY		"[\\x00-\\xff]*"

/* A code point and one that PCRE2 takes as the same letter caselessly. */
struct fold_pair {
	uint32_t	key;
	uint32_t	cp;
};

struct bset {
	uint64_t	w[4];
};

/* \d, \s, \h, \v beyond ASCII: their lead bytes (as PCRE2 has them). */
#define ESCAPES	"dshv"

struct hs_rewriter {
	struct fold_pair	*folds;	/* by key: every cp whose key is not itself */
	size_t			 nfolds;
	pcre2_match_data	*md;
	uint32_t		 ascii[128][4];	/* PCRE2's case forms of ASCII */
	unsigned char		 nascii[128];
	struct bset		 esc[4];	/* as ESCAPES */
	int			 escL[4];
};

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

enum item_kind {
	I_NONE,		/* nothing at all: (?i), a comment, a verb */
	I_EMPTY,	/* a dropped assertion: takes a quantifier, matches "" */
	I_BOUND,	/* \b, kept or not once its neighbours are known */
	I_ANCHOR,	/* ^ or $ */
	I_CLASS,	/* one code point, as a byte class */
	I_TEXT		/* anything else, as Vectorscan text */
};

struct item {
	enum item_kind	kind;
	struct bset	set;	/* I_CLASS */
	int		L;	/* I_CLASS: bytes a code point takes at most */
	struct buf	out;	/* I_TEXT, I_ANCHOR */
	int		fw;	/* every match starts with an ASCII word byte */
	int		lw;	/* ... ends with one */
};

struct flags {
	int	i, s, m, x, xx, n;
};

struct group {
	char	*out;	/* NULL until it closes */
	int	 caseless;
	int	 clean;	/* no option changed inside it */
	char	*name;
};

struct parser {
	struct hs_rewriter	*rw;
	const char		*p;
	size_t			 i;
	size_t			 len;
	const char		*why;	/* set: refused */
	struct group		*groups;
	size_t			 ngroups;
	int			 noref;	/* (?| or (?n): no copies of groups */
	int			 quote;	/* inside \Q...\E */
	int			 depth;
	int			 changed; /* an option changed (for groups) */
};

void	hsr_bs_add(struct bset *, unsigned);
void	hsr_bs_code_point(struct bset *, uint32_t, int *);
int	hsr_bs_has(const struct bset *, unsigned);
void	hsr_bs_high(struct bset *, int *);
void	hsr_bs_range(struct bset *, unsigned, unsigned);
int	hsr_bs_word(const struct bset *);
size_t	hsr_case_forms(const struct hs_rewriter *, uint32_t,
	    uint32_t *, size_t);
void	hsr_class_escape(struct parser *, struct flags, char, size_t,
	    struct item *);
void	hsr_class_to_text(struct item *, long, long);
long	hsr_escaped_char(struct parser *);
void	hsr_item_free(struct item *);
void	hsr_item_init(struct item *, enum item_kind);
void	hsr_literal(struct parser *, uint32_t, int, struct item *);
uint32_t	hsr_next_cp(struct parser *);
void	hsr_parse_class(struct parser *, struct flags, struct item *);
size_t	hsr_pcre2_forms(struct hs_rewriter *, uint32_t, uint32_t *, size_t);
void	hsr_put(struct buf *, const char *, size_t);
void	hsr_put_forms(struct buf *, const uint32_t *, size_t);
void	hsr_put_repeat(struct buf *, long, long);
void	hsr_put_set(struct buf *, const struct bset *);
void	hsr_puts(struct buf *, const char *);

#endif
