/*
 * The prefilter: for each view of the comment that rules match, one scan
 * for every literal that the view's rules require (literals.c) tells
 * which rules could match it. PCRE2 still decides every rule that does
 * run, so decisions, matched rules and spans are what they are without
 * the prefilter (a differential test holds it to that).
 *
 * A view's literals go to two Vectorscan databases. Those of ASCII bytes
 * only (nearly all) go to one without UTF-8 mode, caseless in ASCII where
 * their rule is: for 10,000 rules it compiles in half the time of UTF-8
 * mode, whose caseless k and s are each three characters. Two characters
 * outside ASCII are caselessly an ASCII letter for PCRE2, the Kelvin sign
 * (k) and the long s (s), so that scan reads a copy with those two
 * replaced when the text holds them (test_prefilter checks that there are
 * no others). The other literals go to one in UTF-8 mode, caseless as
 * PCRE2 is (final sigma, ...). That mode is undefined on invalid UTF-8, so such a text is
 * scanned as a copy whose invalid bytes are each replaced by U+0001:
 * PCRE2 never matches an invalid byte, and no literal holds one.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs.h>
#include <unicase.h>
#include <unistr.h>

#include "automaton.h"
#include "clock.h"
#include "literals.h"
#include "normalize.h"
#include "prefilter.h"
#include "xmalloc.h"


struct scan_ctx {
	struct prefilter_scan	*s;
	const struct prefilter	*pf;
	const struct prefilter_view *pv;
	unsigned long long	 comment;
};

#define LISTED	0x80	/* in found: the rule is in the candidate list */
#define LITERAL_FOLD_MAX 64	/* code points of a literal to fold */

struct littable;

static void	build_view(struct prefilter *, const struct ruleset *, size_t);
static int	ascii_only(const char *, size_t);
static char	*fold_literal(const char *, size_t, size_t *);
static void	add_required(struct littable *, const char *, size_t, int, int,
		    unsigned, unsigned);
static void	always(struct prefilter *, const struct ruleset *);
static void	candidate(struct prefilter_scan *, unsigned);
static int	on_rule(unsigned int, unsigned long long, unsigned long long,
		    unsigned int, void *);

static int	on_match(unsigned int, unsigned long long, unsigned long long,
		    unsigned int, void *);
static const char *clean_utf8(struct prefilter_scan *, const char *, size_t);
static const char *ascii_letters(struct prefilter_scan *, const char *,
		    size_t, size_t *);
static void	fit(struct prefilter_scan *, const struct ruleset *);

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * A literal and the rules that require it, while the view is built.
 * caseless FOLDED: a literal of a caseless rule on a case-folded view,
 * itself folded, looked for as plain bytes (see fold_literal).
 */
#define FOLDED	2

struct lit {
	char		*s;
	size_t		 len;
	int		 caseless;	/* 0, 1 or FOLDED */
	unsigned	*rules;
	unsigned char	*which;		/* which set of the rule */
	size_t		 nrules;
};

struct littable {
	struct lit	*lits;
	size_t		 n;
	size_t		*slots;		/* open addressing: index + 1, 0 empty */
	size_t		 nslots;
};

