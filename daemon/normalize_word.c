/*
 * The word stages of a normalised view: confusables, leet, repeats and
 * spacing. They look at a character's neighbours, so they run on the
 * characters the character stages made (normalize.c), in that order.
 *
 * Where a stage must guess, it guesses against a match: a word is a run
 * of letters, marks, digits and leet symbols; Latin look-alikes fold only
 * in a word that has Latin letters too (Russian or Greek stays as it
 * is); leet folds only in a word with letters and only where a reader
 * would see letters (see leet below); spacing needs three single letters.
 */

#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "confusables.h"
#include "normalize.h"
#include "normalize_internal.h"

#define WORD	(NORM_C_LETTER | NORM_C_MARK | NORM_C_DIGIT | NORM_C_LEET)

/* The leet map: documented in rules/README.md. */
static const char leet_from[] = "01345789@$!|";
static const char leet_to[] = "oieastbgasil";

static int	cmp_confusable(const void *, const void *);
static char	leet_letter(uint32_t);
static int	leet_folds(const struct norm_unit *, size_t, size_t, size_t,
		    size_t, size_t);
static void	fold_words(struct norm_units *, unsigned);
static void	fold_repeats(struct norm_units *);
static size_t	single_letter(const struct norm_units *, size_t);
static void	join_spaced(struct norm_units *);

static int
cmp_confusable(const void *key, const void *elem)
{
	uint32_t	cp = *(const uint32_t *)key;
	uint32_t	e = ((const struct confusable *)elem)->cp;

	return cp < e ? -1 : cp > e;
}

/* The Latin letter cp looks like, or 0. */
static char
lookalike(uint32_t cp)
{
	const struct confusable	*c;

	c = bsearch(&cp, confusables_table, confusables_count,
	    sizeof *confusables_table, cmp_confusable);
	return c != NULL ? c->latin : 0;
}

static char
leet_letter(uint32_t cp)
{
	const char	*p;

	if (cp == 0 || cp >= 0x80 || (p = strchr(leet_from, (int)cp)) == NULL)
		return 0;
	return leet_to[p - leet_from];
}

/* The class of a character: see normalize_internal.h. */
uint8_t
norm_classify(uint32_t cp)
{
	uint8_t	cls = 0;

	if (cp < 0x80 && leet_letter(cp) != 0)
		cls |= NORM_C_LEET;
	if (uc_is_general_category(cp, UC_CATEGORY_L)) {
		cls |= NORM_C_LETTER;
		if (uc_script(cp) == uc_script('a'))
			cls |= NORM_C_LATIN;
		else if (lookalike(cp) != 0)
			cls |= NORM_C_LOOKALIKE;
	} else if (uc_is_general_category(cp, UC_CATEGORY_M))
		cls |= NORM_C_MARK;
	else if (uc_is_general_category(cp, UC_CATEGORY_N))
		cls |= NORM_C_DIGIT;
	else if (uc_is_general_category(cp, UC_CATEGORY_Z) || cp == '\t' ||
	    cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85)
		cls |= NORM_C_SPACE;
	else if (uc_is_general_category(cp, UC_CATEGORY_P))
		cls |= NORM_C_PUNCT;
	return cls;
}

/*
 * Does the leet character at j fold, in the word [ws, we) whose letters
 * run from fl to ll? Inside the letters, always ("k1ll", "v1@gra").
 * After them, only @ and $ ("viagr@", "a$$"): trailing digits are model
 * names and numbers ("A55", "mp3", "covid19"), a trailing ! is
 * punctuation. Before them, one character that is not @ (a mention), !
 * or |, and only before three or more characters ("1diot", "5h1t", "$hit"
 * but not "4th", "5pm", "10am", "$5bn").
 */
static int
leet_folds(const struct norm_unit *u, size_t ws, size_t we, size_t fl,
    size_t ll, size_t j)
{
	uint32_t	cp = u[j].cp;

	if (j > fl && j < ll)
		return 1;
	if (j > ll)
		return cp == '@' || cp == '$';
	return fl - ws == 1 && we - fl >= 3 && cp != '@' && cp != '!' &&
	    cp != '|';
}

