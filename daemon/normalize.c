/* Text folding for duplicate detection, with libunistring. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "normalize.h"
#include "xmalloc.h"

static char	*valid_utf8(const char *, size_t, size_t *);

/* A copy of s without its invalid UTF-8 bytes: libunistring refuses them. */
static char *
valid_utf8(const char *s, size_t len, size_t *outlen)
{
	const uint8_t	*p = (const uint8_t *)s;
	char		*out = xmalloc(len + 1);
	size_t		 i = 0, n = 0;
	ucs4_t		 uc;
	int		 k;

	while (i < len) {
		k = u8_mbtoucr(&uc, p + i, len - i);
		if (k <= 0) {
			i++;
			continue;
		}
		memcpy(out + n, p + i, (size_t)k);
		n += (size_t)k;
		i += (size_t)k;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

char *
normalize_text(const char *s, size_t len, size_t *outlen)
{
	uint8_t		*folded;
	char		*clean, *out;
	size_t		 clen, flen = 0, i = 0, n = 0;
	ucs4_t		 uc;
	int		 k;

	clean = valid_utf8(s, len, &clen);
	folded = u8_casefold((const uint8_t *)clean, clen, NULL, UNINORM_NFKC,
	    NULL, &flen);
	free(clean);
	if (folded == NULL)
		abort();	/* valid input: only ENOMEM can get here */
	out = xmalloc(flen + 1);
	while (i < flen) {
		k = u8_mbtouc(&uc, folded + i, flen - i);
		/* Letters, digits and marks stay; Z (space), P, S, C go. */
		if (uc_is_general_category(uc, UC_CATEGORY_L) ||
		    uc_is_general_category(uc, UC_CATEGORY_N) ||
		    uc_is_general_category(uc, UC_CATEGORY_M)) {
			memcpy(out + n, folded + i, (size_t)k);
			n += (size_t)k;
		}
		i += (size_t)k;
	}
	out[n] = '\0';
	free(folded);
	*outlen = n;
	return out;
}