static size_t
lit_hash(const char *s, size_t len, int caseless)
{
	size_t	h = 1469598103934665603ull ^ (size_t)caseless;
	size_t	i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Set k of rule r holds literal s: one entry a distinct literal. */
static void
lit_add(struct littable *t, const char *s, size_t len, int caseless,
    unsigned r, unsigned k)
{
	struct lit	*l;
	size_t		 i, h, j;

	if (t->n * 2 >= t->nslots) {
		free(t->slots);
		t->nslots = t->nslots ? t->nslots * 2 : 1024;
		t->slots = xcalloc(t->nslots, sizeof *t->slots);
		for (i = 0; i < t->n; i++) {
			l = &t->lits[i];
			h = lit_hash(l->s, l->len, l->caseless);
			for (j = h & (t->nslots - 1); t->slots[j] != 0;
			    j = (j + 1) & (t->nslots - 1))
				;
			t->slots[j] = i + 1;
		}
	}
	h = lit_hash(s, len, caseless);
	for (j = h & (t->nslots - 1); t->slots[j] != 0;
	    j = (j + 1) & (t->nslots - 1)) {
		l = &t->lits[t->slots[j] - 1];
		if (l->len == len && l->caseless == caseless &&
		    memcmp(l->s, s, len) == 0)
			goto found;
	}
	t->lits = xreallocarray(t->lits, t->n + 1, sizeof *t->lits);
	l = &t->lits[t->n++];
	l->s = xstrndup(s, len);
	l->len = len;
	l->caseless = caseless;
	l->rules = NULL;
	l->which = NULL;
	l->nrules = 0;
	t->slots[j] = t->n;
found:
	if (l->nrules > 0 && l->rules[l->nrules - 1] == r &&
	    l->which[l->nrules - 1] == k)
		return;
	l->rules = xreallocarray(l->rules, l->nrules + 1, sizeof *l->rules);
	l->which = xreallocarray(l->which, l->nrules + 1, sizeof *l->which);
	l->rules[l->nrules] = r;
	l->which[l->nrules++] = (unsigned char)k;
}

/* A literal as a Vectorscan pattern: every byte but letters escaped. */
static char *
lit_pattern(const struct lit *l)
{
	char	*p = xmalloc(4 * l->len + 1), *q = p;
	size_t	 i;
	unsigned char c;

	for (i = 0; i < l->len; i++) {
		c = (unsigned char)l->s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			*q++ = (char)c;
		else
			q += sprintf(q, "\\x%02x", c);
	}
	*q = '\0';
	return p;
}

static int
ascii_only(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Is l looked for as bytes (ASCII, or FOLDED), not in UTF-8 mode? */
static int
is_ascii(const struct lit *l)
{
	return l->caseless == FOLDED || ascii_only(l->s, l->len);
}

/*
 * s case-folded character by character, into an allocated string, or
 * NULL if a character folds to more than one (ß: "ss").
 *
 * A case-folded view holds only characters that are their own fold; a
 * caseless PCRE2 literal matches a view character only if both are of
 * one caseless set, whose members all fold to that view character. So
 * the folded literal, as bytes, is found wherever PCRE2 can match the
 * literal, and the byte database compiles ten times faster than UTF-8
 * mode's caseless one (76 Cyrillic words: 8 against 83 ms).
 */
static char *
fold_literal(const char *s, size_t len, size_t *outlen)
{
	uint32_t	 cp[LITERAL_FOLD_MAX], one[4];
	uint8_t		*out;
	size_t		 n = LITERAL_FOLD_MAX, i, k;

	if (u8_to_u32((const uint8_t *)s, len, cp, &n) != cp)
		return NULL;	/* too long or invalid: left as it is */
	for (i = 0; i < n; i++) {
		k = 4;
		if (u32_casefold(&cp[i], 1, NULL, NULL, one, &k) != one ||
		    k != 1)
			return NULL;
		cp[i] = one[0];
	}
	if ((out = u32_to_u8(cp, n, NULL, outlen)) == NULL)
		abort();	/* only out of memory */
	return (char *)out;
}

/* Does t hold a literal of ASCII only (ascii) or one with more? */
static int
has(const struct littable *t, int ascii)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (is_ascii(&t->lits[i]) == ascii)
			return 1;
	return 0;
}

/*
 * The database of t's ASCII literals (ASCII semantics) or of the others
 * (UTF-8 mode); a literal's id is its index in t. NULL if there are none
 * or it does not compile.
 */
static hs_database_t *
compile(const struct littable *t, int ascii)
{
	hs_database_t		*db = NULL;
	hs_compile_error_t	*err;
	char			**exprs;
	unsigned		*flags, *ids;
	size_t			 i, n = 0;

	exprs = xcalloc(t->n ? t->n : 1, sizeof *exprs);
	flags = xcalloc(t->n ? t->n : 1, sizeof *flags);
	ids = xcalloc(t->n ? t->n : 1, sizeof *ids);
	for (i = 0; i < t->n; i++) {
		if (is_ascii(&t->lits[i]) != ascii)
			continue;
		exprs[n] = lit_pattern(&t->lits[i]);
		flags[n] = HS_FLAG_SINGLEMATCH | (ascii ? 0 : HS_FLAG_UTF8) |
		    (t->lits[i].caseless == 1 ? HS_FLAG_CASELESS : 0);
		ids[n++] = (unsigned)i;
	}
	if (n > 0 && hs_compile_multi((const char *const *)exprs, flags, ids,
	    (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		db = NULL;
	}
	for (i = 0; i < n; i++)
		free(exprs[i]);
	free(exprs);
	free(flags);
	free(ids);
	return db;
}

/*
 * Literal s of set k of rule r, caseless or not; on a case-folded view
 * of a caseless rule (fold), a literal beyond ASCII goes in folded.
 */
static void
add_required(struct littable *t, const char *s, size_t len, int fold,
    int caseless, unsigned r, unsigned k)
{
	char	*folded;
	size_t	 n;

	if (fold && !ascii_only(s, len) &&
	    (folded = fold_literal(s, len, &n)) != NULL) {
		lit_add(t, folded, n, FOLDED, r, k);
		free(folded);
		return;
	}
	lit_add(t, s, len, caseless, r, k);
}

/*
 * The databases of the literals view v's rules require. A rule whose
 * pattern requires none always runs.
 */
static void
build_view(struct prefilter *pf, const struct ruleset *rs, size_t v)
{
	struct prefilter_view	*pv = &pf->views[v];
	struct littable		 t;
	struct literals		 req;
	const struct rule	*r;
	size_t			 i, j, k;

	memset(&t, 0, sizeof t);
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->match == NULL || r->pattern == NULL || r->view != v)
			continue;
		if (pf->path[i] == PATH_EXACT)
			pf->exact++;
		if (pf->path[i] == PATH_PREFILTER)
			pf->hsprefilter++;
		if (pf->path[i] != PATH_ALWAYS)
			continue;
		if (literals_required(r->pattern, r->caseless, &req) != 0) {
			pf->always++;
			if (pf->why[i] == NULL)
				pf->why[i] = "its pattern may match anything";
			continue;
		}
		for (k = 0; k < req.nset; k++)
			for (j = 0; j < req.set[k].n; j++)
				add_required(&t, req.set[k].s[j],
				    req.set[k].len[j], req.caseless && (rs->views[v].
				    stages & NORM_CASEFOLD), req.caseless,
				    (unsigned)i, (unsigned)k);
		pf->need[i] = (unsigned char)((1u << req.nset) - 1);
		pf->path[i] = PATH_LITERALS;
		pf->literal++;
		literals_free(&req);
	}
	pv->db = compile(&t, 1);
	pv->udb = compile(&t, 0);
	if ((pv->db == NULL && has(&t, 1)) || (pv->udb == NULL && has(&t, 0))) {
		/* Plain literals should always compile: if not, all run. */
		hs_free_database(pv->db);
		hs_free_database(pv->udb);
		pv->db = pv->udb = NULL;
		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i].view == v &&
			    pf->path[i] == PATH_LITERALS) {
				pf->path[i] = PATH_ALWAYS;
				pf->why[i] = "its literals do not compile";
				pf->literal--;
				pf->always++;
			}
	}
	/* Literal i of the database: its rules, flat. */
	pv->nlits = t.n;
	pv->first = xcalloc(t.n + 1, sizeof *pv->first);
	for (i = 0, j = 0; i < t.n; i++) {
		pv->first[i] = j;
		j += t.lits[i].nrules;
	}
	pv->first[t.n] = j;
	pv->rules = xcalloc(j ? j : 1, sizeof *pv->rules);
	pv->which = xcalloc(j ? j : 1, sizeof *pv->which);
	for (i = 0; i < t.n; i++) {
		memcpy(pv->rules + pv->first[i], t.lits[i].rules,
		    t.lits[i].nrules * sizeof *pv->rules);
		memcpy(pv->which + pv->first[i], t.lits[i].which,
		    t.lits[i].nrules * sizeof *pv->which);
	}
	pv->all = xcalloc(rs->nrules ? rs->nrules : 1, sizeof *pv->all);
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if (r->view == v && pf->path[i] != PATH_ALWAYS)
			pv->all[pv->nall++] = (unsigned)i;
	}
	pf->prefiltered += pv->nall;
	if (pv->db != NULL || pv->udb != NULL)
		pf->literals += t.n;
	for (i = 0; i < t.n; i++) {
		free(t.lits[i].s);
		free(t.lits[i].rules);
		free(t.lits[i].which);
	}
	free(t.lits);
	free(t.slots);
}

