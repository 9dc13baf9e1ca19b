/*
 * Long word lists, as Vectorscan literal databases (see wordlist.h).
 * hs_compile_lit_multi takes 100,000 entries in a few seconds, where one
 * PCRE2 alternation of them does not compile at all.
 */

#include <stdlib.h>
#include <string.h>

#include <hs.h>
#include <pcre2.h>
#include <unistr.h>

#include "wordlist.h"
#include "xmalloc.h"

struct find {
	const struct wordlist	*wl;
	const char		*text;
	size_t			 len;
	const pcre2_code	*w;
	pcre2_match_data	*md;
	size_t			 start;
	size_t			 end;
	unsigned		 id;
	int			 found;
};

/*
 * A list of n entries (already folded as the view they are looked for
 * in is). NULL with *err (allocated) if Vectorscan refuses it.
 */
struct wordlist *
wordlist_new(char *const *entries, const size_t *lens, size_t n, char **err)
{
	struct wordlist		*wl;
	hs_compile_error_t	*cerr;
	unsigned		*flags, *ids;
	size_t			 i;

	flags = xcalloc(n ? n : 1, sizeof *flags);
	ids = xcalloc(n ? n : 1, sizeof *ids);
	wl = xcalloc(1, sizeof *wl);
	wl->n = n;
	/*
	 * No start-of-match flag: a literal starts its length before its
	 * end, and tracking starts makes a 100,000-entry database 40% larger
	 * (14 MiB against 10) and its scan half as slow again.
	 */
	wl->lens = xcalloc(n ? n : 1, sizeof *wl->lens);
	for (i = 0; i < n; i++) {
		ids[i] = (unsigned)i;
		wl->lens[i] = (uint32_t)lens[i];
	}
	if (hs_compile_lit_multi((const char *const *)entries, flags, ids,
	    lens, (unsigned)n, HS_MODE_BLOCK, NULL, &wl->db, &cerr) !=
	    HS_SUCCESS) {
		xasprintf(err, "the word list cannot be compiled: %s",
		    cerr->message);
		hs_free_compile_error(cerr);
		free(wl->lens);
		free(wl);
		wl = NULL;
	}
	free(flags);
	free(ids);
	return wl;
}

void
wordlist_free(struct wordlist *wl)
{
	if (wl == NULL)
		return;
	hs_free_database(wl->db);
	free(wl->lens);
	free(wl);
}

/* Is the character at off of text a word character (PCRE2's \w)? */
static int
word_at(const struct find *f, size_t off)
{
	return off < f->len && pcre2_match(f->w, (PCRE2_SPTR)f->text, f->len,
	    off, PCRE2_ANCHORED, f->md, NULL) > 0;
}

/* Does the character before off of text exist and is it a word one? */
static int
word_before(const struct find *f, size_t off)
{
	const uint8_t	*p;
	ucs4_t		 uc;

	if (off == 0)
		return 0;
	/* An invalid byte before is no word character, as in PCRE2. */
	p = u8_prev(&uc, (const uint8_t *)f->text + off,
	    (const uint8_t *)f->text);
	return p != NULL && word_at(f, (size_t)(p - (const uint8_t *)f->text));
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct find	*f = arg;

	from = to - f->wl->lens[id];
	if (f->found && (from > f->start || (from == f->start &&
	    id > f->id)))
		return 0;
	if (word_before(f, (size_t)from) || word_at(f, (size_t)to))
		return 0;
	f->found = 1;
	f->start = (size_t)from;
	f->end = (size_t)to;
	f->id = id;
	return 0;
}

/*
 * Finds wl's leftmost whole-word entry in text (valid UTF-8: the caller
 * cleans it), with w, a compiled \w, and its match data md. 1 with the
 * span in *start, *end; 0 if none; -1 if the scan failed.
 */
int
wordlist_match(const struct wordlist *wl, struct hs_scratch *scratch,
    const char *text, size_t len, const struct pcre2_real_code_8 *w,
    struct pcre2_real_match_data_8 *md, size_t *start, size_t *end)
{
	struct find	f;

	memset(&f, 0, sizeof f);
	f.wl = wl;
	f.text = text;
	f.len = len;
	f.w = w;
	f.md = md;
	if (hs_scan(wl->db, text, (unsigned)len, 0, scratch, on_match, &f) !=
	    HS_SUCCESS)
		return -1;
	if (!f.found)
		return 0;
	*start = f.start;
	*end = f.end;
	return 1;
}
