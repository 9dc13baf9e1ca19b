/*
 * A known-answer check of libhs before its literal scans are trusted.
 *
 * Vectorscan 5.4.9 (Debian 12's libvectorscan5) drops literal matches on
 * a CPU with AVX-512, and which ones depends on the text's address: of
 * the literals "y" and "money" it reports neither in one 99-byte text at
 * 51 of 64 alignments, and with HS_FLAG_SINGLEMATCH it loses the "m" of
 * "money" once "free", "y" and "n" have matched. The prefilter then
 * skipped rules that match (issue 14). Intel's Hyperscan 5.4.0 answers
 * every case right. Each case is compiled with every flag set the
 * prefilter and the word lists use and scanned at 64 alignments; a few
 * milliseconds, once per rule load.
 */

#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "hscheck.h"
#include "xmalloc.h"

#define ALIGNMENTS	64

struct known {
	const char	*lits[4];
	unsigned	 n;
	const char	*text;
};

static const struct known known[] = {
	{ { "free", "m", "y", "n" }, 4, "free years done fine job with the "
	    "local coverage, especially the council stories, so money" },
	{ { "y", "money" }, 2, "nfree x l illx the canz qstor illzzq "
	    "thestorcoveragecoverage stor on basoin zlocal x zz moneyab abe" },
};

/* The prefilter's flag sets (hs_compile_multi), then the word lists'. */
static const unsigned flagsets[] = {
	HS_FLAG_SINGLEMATCH,
	HS_FLAG_SINGLEMATCH | HS_FLAG_CASELESS,
	HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8,
	HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | HS_FLAG_CASELESS,
	0,
};
#define LITERAL_API	4	/* flagsets[4]: hs_compile_lit_multi */

static int	version_len(void);
static int	found_cb(unsigned int, unsigned long long, unsigned long long,
		    unsigned int, void *);
static int	check_one(const struct known *, size_t, char **);

/* hs_version() up to its first space: "5.4.0", not its build date. */
static int
version_len(void)
{
	return (int)strcspn(hs_version(), " ");
}

static int
found_cb(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	(void)from;
	(void)to;
	(void)flags;
	*(unsigned *)arg |= 1u << id;
	return 0;
}

/* Case k under flag set f: 0 if every literal is found at every alignment. */
static int
check_one(const struct known *k, size_t f, char **why)
{
	hs_database_t		*db = NULL;
	hs_scratch_t		*scratch = NULL;
	hs_compile_error_t	*err = NULL;
	unsigned		 flags[4], ids[4], found;
	size_t			 lens[4], len = strlen(k->text), off;
	char			*buf;
	unsigned		 i;
	int			 rc, bad = 0;

	for (i = 0; i < k->n; i++) {
		flags[i] = flagsets[f];
		ids[i] = i;
		lens[i] = strlen(k->lits[i]);
	}
	rc = f == LITERAL_API ? hs_compile_lit_multi(k->lits, flags, ids,
	    lens, k->n, HS_MODE_BLOCK, NULL, &db, &err) :
	    hs_compile_multi(k->lits, flags, ids, k->n, HS_MODE_BLOCK, NULL,
	    &db, &err);
	if (rc != HS_SUCCESS) {
		xasprintf(why, "libhs %.*s cannot compile a list of literals: "
		    "%s", version_len(), hs_version(), err != NULL ?
		    err->message : "no reason");
		hs_free_compile_error(err);
		return -1;
	}
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
		abort();	/* only out of memory */
	buf = xmalloc(len + ALIGNMENTS);
	for (off = 0; off < ALIGNMENTS; off++) {
		memcpy(buf + off, k->text, len);
		found = 0;
		if (hs_scan(db, buf + off, (unsigned)len, 0, scratch, found_cb,
		    &found) != HS_SUCCESS || found != (1u << k->n) - 1)
			bad++;
	}
	free(buf);
	hs_free_scratch(scratch);
	hs_free_database(db);
	if (bad == 0)
		return 0;
	xasprintf(why, "libhs %.*s drops literal matches on this machine (a "
	    "known-answer check failed at %d of %d alignments); Debian's "
	    "libvectorscan5 5.4.9 does, Intel's Hyperscan (libhyperscan5) "
	    "does not", version_len(), hs_version(), bad, ALIGNMENTS);
	return -1;
}

int
hscheck_literals(char **why)
{
	size_t	k, f;

	*why = NULL;
	if (hs_valid_platform() != HS_SUCCESS) {
		*why = xstrdup("libhs does not run on this CPU (Hyperscan needs "
		    "SSSE3)");
		return -1;
	}
	for (k = 0; k < sizeof known / sizeof known[0]; k++)
		for (f = 0; f < sizeof flagsets / sizeof flagsets[0]; f++)
			if (check_one(&known[k], f, why) != 0)
				return -1;
	return 0;
}