/* The rules the decision must try whatever a scan says, in order. */
static void
always(struct prefilter *pf, const struct ruleset *rs)
{
	size_t	i;

	pf->always_rules = xcalloc(rs->nrules ? rs->nrules : 1,
	    sizeof *pf->always_rules);
	for (i = 0; i < rs->nrules; i++)
		if (pf->path[i] == PATH_ALWAYS)
			pf->always_rules[pf->nalways++] = (unsigned)i;
}

/*
 * The prefilter of rs, with the automaton if o asks (o->automaton), else
 * literals alone. Never NULL: a prefilter that cannot be
 * trusted (unusable says why libhs cannot be, or NULL) says why in its
 * error, and every rule runs. rs is only read: a prefilter for the
 * ruleset in force can be built in another thread and swapped in.
 */
struct prefilter *
prefilter_new(const struct ruleset *rs, const char *unusable,
    const struct rules_options *o)
{
	struct prefilter	*pf;
	size_t			 v, i, n = rs->nrules ? rs->nrules : 1;
	double			 t0 = now_ms();

	pf = xcalloc(1, sizeof *pf);
	pf->born = clock_monotonic_us();
	pf->need = xcalloc(n, sizeof *pf->need);
	pf->path = xcalloc(n, sizeof *pf->path);
	pf->why = xcalloc(n, sizeof *pf->why);
	pf->nviews = rs->nviews;
	pf->views = xcalloc(rs->nviews ? rs->nviews : 1, sizeof *pf->views);
	if (unusable != NULL) {
		xasprintf(&pf->error, "off: %s; every rule runs on every "
		    "comment", unusable);
		for (i = 0; i < rs->nrules; i++)
			pf->always += rs->rules[i].match != NULL;
		always(pf, rs);
		return pf;
	}
	pf->automaton = o->automaton;
	if (o->automaton)
		automaton_build(pf, rs, o);
	if (o->cancel != NULL && *o->cancel) {
		/* Given up (the daemon stops): its result is thrown away. */
		xasprintf(&pf->error, "off: the build was given up");
		pf->always = pf->prefiltered = 0;
		memset(pf->path, PATH_ALWAYS, n);
		always(pf, rs);
		return pf;
	}
	for (v = 0; v < rs->nviews; v++)
		build_view(pf, rs, v);
	pf->prefiltered = pf->exact + pf->hsprefilter + pf->literal;
	always(pf, rs);
	pf->compile_ms = now_ms() - t0;
	return pf;
}