/* Confusables and leet, word by word. */
static void
fold_words(struct norm_units *nu, unsigned mask)
{
	struct norm_unit	*u = nu->u;
	size_t			 ws, we, j, fl, ll, letters;
	int			 latin, lookalikes, leet;

	for (ws = 0; ws < nu->n; ws = we + 1) {
		while (ws < nu->n && !(u[ws].cls & WORD))
			ws++;
		if (ws == nu->n)
			break;
		letters = 0;
		fl = ll = ws;
		latin = lookalikes = leet = 0;
		for (we = ws; we < nu->n && (u[we].cls & WORD); we++) {
			if (u[we].cls & NORM_C_LETTER) {
				if (letters++ == 0)
					fl = we;
				ll = we;
			}
			latin |= (u[we].cls & NORM_C_LATIN) != 0;
			lookalikes |= (u[we].cls & NORM_C_LOOKALIKE) != 0;
			leet |= (u[we].cls & NORM_C_LEET) != 0;
		}
		if ((mask & NORM_CONFUSABLES) && latin && lookalikes) {
			for (j = ws; j < we; j++) {
				if (!(u[j].cls & NORM_C_LOOKALIKE))
					continue;
				u[j].cp = (uint32_t)lookalike(u[j].cp);
				u[j].cls = NORM_C_LETTER | NORM_C_LATIN;
			}
		}
		if ((mask & NORM_LEET) && leet && letters > 0) {
			for (j = ws; j < we; j++) {
				if (!(u[j].cls & NORM_C_LEET) ||
				    !leet_folds(u, ws, we, fl, ll, j))
					continue;
				u[j].cp = (uint32_t)leet_letter(u[j].cp);
				u[j].cls = NORM_C_LETTER | NORM_C_LATIN;
			}
		}
	}
}

/* A letter three or more times in a row becomes one, spanning them all. */
static void
fold_repeats(struct norm_units *nu)
{
	struct norm_unit	*u = nu->u;
	size_t			 i, j, k, n = 0;

	for (i = 0; i < nu->n; i = j) {
		for (j = i + 1; j < nu->n && u[j].cp == u[i].cp &&
		    (u[i].cls & NORM_C_LETTER); j++)
			;
		if (j - i >= 3) {
			u[n] = u[i];
			u[n++].end = u[j - 1].end;
		} else {
			for (k = i; k < j; k++)
				u[n++] = u[k];
		}
	}
	nu->n = n;
}

/* An apostrophe inside a word ("I'm", "don’t") is part of it. */
static int
joins_word(const struct norm_units *nu, size_t i)
{
	const struct norm_unit	*u = nu->u;

	return (u[i].cp == '\'' || u[i].cp == 0x2019) && i > 0 &&
	    i + 1 < nu->n && (u[i - 1].cls & NORM_C_LETTER) &&
	    (u[i + 1].cls & NORM_C_LETTER);
}

/*
 * If a word of one letter (and its marks) starts at i, the index after
 * it; else 0.
 */
static size_t
single_letter(const struct norm_units *nu, size_t i)
{
	const struct norm_unit	*u = nu->u;
	size_t			 j;

	if (!(u[i].cls & NORM_C_LETTER) || (i > 0 &&
	    ((u[i - 1].cls & WORD) || joins_word(nu, i - 1))))
		return 0;
	for (j = i + 1; j < nu->n && (u[j].cls & NORM_C_MARK); j++)
		;
	if (j < nu->n && ((u[j].cls & WORD) || joins_word(nu, j)))
		return 0;
	return j;
}

static int
separates(const struct norm_unit *u)
{
	return (u->cls & (NORM_C_SPACE | NORM_C_PUNCT)) &&
	    !(u->cls & NORM_C_LEET);
}

/*
 * Three or more words of one letter, apart only by spaces and
 * punctuation ("f u c k", "f.u.c.k"), lose what is between them.
 */
static void
join_spaced(struct norm_units *nu)
{
	struct norm_unit	*u = nu->u, *w = nu->w;
	size_t			 i = 0, j, k, next, sep, last, count, n = 0;

	while (i < nu->n) {
		if ((next = single_letter(nu, i)) == 0) {
			w[n++] = u[i++];
			continue;
		}
		/* How many single letters follow, apart by separators? */
		count = 1;
		last = next;
		for (;;) {
			for (sep = last; sep < nu->n && separates(&u[sep]); sep++)
				;
			if (sep == last || sep == nu->n ||
			    (k = single_letter(nu, sep)) == 0)
				break;
			count++;
			last = k;
		}
		if (count < 3) {
			for (j = i; j < next; j++)
				w[n++] = u[j];
			i = next;
			continue;
		}
		for (j = i; j < last; j++)
			if (!separates(&u[j]))
				w[n++] = u[j];
		i = last;
	}
	nu->u = w;
	nu->w = u;
	nu->n = n;
}

/* The word stages of mask, in their order. */
void
norm_words(struct norm_units *nu, unsigned mask)
{
	if (mask & (NORM_CONFUSABLES | NORM_LEET))
		fold_words(nu, mask);
	if (mask & NORM_REPEATS)
		fold_repeats(nu);
	if (mask & NORM_SPACING)
		join_spaced(nu);
}
