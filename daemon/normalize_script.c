/*
 * Which alphabet a word or a rule is written in, and the Latin letters
 * that stand for Cyrillic or Greek ones: the other direction of the
 * confusables stage, for rules written in those alphabets (see
 * normalize_word.c for where they are used).
 */

#include <string.h>

#include <unistr.h>

#include "normalize.h"
#include "normalize_internal.h"

/*
 * Latin letters that stand for another script's letters, as writers use
 * them in a Cyrillic or Greek word (after case folding: b for В, h for
 * Н, m for М, t for Т; n for italic п, r for italic г, u for и).
 */
static const char to_cyr_from[] = "abcehikmnoprtuxy";
static const uint32_t to_cyr_to[] = { 0x0430, 0x0432, 0x0441, 0x0435,
    0x043d, 0x0456, 0x043a, 0x043c, 0x043f, 0x043e, 0x0440, 0x0433,
    0x0442, 0x0438, 0x0445, 0x0443 };	/* а в с е н і к м п о р г т и х у */
static const char to_grk_from[] = "abeiknoptuvxyz";
static const uint32_t to_grk_to[] = { 0x03b1, 0x03b2, 0x03b5, 0x03b9,
    0x03ba, 0x03b7, 0x03bf, 0x03c1, 0x03c4, 0x03c5, 0x03bd, 0x03c7,
    0x03b3, 0x03b6 };	/* α β ε ι κ η ο ρ τ υ ν χ γ ζ */

/* The script bit of a letter (its class cls), or 0. */
int
norm_script_of(uint32_t cp, uint8_t cls)
{
	if (cls & NORM_C_LATIN)
		return NORM_SCRIPT_LATIN;
	if ((cp >= 0x0400 && cp <= 0x052f) || (cp >= 0x1c80 && cp <= 0x1c8f) ||
	    (cp >= 0x2de0 && cp <= 0x2dff) || (cp >= 0xa640 && cp <= 0xa69f))
		return NORM_SCRIPT_CYRILLIC;
	if ((cp >= 0x0370 && cp <= 0x03ff) || (cp >= 0x1f00 && cp <= 0x1fff))
		return NORM_SCRIPT_GREEK;
	return 0;
}

/* The Cyrillic or Greek letter (mask says which) Latin cp stands for. */
uint32_t
norm_native(uint32_t cp, unsigned mask)
{
	const char	*p;

	if (cp == 0 || cp >= 0x80)
		return 0;
	if (mask & NORM_TO_CYRILLIC)
		return (p = strchr(to_cyr_from, (int)cp)) != NULL ?
		    to_cyr_to[p - to_cyr_from] : 0;
	return (p = strchr(to_grk_from, (int)cp)) != NULL ?
	    to_grk_to[p - to_grk_from] : 0;
}

/*
 * The scripts (NORM_SCRIPT_*) of the letters text is written in; for a
 * regex, not counting escapes (\b, \p{L}), verbs and group names.
 */
unsigned
normalize_scripts(const char *text, size_t len, int regex)
{
	const uint8_t	*p = (const uint8_t *)text, *end = p + len;
	const char	*close;
	ucs4_t		 uc;
	unsigned	 scripts = 0;
	uint8_t		 cls;
	int		 k;

	while (p < end) {
		if (regex && *p == '\\' && p + 1 < end) {
			p += 2;
			if (p[-1] != '\0' && strchr("pPxoNgk", p[-1]) != NULL &&
			    p < end && *p != '\0' && strchr("{<'", *p) != NULL) {
				close = *p == '{' ? "}" : *p == '<' ? ">" : "'";
				while (p < end && *p != (uint8_t)*close)
					p++;
			} else if ((p[-1] == 'p' || p[-1] == 'P') && p < end)
				p++;
			continue;
		}
		if (regex && *p == '(' && p + 1 < end && (p[1] == '?' ||
		    p[1] == '*')) {
			/* Flags, verbs, names: up to where the group's body starts. */
			while (p < end && *p != ')' && *p != ':' && *p != '>' &&
			    !(*p == '\'' && p[-1] != '?'))
				p++;
			continue;
		}
		if (regex && *p == '[' && p + 1 < end && p[1] == ':') {
			while (p + 1 < end && !(*p == ':' && p[1] == ']'))
				p++;
			continue;
		}
		if ((k = u8_mbtoucr(&uc, p, (size_t)(end - p))) <= 0) {
			p++;
			continue;
		}
		if ((cls = norm_classify(uc)) & NORM_C_LETTER)
			scripts |= (unsigned)norm_script_of(uc, cls);
		p += k;
	}
	return scripts;
}

/* The fold toward a rule's script, for letters of scripts: NORM_TO_*. */
unsigned
normalize_direction(unsigned scripts)
{
	if (scripts & NORM_SCRIPT_LATIN)
		return 0;
	if (scripts & NORM_SCRIPT_CYRILLIC)
		return NORM_TO_CYRILLIC;
	if (scripts & NORM_SCRIPT_GREEK)
		return NORM_TO_GREEK;
	return 0;
}