const char *
prefilter_path_name(enum prefilter_path p)
{
	switch (p) {
	case PATH_EXACT:
		return "automaton";
	case PATH_PREFILTER:
		return "automaton/prefilter";
	case PATH_LITERALS:
		return "literals";
	default:
		return "always";
	}
}

void
prefilter_free(struct prefilter *pf)
{
	size_t	v, i;

	if (pf == NULL)
		return;
	for (v = 0; v < pf->nviews; v++) {
		for (i = 0; i < pf->views[v].nadb; i++)
			hs_free_database(pf->views[v].adb[i]);
		free(pf->views[v].adb);
		hs_free_database(pf->views[v].db);
		hs_free_database(pf->views[v].udb);
		free(pf->views[v].first);
		free(pf->views[v].rules);
		free(pf->views[v].which);
		free(pf->views[v].all);
	}
	free(pf->views);
	free(pf->need);
	free(pf->path);
	free(pf->why);
	free(pf->always_rules);
	free(pf->error);
	for (i = 0; i < pf->nnotes; i++)
		free(pf->notes[i]);
	free(pf->notes);
	free(pf);
}

void
prefilter_scan_init(struct prefilter_scan *s)
{
	memset(s, 0, sizeof *s);
}

void
prefilter_scan_free(struct prefilter_scan *s)
{
	hs_free_scratch(s->scratch);
	free(s->named);
	free(s->found);
	free(s->scanned);
	free(s->cand);
	free(s->clean);
	free(s->letters);
	prefilter_scan_init(s);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct scan_ctx		*ctx = arg;
	struct prefilter_scan	*s = ctx->s;
	size_t			 i;
	unsigned		 r;

	for (i = ctx->pv->first[id]; i < ctx->pv->first[id + 1]; i++) {
		r = ctx->pv->rules[i];
		if (s->named[r] != ctx->comment) {
			s->named[r] = ctx->comment;
			s->found[r] = 0;
		}
		s->found[r] |= (unsigned char)(1u << ctx->pv->which[i]);
		if (!(s->found[r] & LISTED) && (s->found[r] &
		    ctx->pf->need[r]) == ctx->pf->need[r]) {
			s->found[r] |= LISTED;
			candidate(s, r);
		}
	}
	return 0;
}

static void
candidate(struct prefilter_scan *s, unsigned r)
{
	if (s->ncand == s->candcap) {
		s->candcap = s->candcap ? s->candcap * 2 : 64;
		s->cand = xreallocarray(s->cand, s->candcap, sizeof *s->cand);
	}
	s->cand[s->ncand++] = r;
}

/* The automaton reports rule id: a candidate. */
static int
on_rule(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct scan_ctx		*ctx = arg;
	struct prefilter_scan	*s = ctx->s;

	(void)from;
	(void)to;
	(void)flags;
	if (s->named[id] != ctx->comment) {
		s->named[id] = ctx->comment;
		s->found[id] = 0;
	}
	if (!(s->found[id] & LISTED)) {
		s->found[id] |= LISTED | ctx->pf->need[id];
		candidate(s, id);
	}
	return 0;
}

/* text, or a copy with each invalid UTF-8 byte replaced by U+0001. */
static const char *
clean_utf8(struct prefilter_scan *s, const char *text, size_t len)
{
	const uint8_t	*p = (const uint8_t *)text;
	size_t		 i = 0;
	ucs4_t		 uc;
	int		 k;

	if (u8_check(p, len) == NULL)
		return text;
	if (len > s->cleancap) {
		s->cleancap = len * 2;
		s->clean = xreallocarray(s->clean, s->cleancap, 1);
	}
	while (i < len) {
		if ((k = u8_mbtoucr(&uc, p + i, len - i)) <= 0) {
			s->clean[i++] = 0x01;
			continue;
		}
		memcpy(s->clean + i, p + i, (size_t)k);
		i += (size_t)k;
	}
	return s->clean;
}

/*
 * text, or a copy in which the Kelvin sign is a k and the long s an s
 * (PCRE2 matches them caselessly as those letters); its length in *n.
 */
static const char *
ascii_letters(struct prefilter_scan *s, const char *text, size_t len,
    size_t *n)
{
	static const char	kelvin[] = "\xe2\x84\xaa", longs[] = "\xc5\xbf";
	size_t			 i = 0, j = 0;

	*n = len;
	if (memmem(text, len, kelvin, 3) == NULL &&
	    memmem(text, len, longs, 2) == NULL)
		return text;
	if (len > s->letterscap) {
		s->letterscap = len * 2;
		s->letters = xreallocarray(s->letters, s->letterscap, 1);
	}
	while (i < len) {
		if (len - i >= 3 && memcmp(text + i, kelvin, 3) == 0) {
			s->letters[j++] = 'k';
			i += 3;
		} else if (len - i >= 2 && memcmp(text + i, longs, 2) == 0) {
			s->letters[j++] = 's';
			i += 2;
		} else
			s->letters[j++] = text[i++];
	}
	*n = j;
	return s->letters;
}

/* Scratch and stamps that fit rs's prefilter. */
static void
fit(struct prefilter_scan *s, const struct ruleset *rs)
{
	const struct prefilter	*pf = rs->prefilter;
	size_t			 v, i;

	if (s->sized_for == pf && s->sized_born == pf->born)
		return;
	for (v = 0; v < pf->nviews; v++)
		for (i = 0; i < pf->views[v].nadb; i++)
			if (hs_alloc_scratch(pf->views[v].adb[i], &s->scratch) !=
			    HS_SUCCESS)
				abort();	/* only out of memory */
	for (v = 0; v < pf->nviews; v++)
		if ((pf->views[v].db != NULL && hs_alloc_scratch(pf->views[v].db,
		    &s->scratch) != HS_SUCCESS) || (pf->views[v].udb != NULL &&
		    hs_alloc_scratch(pf->views[v].udb, &s->scratch) != HS_SUCCESS))
			abort();	/* only out of memory */
	if (rs->nrules > s->nnamed) {
		s->named = xreallocarray(s->named, rs->nrules, sizeof *s->named);
		s->found = xreallocarray(s->found, rs->nrules, sizeof *s->found);
		memset(s->named + s->nnamed, 0, (rs->nrules - s->nnamed) *
		    sizeof *s->named);
		s->nnamed = rs->nrules;
	}
	if (pf->nviews > s->nscanned) {
		s->scanned = xreallocarray(s->scanned, pf->nviews,
		    sizeof *s->scanned);
		memset(s->scanned + s->nscanned, 0, (pf->nviews - s->nscanned) *
		    sizeof *s->scanned);
		s->nscanned = pf->nviews;
	}
	s->sized_for = pf;
	s->sized_born = pf->born;
}

/* A new comment: no candidates yet. */
void
prefilter_begin(struct prefilter_scan *s, const struct ruleset *rs)
{
	s->ncand = 0;
	if (rs != NULL && rs->prefilter != NULL)
		fit(s, rs);
}

/*
 * Scans text, view v of the comment numbered comment, once: every rule
 * of the view with a literal of each of its sets in it becomes a
 * candidate. A scan that fails makes every rule of the view one: the
 * prefilter never hides a match.
 */
void
prefilter_scan_view(struct prefilter_scan *s, const struct ruleset *rs,
    size_t v, const char *text, size_t len, unsigned long long comment)
{
	const struct prefilter_view	*pv = &rs->prefilter->views[v];
	struct scan_ctx			 ctx;
	const char			*scanned;
	size_t				 i, n;
	unsigned			 r;
	int				 ok;

	fit(s, rs);
	if (s->scanned[v] == comment)
		return;
	s->scanned[v] = comment;
	ctx.s = s;
	ctx.pf = rs->prefilter;
	ctx.pv = pv;
	ctx.comment = comment;
	ok = pv->db != NULL || pv->udb != NULL || pv->nadb > 0;
	for (i = 0; ok && i < pv->nadb; i++)
		ok = hs_scan(pv->adb[i], text, (unsigned)len, 0, s->scratch,
		    on_rule, &ctx) == HS_SUCCESS;
	if (ok && pv->db != NULL) {
		scanned = ascii_letters(s, text, len, &n);
		ok = hs_scan(pv->db, scanned, (unsigned)n, 0, s->scratch,
		    on_match, &ctx) == HS_SUCCESS;
	}
	if (ok && pv->udb != NULL)
		ok = hs_scan(pv->udb, clean_utf8(s, text, len), (unsigned)len,
		    0, s->scratch, on_match, &ctx) == HS_SUCCESS;
	if (ok)
		return;
	for (i = 0; i < pv->nall; i++) {
		r = pv->all[i];
		if (s->named[r] == comment && (s->found[r] & LISTED))
			continue;
		s->named[r] = comment;
		s->found[r] = 0xff;
		candidate(s, r);
	}
}

static int
cmp_unsigned(const void *a, const void *b)
{
	unsigned	x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* The candidates in rule order (the order rules are decided in). */
void
prefilter_candidates_sort(struct prefilter_scan *s)
{
	if (s->ncand > 1)	/* cand is NULL until the first candidate */
		qsort(s->cand, s->ncand, sizeof *s->cand, cmp_unsigned);
}

/*
 * Should rule r of rs run on text, its view of the comment numbered
 * comment? Always for a rule the prefilter does not cover; otherwise if
 * the view's scan (made once per comment) made it a candidate.
 */
int
prefilter_wants(struct prefilter_scan *s, const struct ruleset *rs,
    const struct rule *r, const char *text, size_t len,
    unsigned long long comment)
{
	if (rs->prefilter == NULL || rs->prefilter->path[r->index] ==
	    PATH_ALWAYS)
		return 1;
	prefilter_scan_view(s, rs, r->view, text, len, comment);
	return s->named[r->index] == comment &&
	    (s->found[r->index] & rs->prefilter->need[r->index]) ==
	    rs->prefilter->need[r->index];
}
